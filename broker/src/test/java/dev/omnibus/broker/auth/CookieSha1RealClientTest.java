package dev.omnibus.broker.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.omnibus.wire.SaslServer;
import dev.omnibus.wire.SaslServer.Mechanism;
import dev.omnibus.wire.SaslServer.State;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real libdbus client ({@code dbus-send} over TCP, where EXTERNAL is impossible) authenticates with
 * DBUS_COOKIE_SHA1 against {@link SaslServer} backed by {@link CookieKeyring}; both use the same
 * temporary HOME, so the client reads the keyring the server wrote.
 */
class CookieSha1RealClientTest {

    @Test
    @Timeout(20)
    void dbusSendAuthenticatesWithCookieSha1OverTcp(@TempDir Path home) throws Exception {
        CookieKeyring keyring = new CookieKeyring(home, InstantSource.system());
        long myUid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            ProcessBuilder pb = new ProcessBuilder("dbus-send", "--address=tcp:host=127.0.0.1,port=" + port,
                    "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.Peer.Ping").redirectErrorStream(true);
            pb.environment().put("HOME", home.toString());
            Process client = pb.start();
            try (SocketChannel ch = server.accept()) {
                SaslServer sasl = new SaslServer("0123456789abcdef0123456789abcdef",
                        EnumSet.of(Mechanism.DBUS_COOKIE_SHA1), -1, false, keyring);
                ByteArrayOutputStream transcript = new ByteArrayOutputStream();
                ByteBuffer buf = ByteBuffer.allocate(4096);
                int firstByte = -1;
                while (sasl.state() != State.AUTHENTICATED && sasl.state() != State.FAILED) {
                    buf.clear();
                    int n = ch.read(buf);
                    if (n < 0) {
                        break;
                    }
                    transcript.write(buf.array(), 0, n);
                    int used = sasl.feed(MemorySegment.ofArray(buf.array()), 0, n);
                    if (sasl.hasOutput()) {
                        byte[] out = sasl.takeOutput();
                        transcript.write(out, 0, out.length);
                        ch.write(ByteBuffer.wrap(out));
                    }
                    if (sasl.state() == State.AUTHENTICATED) {
                        if (used == n) {
                            buf.clear();
                            buf.limit(1);
                            ch.read(buf);
                            used = 0;
                        }
                        firstByte = buf.array()[used];
                    }
                }
                String text = transcript.toString(StandardCharsets.ISO_8859_1);
                assertEquals(State.AUTHENTICATED, sasl.state(), sasl.failureReason() + "\n" + text);
                assertTrue(text.contains("AUTH DBUS_COOKIE_SHA1"), text);
                assertEquals(Mechanism.DBUS_COOKIE_SHA1, sasl.mechanism());
                assertEquals(myUid, sasl.authenticatedUid());
                assertEquals('l', firstByte, "a little-endian message follows BEGIN");
                assertTrue(Files.exists(home.resolve(".dbus-keyrings").resolve(SaslServer.COOKIE_CONTEXT)));
            } finally {
                client.destroy();
                client.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
