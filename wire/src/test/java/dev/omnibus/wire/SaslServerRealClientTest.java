package dev.omnibus.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.omnibus.wire.SaslServer.Mechanism;
import dev.omnibus.wire.SaslServer.State;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real libdbus client ({@code dbus-send}) through the SASL exchange against {@link SaslServer}
 * on a unix socket, and checks that what follows BEGIN is a D-Bus method call header.
 */
class SaslServerRealClientTest {

    @Test
    @Timeout(20)
    void dbusSendAuthenticatesWithExternalAndNegotiatesUnixFds(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("bus");
        long myUid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        String guid = Guid.random().hex();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Process client = new ProcessBuilder("dbus-send", "--address=unix:path=" + socket, "--print-reply",
                    "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.Peer.Ping")
                    .redirectErrorStream(true).start();
            try (SocketChannel ch = server.accept()) {
                // The client is our child, same uid: what SO_PEERCRED would report.
                SaslServer sasl = new SaslServer(guid, EnumSet.of(Mechanism.EXTERNAL), myUid, true, null);
                ByteArrayOutputStream transcript = new ByteArrayOutputStream();
                ByteBuffer buf = ByteBuffer.allocate(4096);
                byte[] message = drive(ch, sasl, buf, transcript);
                assertEquals(State.AUTHENTICATED, sasl.state(), sasl.failureReason());
                assertEquals(myUid, sasl.authenticatedUid());
                assertTrue(sasl.unixFdNegotiated(), "libdbus asks for fd passing on unix sockets");
                String text = transcript.toString(StandardCharsets.ISO_8859_1);
                assertTrue(text.contains("AUTH EXTERNAL"), text);
                // First message: little-endian 'l', type 1 = METHOD_CALL, protocol version 1.
                assertEquals('l', message[0]);
                assertEquals(1, message[1]);
                assertEquals(1, message[3]);
            } finally {
                client.destroy();
                client.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Feeds the socket into {@code sasl} until it authenticates or fails, answering as it goes;
     * returns the first 16 bytes after BEGIN (the fixed message header).
     */
    static byte[] drive(SocketChannel ch, SaslServer sasl, ByteBuffer buf, ByteArrayOutputStream transcript)
            throws Exception {
        while (sasl.state() != State.AUTHENTICATED && sasl.state() != State.FAILED) {
            buf.clear();
            int n = ch.read(buf);
            if (n < 0) {
                break;
            }
            transcript.write(buf.array(), 0, n);
            int used = sasl.feed(MemorySegment.ofArray(buf.array()), 0, n);
            if (sasl.hasOutput()) {
                ch.write(ByteBuffer.wrap(sasl.takeOutput()));
            }
            if (sasl.state() == State.AUTHENTICATED) {
                ByteArrayOutputStream rest = new ByteArrayOutputStream();
                rest.write(buf.array(), used, n - used);
                while (rest.size() < 16) {
                    buf.clear();
                    int m = ch.read(buf);
                    if (m < 0) {
                        break;
                    }
                    rest.write(buf.array(), 0, m);
                }
                byte[] header = new byte[16];
                System.arraycopy(rest.toByteArray(), 0, header, 0, 16);
                return header;
            }
        }
        return new byte[16];
    }
}
