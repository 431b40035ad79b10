package dev.omnibus.transport;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamSocketTest {

    @Test
    void gatherWriteArrivesAsOneStreamInOrder() throws Exception {
        StreamSocket[] p = StreamSocket.pair();
        try (Arena a = Arena.ofConfined(); IoVecs iov = new IoVecs(4)) {
            iov.add(a.allocateFrom("hello "), 0, 6);
            MemorySegment big = a.allocateFrom("-big world!-");
            iov.add(big, 1, 10);
            assertEquals(2, iov.count());
            assertEquals(16, p[0].write(iov, null, 0));
            assertTrue(iov.isEmpty());
            FdList fds = new FdList();
            assertEquals("hello big world!", new String(TestIo.readFully(p[1], 16, fds), StandardCharsets.UTF_8));
            assertEquals(0, fds.size());
            MemorySegment buf = a.allocate(8);
            assertEquals(-Errno.EAGAIN, p[1].read(buf, 0, 8, fds));
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void passedPipeFdArrivesUsable() throws Exception {
        StreamSocket[] p = StreamSocket.pair();
        int[] pipe = Posix.pipe();
        try (Arena a = Arena.ofConfined(); IoVecs iov = new IoVecs(1)) {
            iov.add(a.allocateFrom("x"), 0, 1);
            assertEquals(1, p[0].write(iov, new int[] {pipe[1]}, 1));
            Posix.close(pipe[1]); // the sender's copy; the receiver's copy keeps the pipe open
            FdList fds = new FdList();
            TestIo.readFully(p[1], 1, fds);
            assertEquals(1, fds.size());
            int received = fds.take(0);
            assertTrue(received >= 0);
            MemorySegment msg = a.allocateFrom("through the passed fd");
            assertEquals(msg.byteSize(), Native.write(received, msg, msg.byteSize()));
            Posix.close(received);
            MemorySegment in = a.allocate(64);
            long n = Native.read(pipe[0], in, 64);
            assertEquals("through the passed fd", new String(in.asSlice(0, n - 1).toArray(JAVA_BYTE), StandardCharsets.UTF_8));
            assertEquals(0, Native.read(pipe[0], in, 64), "EOF: every write end is closed, none leaked");
            fds.closeAll();
        } finally {
            Posix.close(pipe[0]);
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void truncatedControlDataClosesArrivedFdsAndReportsCode() throws Exception {
        StreamSocket[] p = StreamSocket.pair();
        int[] pipe = Posix.pipe();
        try (Arena a = Arena.ofConfined(); IoVecs iov = new IoVecs(1)) {
            int before = TestIo.openFdCount();
            int[] send = new int[10];
            Arrays.fill(send, pipe[1]);
            iov.add(a.allocateFrom("abc"), 0, 3);
            assertEquals(3, p[0].write(iov, send, 10));
            p[1].limitReceiveControl(Native.cmsgSpace(4 * 3));
            FdList fds = new FdList();
            MemorySegment buf = a.allocate(16);
            assertEquals(StreamSocket.FDS_TRUNCATED, p[1].read(buf, 0, 16, fds));
            assertEquals(0, fds.size());
            assertEquals(before, TestIo.openFdCount(), "the 3 fds that did arrive were closed");
        } finally {
            Posix.close(pipe[0]);
            Posix.close(pipe[1]);
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void peerClosingMidMessageGivesEofAsReturnCode() throws Exception {
        StreamSocket[] p = StreamSocket.pair();
        TestIo.writeFully(p[0], "half a mess".getBytes(StandardCharsets.UTF_8));
        p[0].close();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(100);
            FdList fds = new FdList();
            assertEquals(11, p[1].read(buf, 0, 100, fds));
            assertEquals(0, p[1].read(buf, 0, 100, fds));
            assertEquals(-Errno.EPIPE, p[1].write(buf, 0, 1), "writing to a gone peer is EPIPE, not SIGPIPE");
        } finally {
            p[1].close();
        }
    }

    @Test
    void peerClosingWithUnreadDataGivesConnectionReset() throws Exception {
        StreamSocket[] p = StreamSocket.pair();
        TestIo.writeFully(p[0], new byte[100]);
        p[1].close(); // 100 bytes never read
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(16);
            assertEquals(-Errno.ECONNRESET, p[0].read(buf, 0, 16, new FdList()));
        } finally {
            p[0].close();
        }
    }

    @Test
    void partialWriteResumesOnWritableAndAllBytesArriveInOrder() throws Exception {
        StreamSocket[] p = StreamSocket.pair();
        int total = 8 << 20; // far more than the socket buffers hold
        try (Arena a = Arena.ofShared(); EventLoop loop = new EventLoop(); IoVecs iov = new IoVecs(3)) {
            MemorySegment src = a.allocate(total);
            for (int i = 0; i < total; i++) src.set(JAVA_BYTE, i, (byte) (i * 31 + (i >>> 8)));
            iov.add(src, 0, total / 3);
            iov.add(src, total / 3, total / 3);
            iov.add(src, 2L * (total / 3), total - 2L * (total / 3));
            long first = p[0].write(iov, null, 0);
            assertTrue(first > 0 && first < total, "kernel took only part: " + first);
            assertEquals(-Errno.EAGAIN, p[0].write(iov, null, 0));
            int[] writableEvents = {0};
            CountDownLatch written = new CountDownLatch(1);
            p[0].setBlocking(false);
            loop.register(p[0].fd(), EventLoop.WRITABLE, ev -> {
                if ((ev & EventLoop.WRITABLE) != 0) writableEvents[0]++;
                long r;
                while ((r = p[0].write(iov, null, 0)) > 0) { /* keep writing until EAGAIN or done */ }
                if (iov.isEmpty()) {
                    loop.unregister(p[0].fd());
                    written.countDown();
                    loop.stop();
                } else if (r != -Errno.EAGAIN) {
                    throw new AssertionError("write " + r);
                }
            });
            AtomicReference<byte[]> got = new AtomicReference<>();
            Thread reader = Thread.ofPlatform().start(() -> got.set(TestIo.readFully(p[1], total, new FdList())));
            loop.run();
            reader.join(20_000);
            assertTrue(writableEvents[0] > 0, "resumed on EPOLLOUT");
            assertNotNull(got.get());
            assertArrayEquals(src.toArray(JAVA_BYTE), got.get());
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void peerCredentialsOfAChildProcessMatchProcStatus() throws Exception {
        String name = "omnibus-test-cred-" + ProcessHandle.current().pid();
        try (Listener l = Listeners.unixAbstract(name)) {
            // The child drops to uid/gid 65534 with three extra groups when it can (root), so uid,
            // gid and groups differ from ours; then connects and waits for stdin to close.
            Process child = connectingChild(name, """
                    if os.getuid() == 0:
                        os.setgroups([4, 24, 27]); os.setgid(65534); os.setuid(65534)
                    """);
            try (StreamSocket s = TestIo.acceptWithin(l)) {
                TestIo.readFully(s, 1, new FdList());
                PeerCredentials c = s.peerCredentials();
                String status = Files.readString(Path.of("/proc/" + child.pid() + "/status"));
                assertEquals(child.pid(), c.pid());
                assertEquals(field(status, "Uid:")[0], c.uid());
                assertEquals(field(status, "Gid:")[0], c.gid());
                int[] groups = c.groups().clone();
                int[] expected = field(status, "Groups:");
                Arrays.sort(groups);
                Arrays.sort(expected);
                assertArrayEquals(expected, groups);
                int pidfd = s.peerPidfd();
                assertTrue(pidfd >= 0, "kernel >= 6.5 has SO_PEERPIDFD");
                assertEquals(pidfd, s.peerPidfd(), "created once");
                assertTrue(Files.exists(Path.of("/proc/self/fd/" + pidfd)));
                assertEquals("Pid:\t" + child.pid(), Files.readString(Path.of("/proc/self/fdinfo/" + pidfd)).lines()
                        .filter(line -> line.startsWith("Pid:")).findFirst().orElseThrow(), "the pidfd is the peer's");
                // The kernel creates pidfds close-on-exec (O_CLOEXEC = 02000000 in fdinfo's octal
                // flags), so no fcntl is needed per connection.
                String info = Files.readString(Path.of("/proc/self/fdinfo/" + pidfd));
                long flags = Long.parseLong(info.lines().filter(line -> line.startsWith("flags:")).findFirst()
                        .orElseThrow().substring(6).trim(), 8);
                assertTrue((flags & 02000000) != 0, info);
                if (Native.getuid() == 0) assertEquals(65534, c.uid());
            } finally {
                child.getOutputStream().close();
                child.waitFor();
            }
        }
    }

    @Test
    void peerGroupsBeyondTheSocketsScratchAreReadInFull() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Native.getuid() == 0, "setgroups needs root");
        String name = "omnibus-test-groups-" + ProcessHandle.current().pid();
        try (Listener l = Listeners.unixAbstract(name)) {
            // 100 supplementary groups: more than the 64 the socket's own scratch holds (ERANGE path).
            Process child = connectingChild(name,
                    "os.setgroups(list(range(1000, 1100))); os.setgid(65534); os.setuid(65534)\n");
            try (StreamSocket s = TestIo.acceptWithin(l)) {
                TestIo.readFully(s, 1, new FdList());
                PeerCredentials c = s.peerCredentials();
                int[] groups = c.groups().clone();
                Arrays.sort(groups);
                assertArrayEquals(java.util.stream.IntStream.range(1000, 1100).toArray(), groups);
                assertEquals(65534, c.uid());
                assertEquals(child.pid(), c.pid());
            } finally {
                child.getOutputStream().close();
                child.waitFor();
            }
        }
    }

    /**
     * A python child that runs {@code prelude} (top-level statements; os, socket and sys are
     * imported), connects to the abstract socket {@code name}, sends one byte and waits for its
     * stdin to close.
     */
    private static Process connectingChild(String name, String prelude) throws java.io.IOException {
        String py = "import os, socket, sys\n" + prelude
                + "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
                + "s.connect('\\0" + name + "')\n"
                + "s.sendall(b'k')\n"
                + "sys.stdin.read()\n";
        return new ProcessBuilder("/usr/bin/python3", "-c", py).redirectErrorStream(true).start();
    }

    private static int[] field(String status, String key) {
        for (String line : status.split("\n")) {
            if (line.startsWith(key)) {
                String v = line.substring(key.length()).trim();
                return v.isEmpty() ? new int[0] : Arrays.stream(v.split("\\s+")).mapToInt(Integer::parseInt).toArray();
            }
        }
        throw new AssertionError(key + " missing");
    }

    @Test
    void tcpPeerHasNoCredentials() throws Exception {
        var ls = Listeners.tcp("127.0.0.1", null, 0, "ipv4");
        try (Listener l = ls.getFirst(); StreamSocket c = StreamSocket.connectTcp("127.0.0.1", l.address().port());
             StreamSocket s = TestIo.acceptWithin(l)) {
            assertEquals(PeerCredentials.UNKNOWN, s.peerCredentials());
            assertTrue(!s.isUnix());
            TestIo.writeFully(c, "ping".getBytes(StandardCharsets.UTF_8));
            assertEquals("ping", new String(TestIo.readFully(s, 4, new FdList()), StandardCharsets.UTF_8));
        }
    }

    @Test
    void closeIsIdempotentAndLaterCallsReturnEbadf() throws Exception {
        StreamSocket[] p = StreamSocket.pair();
        p[0].close();
        p[0].close();
        try (Arena a = Arena.ofConfined()) {
            assertEquals(-Errno.EBADF, p[0].read(a.allocate(4), 0, 4, new FdList()));
        }
        assertNull(p[1].isClosed() ? "closed" : null);
        p[1].close();
    }
}
