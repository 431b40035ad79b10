package dev.omnibus.broker;

import static dev.omnibus.broker.TestClient.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.omnibus.broker.TestClient.Received;
import dev.omnibus.transport.Posix;
import dev.omnibus.wire.MessageBuilder;
import dev.omnibus.wire.Protocol;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Corners of the bus found by probing over real sockets: names that look like a peer's but are
 * not, a client that never reads the driver's answers, monitors and fds, and what closing the bus
 * leaves open. The expected behaviour of the first two was checked against dbus-daemon 1.14.10
 * (it drops driver replies to a full queue, logging "destination has a full message queue", and
 * hands monitors the fds of the messages they see).
 */
class BusEdgeCasesTest {

    @Test
    void uniqueNamesWithLeadingZerosOrUnusedIdsAreUnknown() {
        try (InProcessBus bus = InProcessBus.start(); TestClient a = bus.client(); TestClient b = bus.client()) {
            String id = b.uniqueName.substring(3);
            for (String dest : new String[] {":1.0" + id, ":1.0", ":1." + id + "0", ":2." + id}) {
                long s = a.call(dest, "/obj", "com.example.Echo", "Echo", "");
                Received r = a.readReplyTo(s, TIMEOUT);
                assertTrue(r.isError(DBusErrors.SERVICE_UNKNOWN), dest + ": " + r);
            }
            assertTrue(b.sync().isEmpty(), "a look-alike name reached " + b.uniqueName);
        }
    }

    @Test
    void clientThatNeverReadsDriverRepliesDoesNotGrowItsQueueWithoutBound() {
        long limit = 256 * 1024;
        try (InProcessBus bus = InProcessBus.start(BusLimits.session().with(Limit.MAX_OUTGOING_BYTES, limit));
                TestClient greedy = bus.client(); TestClient other = bus.client()) {
            // Each GetId answer is ~100 bytes: 40000 of them are 16 x the limit.
            long s = 0;
            MessageBuilder m = new MessageBuilder();
            int sent = 0;
            for (; sent < 40_000; sent++) {
                s = greedy.nextSerial();
                byte[] call = m.reset(Protocol.METHOD_CALL, 0, s).destination(TestClient.BUS).path(TestClient.BUS_PATH)
                        .interfaceName(TestClient.BUS).member("GetId").toBytes();
                if (!greedy.trySend(call, null, Duration.ofMillis(200))) break; // the bus stopped reading: fine
            }
            assertTrue(other.pingBus(TIMEOUT));
            long queued = greedy.isEof() ? 0 : bus.queuedBytes(greedy.uniqueName);
            // Acceptable: the bus stops reading (backpressure), or drops the peer; not an ever-growing queue.
            assertTrue(queued <= 2 * limit, "queued " + queued + " bytes of driver replies for a client that never reads"
                    + " (limit " + limit + ", " + sent + " calls accepted)");
        }
    }

    @Test
    void monitorSeesMessagesWithFdsWithoutClaimingFdsItDidNotGet() {
        try (InProcessBus bus = InProcessBus.start(); TestClient a = bus.clientWithFds(); TestClient b = bus.clientWithFds();
                TestClient monitor = bus.clientWithFds()) {
            long s = monitor.call(TestClient.BUS, TestClient.BUS_PATH, "org.freedesktop.DBus.Monitoring", "BecomeMonitor", "asu", List.of(), 0);
            assertEquals(Protocol.METHOD_RETURN, monitor.readReplyTo(s, TIMEOUT).type());
            int[] pipe = Posix.pipe();
            try {
                long serial = a.nextSerial();
                MessageBuilder m = new MessageBuilder().reset(Protocol.METHOD_CALL, Protocol.FLAG_NO_REPLY_EXPECTED, serial)
                        .destination(b.uniqueName).path("/obj").member("Take").unixFds(1);
                m.body("h").writeUnixFd(0);
                a.send(m.toBytes(), new int[] {pipe[0]});
                Received got = b.read(TIMEOUT);
                assertEquals(1, got.fds.length);
                got.closeFds();
                // TestClient.read fails if a message's UNIX_FDS exceeds the fds that came with it.
                Received seen = monitor.readUntil(r -> r.serial() == serial && r.type() == Protocol.METHOD_CALL, TIMEOUT);
                assertTrue(seen != null, "the monitor did not see the call");
                seen.closeFds();
            } finally {
                Posix.close(pipe[0]);
                Posix.close(pipe[1]);
            }
        }
    }

    @Test
    void closingTheBusClosesConnectionsStillInSasl() {
        int baseline = InProcessBus.openFds();
        InProcessBus bus = InProcessBus.start();
        TestClient unauthenticated = TestClient.connect(bus.socket);
        TestClient registered = bus.client();
        assertEquals(1, bus.incomplete());
        bus.close();
        assertTrue(registered.awaitDisconnect(TIMEOUT), "registered client not disconnected at close");
        boolean dropped = unauthenticated.awaitDisconnect(Duration.ofSeconds(1));
        unauthenticated.close();
        registered.close();
        int after = InProcessBus.awaitOpenFdsAtMost(baseline, Duration.ofSeconds(1));
        assertTrue(dropped && after <= baseline, "after close: unauthenticated dropped " + dropped + ", fds " + baseline + " -> " + after);
    }
}
