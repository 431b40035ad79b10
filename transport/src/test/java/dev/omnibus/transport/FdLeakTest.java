package dev.omnibus.transport;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Thousands of connections through a real loop-driven server, each passing fds that the server
 * drops, some provoking MSG_CTRUNC and some hanging up with fds still queued: afterwards the
 * process has exactly the fds it started with.
 */
class FdLeakTest {
    @TempDir Path dir;

    private static final int CONNECTIONS = 3000;

    @Test
    void thousandsOfConnectionsWithPassedAndDroppedFdsLeakNothing() throws Exception {
        int before = TestIo.openFdCount();
        int[] pipe = Posix.pipe();
        AtomicInteger truncated = new AtomicInteger();
        AtomicInteger fdsDropped = new AtomicInteger();
        Path path = dir.resolve("leak");
        EventLoop loop = new EventLoop();
        Listener listener = Listeners.unixPath(path);
        int[] accepted = {0};
        loop.register(listener.fd(), EventLoop.READABLE, ev -> {
            StreamSocket s;
            while ((s = listener.accept()) != null) {
                StreamSocket sock = s;
                if (accepted[0]++ % 10 == 9) sock.limitReceiveControl(Native.cmsgSpace(4)); // room for 1 of 3 fds
                MemorySegment buf = Arena.ofAuto().allocate(64);
                FdList fds = new FdList();
                loop.register(sock.fd(), EventLoop.READABLE, e -> {
                    while (true) {
                        long n = sock.read(buf, 0, 64, fds);
                        if (n > 0) {
                            fdsDropped.addAndGet(fds.size());
                            fds.closeAll(); // dropped, as the bus does for a message it cannot deliver
                            sock.write(buf, 0, n);
                            continue;
                        }
                        if (n == -Errno.EAGAIN) return;
                        if (n == StreamSocket.FDS_TRUNCATED) truncated.incrementAndGet();
                        loop.unregister(sock.fd());
                        sock.close();
                        return;
                    }
                });
            }
        });
        Thread server = Thread.ofPlatform().start(loop::run);
        try (Arena a = Arena.ofConfined(); IoVecs iov = new IoVecs(1)) {
            MemorySegment ping = a.allocateFrom("ping");
            int[] send = {pipe[0], pipe[1], pipe[1]};
            for (int i = 0; i < CONNECTIONS; i++) {
                try (StreamSocket c = StreamSocket.connectUnix(path)) {
                    iov.clear();
                    iov.add(ping, 0, 4);
                    assertEquals(4, c.write(iov, send, 3));
                    if (i % 10 == 9) {
                        // server sees MSG_CTRUNC and hangs up
                        long r;
                        long deadline = System.nanoTime() + 10_000_000_000L;
                        while ((r = c.read(a.allocate(8), 0, 8, new FdList())) == -Errno.EAGAIN) TestIo.pause(deadline);
                        assertTrue(r == 0 || r == -Errno.ECONNRESET, "got " + r);
                    } else if (i % 10 == 4) {
                        // hang up at once: the fds may still sit unread in the server's queue
                    } else {
                        assertEquals("ping", new String(TestIo.readFully(c, 4, new FdList())));
                    }
                }
            }
        } finally {
            loop.execute(loop::stop);
            server.join(10_000);
            listener.close();
            loop.close();
            Posix.close(pipe[0]);
            Posix.close(pipe[1]);
        }
        assertEquals(CONNECTIONS / 10, truncated.get());
        assertTrue(fdsDropped.get() >= 3 * (CONNECTIONS * 8 / 10), "fds passed and dropped: " + fdsDropped.get());
        // closes triggered by hang-ups may still be in flight for a moment: give them time
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (TestIo.openFdCount() != before && System.nanoTime() < deadline) Thread.sleep(10);
        assertEquals(before, TestIo.openFdCount());
    }
}
