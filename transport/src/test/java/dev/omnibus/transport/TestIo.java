package dev.omnibus.transport;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/** Test helpers: bounded polling reads/writes over non-blocking sockets, fd counting. */
final class TestIo {
    private TestIo() {}

    /** Reads exactly n bytes (or fails after 10 s); returns them. */
    static byte[] readFully(StreamSocket s, int n, FdList fds) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(1, n));
            long got = 0;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (got < n) {
                long r = s.read(buf, got, n - got, fds);
                if (r > 0) got += r;
                else if (r == -Errno.EAGAIN) pause(deadline);
                else fail("read returned " + r + " after " + got + " of " + n);
            }
            return buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        }
    }

    static void writeFully(StreamSocket s, byte[] data) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, data);
            long done = 0;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (done < data.length) {
                long r = s.write(buf, done, data.length - done);
                if (r > 0) done += r;
                else if (r == -Errno.EAGAIN) pause(deadline);
                else fail("write returned " + r);
            }
        }
    }

    static StreamSocket acceptWithin(Listener l) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            StreamSocket s = l.accept();
            if (s != null) return s;
            if (l.lastAcceptError() != 0) fail("accept failed: " + Errno.name(l.lastAcceptError()));
            pause(deadline);
        }
    }

    static void pause(long deadline) {
        if (System.nanoTime() > deadline) fail("timed out");
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    static int openFdCount() {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
