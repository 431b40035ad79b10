package dev.omnibus.daemon;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;

/**
 * sd_notify(3): tells systemd the bus is ready by sending {@code READY=1} to the datagram socket
 * named by NOTIFY_SOCKET, when it is set. Abstract socket names start with '@'. Cold path.
 */
final class SystemdNotify {
    private SystemdNotify() {}

    static void ready() {
        String socket = System.getenv("NOTIFY_SOCKET");
        if (socket == null || socket.isEmpty()) return;
        String path = socket.startsWith("@") ? "\0" + socket.substring(1) : socket;
        try (DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.UNIX)) {
            ch.send(ByteBuffer.wrap("READY=1".getBytes(StandardCharsets.US_ASCII)), UnixDomainSocketAddress.of(path));
        } catch (IOException | RuntimeException e) {
            Logger.getLogger("omnibus").warning("sd_notify to " + socket + " failed: " + e.getMessage());
        }
    }
}
