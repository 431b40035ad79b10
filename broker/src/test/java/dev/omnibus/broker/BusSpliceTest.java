package dev.omnibus.broker;

import static dev.omnibus.broker.TestClient.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.omnibus.broker.TestClient.Received;
import dev.omnibus.wire.MessageBuilder;
import dev.omnibus.wire.Protocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Large byte-array bodies that cross the bus through kernel pipes instead of being copied (see
 * {@link Connection}, "splicing"), over real sockets: every byte arrives in order whether the
 * receiver reads along or lets the bus queue the pipes behind other messages; a monitor gets whole
 * copies; a message whose routing changes while its body is still arriving (a monitor connects, the
 * destination leaves) goes the usual way; a sender that leaves mid-body costs nothing; and no pipe is
 * left behind.
 */
class BusSpliceTest {
    private static final int[] SIZES = {0, 100, 40_000, 65_536, 200_000, 33_000, 1 << 20, 3 << 20, 70_000};

    @Test
    void bodiesOfEverySizeArriveIntactWhileTheReceiverReadsAlong() throws Exception {
        try (InProcessBus bus = InProcessBus.start(); TestClient sender = bus.client(); TestClient receiver = bus.client()) {
            int rounds = 3;
            List<byte[]> sent = new ArrayList<>();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread writer = Thread.ofPlatform().name("sender").start(() -> {
                try {
                    Random rnd = new Random(1);
                    for (int r = 0; r < rounds; r++) {
                        for (int size : SIZES) {
                            byte[] data = new byte[size];
                            rnd.nextBytes(data);
                            synchronized (sent) {
                                sent.add(data);
                            }
                            sender.send(bytesCall(sender, receiver.uniqueName, data), null);
                            sender.call(receiver.uniqueName, "/s", "com.example.S", "Small", "u", size);
                        }
                    }
                } catch (Throwable t) {
                    failed.set(t);
                }
            });
            int[] next = {0};
            receiver.drain(m -> {
                int i = next[0]++;
                if (i % 2 == 0) {
                    byte[] want;
                    synchronized (sent) {
                        want = sent.get(i / 2);
                    }
                    assertArrayEquals(want, bytesOf(m), "body of message " + i);
                    assertEquals(sender.uniqueName, m.sender());
                } else {
                    assertEquals("Small", m.member(), "message " + i);
                }
            }, 2L * rounds * SIZES.length, Duration.ofSeconds(30));
            writer.join(10_000);
            if (failed.get() != null) throw new AssertionError("sender failed", failed.get());
            // 200 000 bytes and 1 MiB leave more than SPLICE_MIN unread after any first read; how much
            // of the others the bus reads at once depends on how far the sender got.
            long spliced = bus.splicedBodies();
            assertTrue(spliced >= rounds * 2L, "bodies spliced: " + spliced);
            assertTrue(bus.loopErrors().isEmpty(), bus.loopErrors().toString());
        }
    }

    @Test
    void pipesQueuedBehindOtherMessagesComeOutInOrder() throws Exception {
        try (InProcessBus bus = InProcessBus.start(); TestClient sender = bus.client(); TestClient other = bus.client();
                TestClient receiver = bus.client()) {
            Random rnd = new Random(2);
            List<byte[]> sent = new ArrayList<>();
            // The receiver reads nothing meanwhile: bodies wait in the bus, pipes between queued bytes.
            for (int i = 0; i < 24; i++) {
                byte[] data = new byte[100_000 + i * 1000];
                rnd.nextBytes(data);
                sent.add(data);
                sender.send(bytesCall(sender, receiver.uniqueName, data), null);
                other.call(receiver.uniqueName, "/s", "com.example.S", "Between", "u", i);
            }
            sender.pingBus(TIMEOUT);
            other.pingBus(TIMEOUT);
            assertTrue(bus.queuedBytes(receiver.uniqueName) > 2_000_000, "the bus holds the bodies for the receiver");
            int[] bodies = {0};
            int[] between = {0};
            receiver.drain(m -> {
                if ("Bytes".equals(m.member())) {
                    assertArrayEquals(sent.get(bodies[0]), bytesOf(m), "body " + bodies[0]);
                    bodies[0]++;
                } else {
                    assertEquals("Between", m.member());
                    assertEquals(between[0]++, m.body().readUint32());
                }
            }, 48, Duration.ofSeconds(30));
            assertEquals(24, bodies[0]);
            // Each queued body holds a pipe until the receiver reads: once the pool's pipes are all
            // queued, the rest are copied (still in order).
            assertTrue(bus.splicedBodies() >= PipePool.MAX_OPEN - 4, "bodies spliced: " + bus.splicedBodies());
            assertEquals(0, bus.queuedBytes(receiver.uniqueName));
            assertTrue(bus.pipesOpen() <= 4, "pipes left open: " + bus.pipesOpen());
        }
    }

