package dev.omnibus.daemon;

import dev.omnibus.transport.Posix;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The system log as dbus-daemon writes to it through glibc's syslog(3): one datagram per line to
 * the AF_UNIX socket /dev/log, RFC 3164 style {@code <pri>Mmm dd HH:MM:SS dbus-daemon[pid]: text}
 * with no trailing newline (what dbus-daemon 1.14 sends, captured on a fake /dev/log). The ident is
 * dbus-daemon's so that {@code journalctl -t dbus-daemon} and syslog filters keep working.
 *
 * <p>The socket is non-blocking: a stalled syslog reader drops lines rather than stopping the bus
 * thread (glibc would block). Lines are not retried. Used by whichever thread logs; {@link #send} is
 * synchronized because the log may be written from several threads.
 */
final class Syslog {
    /** The socket syslog(3) writes to (glibc's _PATH_LOG). */
    static final String DEV_LOG = "/dev/log";
    /** openlog("dbus-daemon", LOG_PID, LOG_DAEMON) in dbus-daemon's _dbus_init_system_log. */
    static final String IDENT = "dbus-daemon";

    /** syslog(3) facilities and levels (sys/syslog.h); dbus-daemon's severities map onto these. */
    static final int LOG_DAEMON = 3 << 3, LOG_AUTH = 4 << 3;
    static final int LOG_CRIT = 2, LOG_WARNING = 4, LOG_NOTICE = 5, LOG_INFO = 6, LOG_DEBUG = 7;

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ROOT);

    private final String socketPath;
    private final int pid;
    private int fd = -1;
    private long dropped;

    Syslog(String socketPath, int pid) {
        this.socketPath = socketPath;
        this.pid = pid;
    }

    /** The line as sent for {@code priority} (facility | level) at {@code time}. */
    static String format(int priority, LocalDateTime time, int pid, String text) {
        return "<" + priority + ">" + STAMP.format(time) + " " + IDENT + "[" + pid + "]: " + text;
    }

    /** Sends one line; returns false when it could not be delivered (no syslog, or it is busy). */
    synchronized boolean send(int priority, String text) {
        if (fd < 0) {
            fd = Posix.unixDatagramSocket(true);
            if (fd < 0) {
                dropped++;
                return false;
            }
        }
        byte[] bytes = format(priority, LocalDateTime.now(), pid, text).getBytes(StandardCharsets.UTF_8);
        int r = Posix.sendTo(fd, socketPath, bytes);
        if (r < 0) dropped++;
        return r >= 0;
    }

    /** Lines that could not be sent so far. */
    synchronized long dropped() { return dropped; }

    synchronized void close() {
        if (fd >= 0) Posix.close(fd);
        fd = -1;
    }
}
