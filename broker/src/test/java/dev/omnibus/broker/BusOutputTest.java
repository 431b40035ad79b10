package dev.omnibus.broker;

import static dev.omnibus.broker.TestClient.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.omnibus.broker.TestClient.Received;
import dev.omnibus.wire.BodyReader;
import dev.omnibus.wire.MessageBuilder;
import dev.omnibus.wire.Protocol;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The output path under pressure, over real sockets: a receiver that does not read while others
 * flood it, partial writes that must resume byte-exact, max_outgoing_bytes (an error to a caller, a
 * disconnect for a broadcast receiver), and the read budget that keeps one flooding peer from
 * starving the others.
 */
class BusOutputTest {
    private static final int PAYLOAD = 8 * 1024;

    @Test
    void slowReaderDoesNotStallOthersAndLaterGetsEveryByteInOrder() throws Exception {
        int count = 2000; // 16 MiB: far beyond the socket buffers, so the bus writes partially many times
        try (InProcessBus bus = InProcessBus.start();
                TestClient slow = bus.client(); TestClient flooder = bus.client();
                TestClient caller = bus.client(); TestClient echo = bus.client()) {
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread flood = Thread.ofPlatform().name("flooder").start(() -> {
                try {
                    for (int i = 0; i < count; i++) flooder.send(numbered(flooder, slow.uniqueName, i, PAYLOAD), null);
                    flooder.sync();
                } catch (Throwable t) {
                    failed.set(t);
                }
            });
            AtomicBoolean stop = new AtomicBoolean();
            Thread echoer = Thread.ofPlatform().name("echo").start(() -> echoCalls(echo, stop, failed));

            // Wait until the bus holds a good part of the flood for the slow reader.
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            long queued = 0;
            while (queued < 4 << 20 && System.nanoTime() < deadline) {
                queued = bus.queuedBytes(slow.uniqueName);
                Thread.sleep(2);
            }
            assertTrue(queued >= 4 << 20, "the bus never queued much for the slow reader: " + queued);

            long worst = 0;
            for (int i = 0; i < 100; i++) {
                long t0 = System.nanoTime();
                long serial = caller.call(echo.uniqueName, "/echo", "com.example.Echo", "Echo", "u", i);
                Received r = caller.readReplyTo(serial, TIMEOUT);
                assertNotNull(r, "ping-pong " + i + " did not complete while another client was flooded");
                assertEquals(i, r.body().readUint32());
                worst = Math.max(worst, System.nanoTime() - t0);
            }
            assertTrue(worst < 1_000_000_000L, "worst ping-pong round trip " + worst / 1_000_000 + " ms");
            stop.set(true);

            long[] next = {0};
            slow.drain(m -> {
                BodyReader br = m.body();
                long index = br.readUint32();
                assertEquals(next[0], index, "messages out of order");
                assertEquals(flooder.uniqueName, m.sender());
                assertEquals(payload((int) index, PAYLOAD), br.readString(), "payload of message " + index);
                next[0]++;
            }, count, Duration.ofSeconds(20));
            flood.join(10_000);
            echoer.join(5_000);
            if (failed.get() != null) throw new AssertionError("helper thread failed", failed.get());
            assertTrue(slow.sync().isEmpty(), "nothing beyond the flood");
            assertEquals(0L, bus.queuedBytes(slow.uniqueName));
            System.out.printf("slow reader: %d x %d B drained in order; worst other round trip %.2f ms%n",
                    count, PAYLOAD, worst / 1e6);
        }
    }

    @Test
    void idleConnectionsHoldNoBuffersAndPartialFramesSurviveBetweenReads() throws Exception {
        try (InProcessBus bus = InProcessBus.start(); TestClient a = bus.client(); TestClient b = bus.client()) {
            a.pingBus(TIMEOUT);
            b.pingBus(TIMEOUT);
            assertEquals(0L, bus.bufferCapacities(a.uniqueName)[0], "idle input buffer");
            assertEquals(0L, bus.bufferCapacities(a.uniqueName)[1], "idle output buffer");
            // Half a message: the bus must keep the partial frame in a's own buffer between reads.
            MessageBuilder m = new MessageBuilder().reset(Protocol.METHOD_CALL, 0, a.nextSerial())
                    .path("/p").interfaceName("com.example.I").member("Split").destination(b.uniqueName);
            m.body("s").writeString("y".repeat(3000));
            byte[] bytes = m.toBytes();
            a.sendRaw(Arrays.copyOf(bytes, 1000));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (bus.bufferCapacities(a.uniqueName)[0] == 0 && System.nanoTime() < deadline) Thread.sleep(5);
            assertTrue(bus.bufferCapacities(a.uniqueName)[0] > 0, "the partial frame went nowhere");
            a.sendRaw(Arrays.copyOfRange(bytes, 1000, bytes.length));
            Received r = b.readUntil(x -> "Split".equals(x.member()), TIMEOUT);
            assertNotNull(r, "split message not delivered");
            assertEquals("y".repeat(3000), r.body().readString());
            assertTrue(a.pingBus(TIMEOUT));
            assertEquals(0L, bus.bufferCapacities(a.uniqueName)[0], "input buffer given back once empty");
        }
    }