    @Test
    void aMonitorGetsWholeCopiesAndNothingIsSpliced() throws Exception {
        try (InProcessBus bus = InProcessBus.start(); TestClient monitor = bus.client(); TestClient sender = bus.client();
                TestClient receiver = bus.client()) {
            becomeMonitor(monitor);
            byte[] data = new byte[300_000];
            new Random(3).nextBytes(data);
            sender.send(bytesCall(sender, receiver.uniqueName, data), null);
            receiverAndMonitorGetItWhole(receiver, monitor, data);
            assertEquals(0, bus.splicedBodies());
        }
    }

    @Test
    void aMonitorConnectingWhileTheBodyArrivesGetsItWhole() throws Exception {
        try (InProcessBus bus = InProcessBus.start(); TestClient sender = bus.client(); TestClient receiver = bus.client();
                TestClient monitor = bus.client()) {
            byte[] data = new byte[500_000];
            new Random(4).nextBytes(data);
            byte[] msg = bytesCall(sender, receiver.uniqueName, data);
            sender.send(Arrays.copyOfRange(msg, 0, 20_000), null);
            awaitPipeInUse(bus);
            becomeMonitor(monitor);
            sender.send(Arrays.copyOfRange(msg, 20_000, msg.length), null);
            receiverAndMonitorGetItWhole(receiver, monitor, data);
            assertEquals(0, bus.splicedBodies());
            assertTrue(sender.pingBus(TIMEOUT));
        }
    }

    @Test
    void aDestinationLeavingWhileTheBodyArrivesMeansAnErrorForTheCaller() throws Exception {
        try (InProcessBus bus = InProcessBus.start(); TestClient sender = bus.client()) {
            TestClient receiver = bus.client();
            String gone = receiver.uniqueName;
            byte[] data = new byte[400_000];
            byte[] msg = bytesCall(sender, gone, data);
            long serial = sender.nextSerial() - 1;
            sender.send(Arrays.copyOfRange(msg, 0, 1000), null);
            awaitPipeInUse(bus);
            receiver.close();
            sender.send(Arrays.copyOfRange(msg, 1000, msg.length), null);
            Received r = sender.readReplyTo(serial, TIMEOUT);
            assertNotNull(r, "an answer to the call");
            assertTrue(r.isError("org.freedesktop.DBus.Error.ServiceUnknown"), r.toString());
            assertTrue(sender.pingBus(TIMEOUT));
            assertEquals(0, bus.splicedBodies());
        }
    }

    @Test
    void aSenderLeavingMidBodyLeavesNoPipeOrFdBehind() throws Exception {
        try (InProcessBus bus = InProcessBus.start(); TestClient receiver = bus.client()) {
            // Warm the pool up so that its spare pipes are counted in the baseline.
            try (TestClient s = bus.client()) {
                s.send(bytesCall(s, receiver.uniqueName, new byte[200_000]), null);
                assertNotNull(receiver.readUntil(m -> "Bytes".equals(m.member()), TIMEOUT));
            }
            int fdsBefore = InProcessBus.openFds();
            int pipesBefore = bus.pipesOpen();
            for (int i = 0; i < 20; i++) {
                TestClient s = bus.client();
                byte[] msg = bytesCall(s, receiver.uniqueName, new byte[300_000]);
                s.send(Arrays.copyOfRange(msg, 0, 100_000), null);
                s.pingBus(Duration.ofMillis(1)); // only to let the bus start; its answer cannot come before the body
                s.close();
            }
            assertTrue(receiver.pingBus(TIMEOUT));
            int fds = InProcessBus.awaitOpenFdsAtMost(fdsBefore, TIMEOUT);
            assertTrue(fds <= fdsBefore, "fds " + fdsBefore + " -> " + fds);
            assertTrue(bus.pipesOpen() <= pipesBefore, "pipes " + pipesBefore + " -> " + bus.pipesOpen());
            assertTrue(receiver.sync().stream().noneMatch(m -> "Bytes".equals(m.member())), "no torn message delivered");
            assertTrue(bus.loopErrors().isEmpty(), bus.loopErrors().toString());
        }
    }

