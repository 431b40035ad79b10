package dev.omnibus.daemon;

import dev.omnibus.broker.Log;
import dev.omnibus.transport.Posix;
import java.nio.charset.StandardCharsets;

/**
 * sd_notify(3): tells systemd the bus is ready by sending {@code READY=1} as one datagram to the
 * AF_UNIX SOCK_DGRAM socket named by NOTIFY_SOCKET, when it is set (a path, or an abstract name
 * written with a leading '@'). Through FFM because {@link java.nio.channels.DatagramChannel} has no
 * AF_UNIX datagrams. Main thread, once the sockets listen; cold path.
 */
final class SystemdNotify {

    private SystemdNotify() {}

    /** Sends READY=1 to $NOTIFY_SOCKET if set; returns false when it was set and the send failed. */
    static boolean ready() {
        return notify(System.getenv("NOTIFY_SOCKET"), "READY=1");
    }

    static boolean notify(String socket, String state) {
        if (socket == null || socket.isEmpty()) return true;
        int fd = Posix.unixDatagramSocket(false);
        if (fd < 0) {
            Log.warning("sd_notify to " + socket + " failed: socket: errno " + (-fd));
            return false;
        }
        try {
            int r = Posix.sendTo(fd, socket, state.getBytes(StandardCharsets.UTF_8));
            if (r < 0) {
                Log.warning("sd_notify to " + socket + " failed: errno " + (-r));
                return false;
            }
            return true;
        } finally {
            Posix.close(fd);
        }
    }
}
