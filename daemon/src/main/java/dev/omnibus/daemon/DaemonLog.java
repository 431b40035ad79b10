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
 * Where the daemon's log lines go, decided as dbus-daemon decides: standard error always, unless
 * {@code --syslog-only}; the system log (/dev/log, see {@link Syslog}) with {@code --syslog},
 * {@code --syslog-only}, or {@code <syslog/>} in the configuration unless {@code --nosyslog}.
 *
 * <p>Lines are shaped like dbus-daemon's: the text is prefixed with {@code [system] } on the system
 * bus and {@code [<type> uid=U pid=P] } otherwise; on stderr the ident and pid come first. Levels map
 * onto dbus-daemon's severities: SEVERE = error (LOG_DAEMON|LOG_CRIT), WARNING = warning
 * (LOG_DAEMON|LOG_WARNING), INFO = info (LOG_DAEMON|LOG_INFO) except policy denials ("Rejected ..."),
 * which dbus-daemon logs as security (LOG_AUTH|LOG_NOTICE). Set up once on the main thread before the
 * bus starts; the handlers are then used by whichever thread logs.
 */
final class DaemonLog {
    private static Syslog syslog;

    private DaemonLog() {}

    /** What the options and the configuration ask for: {stderr, syslog}. */
    static boolean[] destinations(DaemonOptions.SyslogMode mode, boolean configSyslog) {
        return switch (mode) {
            case SYSLOG_AND_STDERR -> new boolean[] {true, true};
            case SYSLOG_ONLY -> new boolean[] {false, true};
            case STDERR_ONLY -> new boolean[] {true, false};
            case FOLLOW_CONFIG -> new boolean[] {true, configSyslog};
        };
    }

    /** dbus-daemon's prefix of every line's text for a bus of {@code busType}. */
    static String contextPrefix(String busType, int uid, int pid) {
        if ("system".equals(busType)) return "[system] ";
        return "[" + (busType == null ? "custom" : busType) + " uid=" + uid + " pid=" + pid + "] ";
    }

    /** syslog priority (facility | level) for a record. */
    static int priority(Level level, String text) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) return Syslog.LOG_DAEMON | Syslog.LOG_CRIT;
        if (v >= Level.WARNING.intValue()) return Syslog.LOG_DAEMON | Syslog.LOG_WARNING;
        if (text.startsWith("Rejected ")) return Syslog.LOG_AUTH | Syslog.LOG_NOTICE;
        if (v >= Level.INFO.intValue()) return Syslog.LOG_DAEMON | Syslog.LOG_INFO;
        return Syslog.LOG_DAEMON | Syslog.LOG_DEBUG;
    }

    static void install(String busType, DaemonOptions opts, boolean configSyslog) {
        Logger root = Logger.getLogger("omnibus");
        root.setUseParentHandlers(false);
        for (Handler h : root.getHandlers()) root.removeHandler(h);
        int pid = Posix.getpid();
        String context = contextPrefix(busType, Posix.geteuid(), pid);
        String level = System.getenv("OMNIBUS_LOG");
        Level l = level == null ? Level.INFO : Level.parse(level.toUpperCase(java.util.Locale.ROOT));
        root.setLevel(l);
        boolean[] to = destinations(opts.syslogMode(), configSyslog);
        if (to[0]) {
            String prefix = "omnibus-daemon[" + pid + "]: " + context;
            Handler h = new ConsoleHandler();
            h.setFormatter(new Formatter() {
                @Override
                public String format(LogRecord r) {
                    return prefix + formatMessage(r) + System.lineSeparator();
                }
            });
            h.setLevel(l);
            root.addHandler(h);
        }
        if (syslog != null) syslog.close();
        syslog = null;
        if (to[1]) {
            Syslog sink = new Syslog(Syslog.DEV_LOG, pid);
            syslog = sink;
            Handler h = new Handler() {
                private final Formatter text = new Formatter() {
                    @Override
                    public String format(LogRecord r) { return formatMessage(r); }
                };

                @Override
                public void publish(LogRecord r) {
                    if (!isLoggable(r)) return;
                    String msg = text.format(r);
                    sink.send(priority(r.getLevel(), msg), context + msg);
                }

                @Override
                public void flush() { }

                @Override
                public void close() { sink.close(); }
            };
            h.setLevel(l);
            root.addHandler(h);
        }
    }
}
