package dev.omnibus.daemon;

import dev.omnibus.daemon.cli.DaemonOptions;
import dev.omnibus.transport.Posix;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One log line per event, shaped like dbus-daemon's ({@code omnibus-daemon[pid]: [session uid=0 pid=N] text})
 * on stderr. Set up once on the main thread before the bus starts.
 */
final class DaemonLog {
    private DaemonLog() {}

    static void install(String busType, DaemonOptions opts, boolean configSyslog) {
        Logger root = Logger.getLogger("omnibus");
        root.setUseParentHandlers(false);
        for (Handler h : root.getHandlers()) root.removeHandler(h);
        int pid = Posix.getpid();
        String prefix = "omnibus-daemon[" + pid + "]: [" + (busType == null ? "custom" : busType)
                + " uid=" + Posix.geteuid() + " pid=" + pid + "] ";
        Handler h = new ConsoleHandler();
        h.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                return prefix + formatMessage(r) + System.lineSeparator();
            }
        });
        String level = System.getenv("OMNIBUS_LOG");
        Level l = level == null ? Level.INFO : Level.parse(level.toUpperCase(java.util.Locale.ROOT));
        h.setLevel(l);
        root.setLevel(l);
        root.addHandler(h);
    }
}