    @Test
    void aDestinationThatJustHungUpCostsTheBusNothing() throws Exception {
        try (InProcessBus bus = InProcessBus.start(); TestClient sender = bus.client()) {
            byte[] data = new byte[150_000];
            for (int i = 0; i < 20; i++) {
                TestClient receiver = bus.client();
                byte[] msg = bytesCall(sender, receiver.uniqueName, data);
                // The bus may splice into the socket before it notices the hang-up: EPIPE, not a signal.
                receiver.close();
                sender.send(msg, null);
            }
            assertTrue(sender.pingBus(TIMEOUT), "the sender is still served");
            assertTrue(bus.loopErrors().isEmpty(), bus.loopErrors().toString());
        }
    }

    @Test
    void aBodyNobodyTakesIsDroppedWithItsPipe() throws Exception {
        try (InProcessBus bus = InProcessBus.start(); TestClient sender = bus.client(); TestClient receiver = bus.client()) {
            for (int i = 0; i < 3 * PipePool.MAX_OPEN; i++) {
                // A reply to a call the receiver never made: routed from the header, then dropped.
                MessageBuilder b = new MessageBuilder().reset(Protocol.METHOD_RETURN, 0, sender.nextSerial())
                        .destination(receiver.uniqueName).replySerial(1000 + i);
                var w = b.body("ay").beginArray("y");
                for (int k = 0; k < 120_000; k++) w.writeByte(k);
                w.endArray();
                sender.send(b.toBytes(), null);
            }
            assertTrue(sender.pingBus(TIMEOUT));
            assertTrue(receiver.sync().isEmpty(), "nothing delivered");
            assertTrue(bus.pipesOpen() <= 4, "dropped bodies took their pipes with them: " + bus.pipesOpen());
            // Splicing still works afterwards: the pool did not run dry.
            byte[] data = new byte[200_000];
            new Random(7).nextBytes(data);
            long before = bus.splicedBodies();
            sender.send(bytesCall(sender, receiver.uniqueName, data), null);
            Received got = receiver.readUntil(m -> "Bytes".equals(m.member()), TIMEOUT);
            assertNotNull(got);
            assertArrayEquals(data, bytesOf(got));
            assertEquals(before + 1, bus.splicedBodies());
        }
    }

    private static void receiverAndMonitorGetItWhole(TestClient receiver, TestClient monitor, byte[] data) {
        Received got = receiver.readUntil(m -> "Bytes".equals(m.member()), TIMEOUT);
        assertNotNull(got);
        assertArrayEquals(data, bytesOf(got));
        Received copy = monitor.readUntil(m -> "Bytes".equals(m.member()), TIMEOUT);
        assertNotNull(copy, "the monitor saw the call");
        assertArrayEquals(data, bytesOf(copy));
    }

    private static void awaitPipeInUse(InProcessBus bus) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (bus.pipesOpen() == 0 && System.nanoTime() < deadline) Thread.sleep(2);
        assertTrue(bus.pipesOpen() > 0, "the bus started splicing the body");
    }

    private static void becomeMonitor(TestClient monitor) {
        long s = monitor.call(TestClient.BUS, TestClient.BUS_PATH, "org.freedesktop.DBus.Monitoring", "BecomeMonitor", "asu",
                List.of(), 0);
        Received r = monitor.readReplyTo(s, TIMEOUT);
        assertNotNull(r);
        assertEquals(Protocol.METHOD_RETURN, r.type(), r.toString());
    }

    /** A call com.example.S.Bytes(ay) carrying {@code data}; takes the sender's next serial. */
    static byte[] bytesCall(TestClient from, String dest, byte[] data) {
        MessageBuilder b = new MessageBuilder().reset(Protocol.METHOD_CALL, 0, from.nextSerial())
                .destination(dest).path("/s").interfaceName("com.example.S").member("Bytes");
        var w = b.body("ay").beginArray("y");
        for (byte x : data) w.writeByte(x);
        w.endArray();
        return b.toBytes();
    }

    /** The bytes of an {@code ay} body. */
    static byte[] bytesOf(Received m) {
        assertEquals("ay", m.view.signature());
        int off = (int) m.view.bodyOffset() + 4;
        return Arrays.copyOfRange(m.bytes, off, off + (int) m.view.bodyLength() - 4);
    }
}
