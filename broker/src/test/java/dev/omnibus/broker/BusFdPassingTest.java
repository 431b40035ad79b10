package dev.omnibus.broker;

import static dev.omnibus.broker.TestClient.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.omnibus.broker.TestClient.Received;
import dev.omnibus.transport.Posix;
import dev.omnibus.wire.MessageBuilder;
import dev.omnibus.wire.Protocol;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * File descriptors through the bus over real sockets: an fd in an 'h' argument arrives usable (the
 * same pipe) at the callee; fds queued behind a slow reader arrive with their own messages; and
 * every path that does not hand fds on (no receiver, an error, a receiver without fd support, a
 * reply nobody waits for, a policy denial) closes them, counted in /proc/self/fd.
 */
class BusFdPassingTest {

    @Test
    void pipeInAnHandleArgumentArrivesUsableAtTheCallee() throws IOException {
        try (InProcessBus bus = InProcessBus.start(); TestClient a = bus.clientWithFds(); TestClient b = bus.clientWithFds()) {
            int[] pipe = Posix.pipe();
            String inode = link(pipe[0]);
            long serial = a.nextSerial();
            MessageBuilder m = new MessageBuilder().reset(Protocol.METHOD_CALL, 0, serial).destination(b.uniqueName)
                    .path("/obj").interfaceName("com.example.Fd").member("Take").unixFds(1);
            m.body("hs").writeUnixFd(0).writeString("with a pipe");
            a.send(m.toBytes(), new int[] {pipe[0]});
            Posix.close(pipe[0]);
            assertEquals(5, Posix.write(pipe[1], "hello".getBytes(StandardCharsets.US_ASCII)));
            Posix.close(pipe[1]);

            Received call = b.read(TIMEOUT);
            assertNotNull(call);
            assertEquals(serial, call.serial());
            assertEquals(1, call.fds.length, "fds with the call");
            assertEquals(0, call.body().readUnixFd());
            assertEquals(inode, link(call.fds[0]), "a different file arrived");
            try (FileInputStream in = new FileInputStream("/proc/self/fd/" + call.fds[0])) {
                assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), in.readAllBytes());
            }
            call.closeFds();
        }
    }

    @Test
    void fdsQueuedBehindASlowReaderArriveWithTheirOwnMessages() throws IOException {
        int count = 300;
        try (InProcessBus bus = InProcessBus.start(); TestClient a = bus.clientWithFds(); TestClient slow = bus.clientWithFds()) {
            int[][] pipes = new int[4][];
            String[] inodes = new String[4];
            for (int k = 0; k < 4; k++) {
                pipes[k] = Posix.pipe();
                inodes[k] = link(pipes[k][0]);
            }
            int baseline = InProcessBus.openFds();
            for (int i = 0; i < count; i++) {
                long s = a.nextSerial();
                // Every third message carries no fd, so marks and plain runs alternate in the queue.
                boolean withFd = i % 3 != 0;
                MessageBuilder m = new MessageBuilder().reset(Protocol.SIGNAL, 0, s).destination(slow.uniqueName)
                        .path("/obj").interfaceName("com.example.Fd").member("Data");
                if (withFd) {
                    m.unixFds(1);
                    TestClient.writeArgs(m, "uhs", i, 0, BusOutputTest.payload(i, 8 * 1024));
                    a.send(m.toBytes(), new int[] {pipes[i % 4][0]});
                } else {
                    TestClient.writeArgs(m, "us", i, BusOutputTest.payload(i, 8 * 1024));
                    a.send(m.toBytes(), null);
                }
            }
            a.sync();
            assertTrue(bus.queuedBytes(slow.uniqueName) > 0, "expected the bus to hold a backlog");
            int[] next = {0};
            slow.drain(r -> {
                int i = next[0]++;
                assertEquals(i, r.body().readUint32());
                if (i % 3 != 0) {
                    assertEquals(1, r.fds.length, "message " + i);
                    assertEquals(inodes[i % 4], link(r.fds[0]), "message " + i + " got another message's fd");
                } else {
                    assertEquals(0, r.fds.length, "message " + i + " got an fd it did not carry");
                }
                r.closeFds();
            }, count, Duration.ofSeconds(10));
            int after = InProcessBus.awaitOpenFdsAtMost(baseline, TIMEOUT);
            assertTrue(after <= baseline, "open fds " + baseline + " -> " + after);
            for (int[] p : pipes) {
                Posix.close(p[0]);
                Posix.close(p[1]);
            }
        }
    }

    @Test
    void fdsOfMessagesNobodyReceivesAreClosed() {
        // Denies sends of member "Denied"; everything else as session.conf.
        long euid = Posix.geteuid();
        Policy denyOne = new Policy() {
            @Override public boolean allowUser(long uid, int[] groups) { return uid == euid; }
            @Override public PeerPolicy forPeer(long uid, int[] groups) { return DENY_MEMBER_DENIED; }
        };
        try (InProcessBus bus = InProcessBus.start(denyOne); TestClient a = bus.clientWithFds();
                TestClient noFds = bus.client(); TestClient c = bus.clientWithFds()) {
            int[] pipe = Posix.pipe();
            int[] fd = {pipe[0]};
            sendDropped(a, noFds, c, fd, 20); // warm up: the JVM may open files on first use
            int baseline = InProcessBus.openFds();
            int rounds = 400;
            List<String> errors = sendDropped(a, noFds, c, fd, rounds);
            int after = InProcessBus.awaitOpenFdsAtMost(baseline + 2, TIMEOUT);
            assertTrue(after <= baseline + 2, "open fds " + baseline + " -> " + after + " after " + rounds * 6 + " dropped fds");
            // Each round: ServiceUnknown, NotSupported, AccessDenied (the others are silent).
            assertEquals(rounds * 3, errors.size(), errors.size() + " errors");
            assertTrue(errors.containsAll(List.of(DBusErrors.SERVICE_UNKNOWN, DBusErrors.NOT_SUPPORTED, DBusErrors.ACCESS_DENIED)), errors.subList(0, 3).toString());
            assertTrue(a.pingBus(TIMEOUT) && noFds.pingBus(TIMEOUT) && c.pingBus(TIMEOUT));
            Posix.close(pipe[0]);
            Posix.close(pipe[1]);
        }
    }

    private static final PeerPolicy DENY_MEMBER_DENIED = new PeerPolicy() {
        @Override public boolean canOwn(String name) { return true; }
        @Override public boolean sendsAnything() { return false; }
        @Override public boolean receivesAnything() { return true; }
        @Override public String checkSend(PolicyCheck check) {
            return "Denied".equals(check.message().member()) ? "Rejected send message: test policy" : null;
        }
        @Override public String checkReceive(PolicyCheck check) { return null; }
    };

    /**
     * Per round, six messages with one fd each that no one may receive: a call to a missing name, the
     * same without reply, a broadcast nobody matches, a call to a peer without fd support, a reply
     * nobody waits for, a denied call. Returns the error names the sender got.
     */
    private static List<String> sendDropped(TestClient a, TestClient noFds, TestClient c, int[] fd, int rounds) {
        java.util.ArrayList<String> errors = new java.util.ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            send(a, Protocol.METHOD_CALL, 0, "com.example.Missing", "Take", fd);
            send(a, Protocol.METHOD_CALL, Protocol.FLAG_NO_REPLY_EXPECTED, "com.example.Missing", "Take", fd);
            send(a, Protocol.SIGNAL, 0, null, "Nobody", fd);
            send(a, Protocol.METHOD_CALL, 0, noFds.uniqueName, "Take", fd);
            long s = a.nextSerial();
            MessageBuilder reply = new MessageBuilder().reset(Protocol.METHOD_RETURN, 0, s).destination(c.uniqueName)
                    .replySerial(4242).unixFds(1);
            reply.body("h").writeUnixFd(0);
            a.send(reply.toBytes(), fd);
            send(a, Protocol.METHOD_CALL, 0, c.uniqueName, "Denied", fd);
            if (i % 50 == 49 || i == rounds - 1) {
                for (Received r : a.sync()) {
                    if (r.type() == Protocol.ERROR) errors.add(r.errorName());
                    r.closeFds();
                }
            }
        }
        for (TestClient other : new TestClient[] {noFds, c}) {
            List<Received> got = other.sync();
            for (Received r : got) r.closeFds();
            assertTrue(got.isEmpty(), other + " received " + got);
        }
        return errors;
    }

    private static void send(TestClient from, int type, int flags, String dest, String member, int[] fd) {
        long s = from.nextSerial();
        MessageBuilder m = new MessageBuilder().reset(type, flags, s).destination(dest).path("/obj")
                .interfaceName("com.example.Fd").member(member).unixFds(1);
        m.body("h").writeUnixFd(0);
        from.send(m.toBytes(), fd);
    }

    /** What /proc/self/fd/N points at ("pipe:[inode]"). */
    private static String link(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException e) {
            throw new AssertionError("fd " + fd + " is not open", e);
        }
    }
}