    @Test
    void largeBuffersAreKeptWhileBusyAndGivenBackOnceIdle() throws Exception {
        try (InProcessBus bus = InProcessBus.start(); TestClient a = bus.client(); TestClient b = bus.client()) {
            String big = "x".repeat(1 << 20);
            long t0 = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                a.call(b.uniqueName, "/big", "com.example.Big", "Take", "s", big);
                Received r = b.readUntil(m -> "Take".equals(m.member()), TIMEOUT);
                assertNotNull(r, "large message " + i + " not delivered");
                assertEquals(big, r.body().readString());
            }
            long[] senderCaps = bus.bufferCapacities(a.uniqueName), receiverCaps = bus.bufferCapacities(b.uniqueName);
            if (System.nanoTime() - t0 < Bus.BUFFER_SWEEP_NANOS / 2) {
                // Drained, but not given back on every drain: the next large message reuses the block.
                assertTrue(senderCaps[0] > 1 << 20, "sender's input buffer " + senderCaps[0]);
                assertTrue(receiverCaps[1] > 1 << 20, "receiver's output buffer " + receiverCaps[1]);
            }
            long deadline = System.nanoTime() + Bus.BUFFER_SWEEP_NANOS * 3;
            while ((senderCaps[0] > NativeBuffer.IDLE_KEEP || receiverCaps[1] > NativeBuffer.IDLE_KEEP)
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
                senderCaps = bus.bufferCapacities(a.uniqueName);
                receiverCaps = bus.bufferCapacities(b.uniqueName);
            }
            assertTrue(senderCaps[0] <= NativeBuffer.IDLE_KEEP, "sender's idle input buffer kept " + senderCaps[0]);
            assertTrue(receiverCaps[1] <= NativeBuffer.IDLE_KEEP, "receiver's idle output buffer kept " + receiverCaps[1]);
            // Both still work after the shrink.
            a.call(b.uniqueName, "/big", "com.example.Big", "Take", "s", big);
            Received r = b.readUntil(m -> "Take".equals(m.member()), TIMEOUT);
            assertNotNull(r);
            assertEquals(big, r.body().readString());
        }
    }

    @Test
    void callerGetsLimitsExceededWhenTheCalleeQueueIsFull() {
        long limit = 256 * 1024;
        try (InProcessBus bus = InProcessBus.start(BusLimits.session().with(Limit.MAX_OUTGOING_BYTES, limit));
                TestClient slow = bus.client(); TestClient caller = bus.client()) {
            Received error = null;
            int sent = 0;
            long firstSerial = 0;
            while (error == null && sent < 4000) { // 4000 x 16 KiB = 64 MiB: never reached if the limit works
                long serial = caller.call(slow.uniqueName, "/obj", "com.example.Big", "Take", "us", sent, payload(sent, 16 * 1024));
                if (firstSerial == 0) firstSerial = serial;
                sent++;
                error = caller.read(Duration.ZERO);
            }
            if (error == null) error = caller.read(TIMEOUT);
            assertNotNull(error, "no error after " + sent + " calls to a peer that does not read");
            assertTrue(error.isError(DBusErrors.LIMITS_EXCEEDED), error.toString());
            assertTrue(error.replySerial() >= firstSerial && error.replySerial() < firstSerial + sent);
            long pending = bus.queuedBytes(slow.uniqueName);
            assertTrue(pending <= limit, "queued " + pending + " bytes over a limit of " + limit);

            // The callee was not punished: it drains, then answers the bus, then gets new calls.
            assertTrue(slow.pingBus(TIMEOUT), "the slow callee was disconnected");
            long serial = caller.call(slow.uniqueName, "/obj", "com.example.Big", "Take", "us", 0, "small");
            Received call = slow.readUntil(m -> m.serial() == serial && m.type() == Protocol.METHOD_CALL, TIMEOUT);
            assertNotNull(call, "calls after draining do not arrive");
            assertTrue(caller.pingBus(TIMEOUT));
        }
    }

    @Test
    void broadcastReceiverThatCannotKeepUpIsDisconnected() {
        long limit = 256 * 1024;
        try (InProcessBus bus = InProcessBus.start(BusLimits.session().with(Limit.MAX_OUTGOING_BYTES, limit));
                TestClient watcher = bus.client(); TestClient slow = bus.client(); TestClient emitter = bus.client()) {
            watcher.addMatch("type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged',arg0='" + slow.uniqueName + "'");
            slow.addMatch("type='signal',interface='com.example.Flood'");
            for (int i = 0; i < 200; i++) { // 200 x 16 KiB: well over the limit plus the socket buffers
                long s = emitter.nextSerial();
                MessageBuilder m = new MessageBuilder().reset(Protocol.SIGNAL, 0, s).path("/flood")
                        .interfaceName("com.example.Flood").member("Data");
                TestClient.writeArgs(m, "us", i, payload(i, 16 * 1024));
                emitter.send(m, s);
            }
            assertTrue(emitter.sync().isEmpty(), "the emitter is told nothing");
            assertTrue(slow.awaitDisconnect(TIMEOUT), "the receiver that fell behind is still connected");
            List<Received> gone = watcher.sync();
            assertEquals(List.of(List.of(slow.uniqueName, slow.uniqueName, "")), gone.stream().map(Received::strings).toList());
            assertTrue(emitter.pingBus(TIMEOUT));
            assertEquals(2, bus.connections());
        }
    }

    @Test
    void floodingPeerDoesNotStarveAnother() throws Exception {
        try (InProcessBus bus = InProcessBus.start();
                TestClient flooder = bus.client(); TestClient sink = bus.client(); TestClient other = bus.client()) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong floodBytes = new AtomicLong();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread flood = Thread.ofPlatform().name("flooder").start(() -> {
                try {
                    String body = payload(0, 1024);
                    while (!stop.get()) {
                        long s = flooder.nextSerial();
                        MessageBuilder m = new MessageBuilder().reset(Protocol.METHOD_CALL, Protocol.FLAG_NO_REPLY_EXPECTED, s)
                                .destination(sink.uniqueName).path("/sink").interfaceName("com.example.Sink").member("Eat");
                        TestClient.writeArgs(m, "s", body);
                        byte[] bytes = m.toBytes();
                        if (!flooder.trySend(bytes, null, Duration.ofMillis(200))) continue;
                        floodBytes.addAndGet(bytes.length);
                    }
                } catch (Throwable t) {
                    failed.set(t);
                }
            });
            Thread drain = Thread.ofPlatform().name("sink").start(() -> {
                while (!stop.get()) sink.read(Duration.ofMillis(50));
            });
            while (floodBytes.get() < 8 << 20) Thread.sleep(1);

            long before = floodBytes.get();
            long[] latency = new long[300];
            for (int i = 0; i < latency.length; i++) {
                long t0 = System.nanoTime();
                assertTrue(other.pingBus(TIMEOUT), "call " + i + " starved");
                latency[i] = System.nanoTime() - t0;
            }
            long during = floodBytes.get() - before;
            stop.set(true);
            flood.join(5_000);
            drain.join(5_000);
            if (failed.get() != null) throw new AssertionError("flooder failed", failed.get());

            Arrays.sort(latency);
            long p50 = latency[latency.length / 2], p99 = latency[latency.length * 99 / 100], max = latency[latency.length - 1];
            System.out.printf("fairness: other peer's round trip p50 %.3f ms, p99 %.3f ms, max %.3f ms while %d MiB flooded%n",
                    p50 / 1e6, p99 / 1e6, max / 1e6, during >> 20);
            assertTrue(during > 1 << 20, "the flood was not running during the measurement: " + during + " bytes");
            assertTrue(max < 500_000_000L, "a call waited " + max / 1_000_000 + " ms behind a flood");
        }
    }

    /** Echoes every method call's body back as the reply until {@code stop}. */
    private static void echoCalls(TestClient echo, AtomicBoolean stop, AtomicReference<Throwable> failed) {
        try {
            while (!stop.get()) {
                Received call = echo.read(Duration.ofMillis(50));
                if (call == null || call.type() != Protocol.METHOD_CALL) continue;
                long s = echo.nextSerial();
                MessageBuilder reply = new MessageBuilder().reset(Protocol.METHOD_RETURN, 0, s)
                        .destination(call.sender()).replySerial(call.serial());
                reply.body("u").writeUint32(call.body().readUint32());
                echo.send(reply, s);
            }
        } catch (Throwable t) {
            failed.set(t);
        }
    }

    /** A unicast signal to {@code dest} carrying its index and a payload derived from it. */
    static byte[] numbered(TestClient from, String dest, int index, int size) {
        long s = from.nextSerial();
        MessageBuilder m = new MessageBuilder().reset(Protocol.SIGNAL, 0, s).destination(dest).path("/flood")
                .interfaceName("com.example.Flood").member("Data");
        TestClient.writeArgs(m, "us", index, payload(index, size));
        return m.toBytes();
    }

    /** {@code size} ASCII letters that differ per index, so a misplaced or torn byte shows. */
    static String payload(int index, int size) {
        char[] c = new char[size];
        for (int j = 0; j < size; j++) c[j] = (char) ('a' + (index * 7 + j) % 26);
        return new String(c);
    }
}
