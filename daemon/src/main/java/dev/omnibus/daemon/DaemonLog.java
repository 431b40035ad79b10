package dev.omnibus.daemon;

import dev.omnibus.broker.Log;
import dev.omnibus.daemon.cli.DaemonOptions;
import dev.omnibus.transport.Posix;

/**
 * Where the daemon's log lines go, decided as dbus-daemon decides: standard error always, unless
 * {@code --syslog-only}; the system log (/dev/log, see {@link Syslog}) with {@code --syslog},
 * {@code --syslog-only}, or {@code <syslog/>} in the configuration unless {@code --nosyslog}.
 *
 * <p>Lines are shaped like dbus-daemon's: the text is prefixed with {@code [system] } on the system
 * bus and {@code [<type> uid=U pid=P] } otherwise; on stderr the ident and pid come first. Levels map
 * onto dbus-daemon's severities: ERROR = error (LOG_DAEMON|LOG_CRIT), WARNING = warning
 * (LOG_DAEMON|LOG_WARNING), INFO = info (LOG_DAEMON|LOG_INFO) except policy denials ("Rejected ..."),
 * which dbus-daemon logs as security (LOG_AUTH|LOG_NOTICE). Set up on the main thread before the bus
 * starts (again on reload); the sink is then used by whichever thread logs.
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

    /** syslog priority (facility | level) for a line. */
    static int priority(Log.Level level, String text) {
        return switch (level) {
            case ERROR, OFF -> Syslog.LOG_DAEMON | Syslog.LOG_CRIT;
            case WARNING -> Syslog.LOG_DAEMON | Syslog.LOG_WARNING;
            case INFO -> text.startsWith("Rejected ") ? Syslog.LOG_AUTH | Syslog.LOG_NOTICE : Syslog.LOG_DAEMON | Syslog.LOG_INFO;
            case DEBUG -> Syslog.LOG_DAEMON | Syslog.LOG_DEBUG;
        };
    }

    /**
     * Installs the daemon's sink in {@link Log}: stderr and/or the system log as above, at the level
     * named by {@code $OMNIBUS_LOG} (default info). stderr lines are written whole with one
     * {@code println} each, under the stream's own lock.
     */
    static void install(String busType, DaemonOptions opts, boolean configSyslog) {
        int pid = Posix.getpid();
        String context = contextPrefix(busType, Posix.geteuid(), pid);
        String named = System.getenv("OMNIBUS_LOG");
        Log.Level level = named == null ? Log.Level.INFO : Log.parse(named);
        if (level == null) {
            System.err.println("omnibus-daemon: ignoring OMNIBUS_LOG=" + named + " (debug, info, warning, error or off)");
            level = Log.Level.INFO;
        }
        boolean[] to = destinations(opts.syslogMode(), configSyslog);
        if (syslog != null) syslog.close();
        Syslog sys = to[1] ? new Syslog(Syslog.DEV_LOG, pid) : null;
        syslog = sys;
        String prefix = "omnibus-daemon[" + pid + "]: " + context;
        boolean toStderr = to[0];
        Log.install(level, (l, message) -> {
            if (toStderr) System.err.println(prefix + message);
            if (sys != null) sys.send(priority(l, message), context + message);
        });
    }
}
