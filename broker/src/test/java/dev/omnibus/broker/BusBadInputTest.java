package dev.omnibus.broker;

import static dev.omnibus.broker.TestClient.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.omnibus.broker.TestClient.Received;
import dev.omnibus.transport.Posix;
import dev.omnibus.wire.MessageBuilder;
import dev.omnibus.wire.Protocol;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a misbehaving peer gets over a real socket: garbage SASL, a truncated message, a broken
 * header, fds it did not negotiate, a monitor that sends, a client that never authenticates. Each
 * case disconnects that peer only; a healthy client keeps being served, the bus thread never throws
 * ({@link InProcessBus#close()} checks), and no fd is left behind.
 */
class BusBadInputTest {
    private InProcessBus bus;
    private TestClient healthy;

    @BeforeEach
    void start() {
        bus = InProcessBus.start();
        healthy = bus.client();
        healthy.addMatch("type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged'");
    }

    @AfterEach
    void stop() {
        healthy.close();
        bus.close();
    }

    /**
     * Runs {@code misbehave} on a fresh connection (authenticated and registered if asked) and checks
     * that the bus drops it, keeps serving the healthy client, and closes everything it held.
     */
    private void expectOnlyThisPeerDropped(boolean register, Consumer<TestClient> misbehave) {
        expectOnlyThisPeerDropped(register, register, misbehave);
    }

    /** {@code announced}: the drop is the moment the others hear that the unique name is gone. */
    private void expectOnlyThisPeerDropped(boolean register, boolean announced, Consumer<TestClient> misbehave) {
        int baseline = InProcessBus.openFds();
        TestClient bad = register ? bus.client() : TestClient.connect(bus.socket);
        try {
            misbehave.accept(bad);
            assertTrue(bad.awaitDisconnect(TIMEOUT), "the bus kept the misbehaving peer");
        } finally {
            bad.close();
        }
        List<List<String>> seen = healthy.sync().stream().map(Received::strings).filter(a -> a.get(2).isEmpty()).toList();
        assertEquals(announced ? List.of(List.of(bad.uniqueName, bad.uniqueName, "")) : List.of(), seen,
                "the others are told once that the unique name is gone");
        assertTrue(healthy.pingBus(TIMEOUT), "the healthy client is no longer served");
        assertEquals(1, bus.connections());
        assertEquals(0, bus.incomplete());
        int after = InProcessBus.awaitOpenFdsAtMost(baseline, TIMEOUT);
        assertTrue(after <= baseline, "open fds " + baseline + " -> " + after);
    }

    @Test
    void saslWithoutTheNulByteDisconnects() {
        expectOnlyThisPeerDropped(false, c -> c.sendRaw("GET / HTTP/1.1\r\nHost: bus\r\n\r\n"));
    }

    @Test
    void saslLineLongerThanTheLimitDisconnects() {
        char[] junk = new char[dev.omnibus.wire.SaslServer.MAX_LINE + 100];
        Arrays.fill(junk, 'A');
        expectOnlyThisPeerDropped(false, c -> c.sendRaw("\0AUTH " + new String(junk) + "\r\n"));
    }

    @Test
    void repeatedlyRejectedAuthenticationDisconnects() {
        expectOnlyThisPeerDropped(false, c -> {
            c.sendRaw("\0");
            for (int i = 0; i < 6; i++) c.sendRaw("AUTH NOSUCHMECHANISM\r\n");
        });
    }

    @Test
    void truncatedMessageThenCloseFreesThePeer() {
        int baseline = InProcessBus.openFds();
        TestClient bad = bus.client();
        long s = bad.nextSerial();
        MessageBuilder m = new MessageBuilder().reset(Protocol.METHOD_CALL, 0, s).destination(healthy.uniqueName)
                .path("/obj").member("Half");
        m.body("s").writeString("x".repeat(1000));
        byte[] bytes = m.toBytes();
        bad.sendRaw(Arrays.copyOf(bytes, bytes.length / 2));
        bad.close();
        Received gone = healthy.readUntil(leaves(bad.uniqueName), TIMEOUT);
        assertEquals(List.of(bad.uniqueName, bad.uniqueName, ""), gone.strings());
        assertTrue(healthy.sync().isEmpty(), "half a message was delivered");
        assertEquals(1, bus.connections());
        int after = InProcessBus.awaitOpenFdsAtMost(baseline, TIMEOUT);
        assertTrue(after <= baseline, "open fds " + baseline + " -> " + after);
    }

    @Test
    void badEndiannessByteDisconnects() {
        expectOnlyThisPeerDropped(true, c -> {
            byte[] bytes = call(c, healthy.uniqueName);
            bytes[0] = 'X';
            c.sendRaw(bytes);
        });
    }

    @Test
    void methodCallWithoutMemberDisconnects() {
        expectOnlyThisPeerDropped(true, c -> {
            long s = c.nextSerial();
            c.sendRaw(new MessageBuilder().reset(Protocol.METHOD_CALL, 0, s).destination(healthy.uniqueName).path("/obj").toBytes());
        });
    }

    @Test
    void declaredLengthOverTheMessageLimitDisconnects() {
        expectOnlyThisPeerDropped(true, c -> {
            byte[] bytes = call(c, healthy.uniqueName);
            // body length 200 MiB: over the spec's 128 MiB; the bus must not wait for (or allocate) it.
            int len = 200 << 20;
            bytes[4] = (byte) len;
            bytes[5] = (byte) (len >> 8);
            bytes[6] = (byte) (len >> 16);
            bytes[7] = (byte) (len >> 24);
            c.sendRaw(bytes);
        });
    }

    @Test
    void invalidMessageTypeDisconnects() {
        expectOnlyThisPeerDropped(true, c -> {
            byte[] bytes = call(c, healthy.uniqueName);
            bytes[1] = Protocol.INVALID; // type 0 (unknown non-zero types are to be ignored, spec "Message Types")
            c.sendRaw(bytes);
        });
    }

    @Test
    void bodyThatDoesNotMatchItsSignatureDisconnects() {
        expectOnlyThisPeerDropped(true, c -> {
            long s = c.nextSerial();
            MessageBuilder m = new MessageBuilder().reset(Protocol.METHOD_CALL, 0, s).destination(healthy.uniqueName)
                    .path("/obj").member("Poke");
            m.body("s").writeString("abcd");
            byte[] bytes = m.toBytes();
            bytes[bytes.length - 1] = 'x'; // the string's terminating NUL
            c.sendRaw(bytes);
        });
    }

    /** The NameOwnerChanged that says {@code name} lost its owner. */
    private static java.util.function.Predicate<Received> leaves(String name) {
        return r -> r.isSignal("NameOwnerChanged") && name.equals(r.arg0()) && r.strings().get(2).isEmpty();
    }

    @Test
    void fdsWithoutNegotiationDisconnect() {
        int[] pipe = Posix.pipe();
        try {
            expectOnlyThisPeerDropped(true, c -> {
                long s = c.nextSerial();
                MessageBuilder m = new MessageBuilder().reset(Protocol.METHOD_CALL, 0, s).destination(healthy.uniqueName)
                        .path("/obj").member("Take").unixFds(1);
                m.body("h").writeUnixFd(0);
                c.send(m.toBytes(), new int[] {pipe[0]});
            });
            assertTrue(healthy.sync().isEmpty(), "the call was delivered");
        } finally {
            Posix.close(pipe[0]);
            Posix.close(pipe[1]);
        }
    }

    @Test
    void monitorThatSendsIsDisconnected() {
        expectOnlyThisPeerDropped(true, false, c -> {
            long s = c.call(TestClient.BUS, TestClient.BUS_PATH, "org.freedesktop.DBus.Monitoring", "BecomeMonitor", "asu", List.of(), 0);
            Received r = c.readReplyTo(s, TIMEOUT);
            assertEquals(Protocol.METHOD_RETURN, r.type(), r.toString());
            // Becoming a monitor already announced the name's end to the others.
            Received gone = healthy.readUntil(leaves(c.uniqueName), TIMEOUT);
            assertEquals(List.of(c.uniqueName, c.uniqueName, ""), gone.strings());
            c.call(healthy.uniqueName, "/obj", "com.example.Spy", "Talk", "");
        });
        assertTrue(healthy.sync().isEmpty(), "the monitor's message was delivered");
    }

    @Test
    void clientThatNeverFinishesSaslIsDroppedAfterAuthTimeout() {
        bus.close();
        healthy.close();
        long timeoutMs = 300;
        bus = InProcessBus.start(BusLimits.session().with(Limit.AUTH_TIMEOUT, timeoutMs));
        healthy = bus.client();
        int baseline = InProcessBus.openFds();
        long t0 = System.nanoTime();
        try (TestClient silent = TestClient.connect(bus.socket); TestClient halfway = TestClient.connect(bus.socket);
                TestClient onTime = TestClient.authenticated(bus.socket, false)) {
            halfway.sendRaw("\0AUTH EXTERNAL");
            assertTrue(silent.awaitDisconnect(Duration.ofSeconds(3)), "silent client kept");
            long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(halfway.awaitDisconnect(Duration.ofSeconds(3)), "client stuck in AUTH kept");
            assertTrue(elapsedMs >= timeoutMs - 20, "dropped after " + elapsedMs + " ms, before the timeout");
            assertTrue(elapsedMs < timeoutMs + 2000, "dropped only after " + elapsedMs + " ms");
            // Authenticated in time (no Hello yet): the timer must not fire for it.
            sleep(2 * timeoutMs);
            assertFalse(onTime.isEof());
            assertEquals(Protocol.METHOD_RETURN, onTime.callBusAndWait("Hello", "").type());
            assertEquals(0, bus.incomplete());
        }
        int after = InProcessBus.awaitOpenFdsAtMost(baseline, TIMEOUT);
        assertTrue(after <= baseline, "open fds " + baseline + " -> " + after);
    }

    private static byte[] call(TestClient from, String dest) {
        long s = from.nextSerial();
        MessageBuilder m = new MessageBuilder().reset(Protocol.METHOD_CALL, 0, s).destination(dest).path("/obj").member("Poke");
        m.body("s").writeString("poke");
        return m.toBytes();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
