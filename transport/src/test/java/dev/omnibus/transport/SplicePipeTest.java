package dev.omnibus.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Bytes through a {@link SplicePipe} between real AF_UNIX sockets: byte-exact, counted, and fd-neutral. */
class SplicePipeTest {

    @Test
    void bytesGoFromOneSocketToAnotherThroughThePipe() throws Exception {
        StreamSocket[] in = StreamSocket.pair();
        StreamSocket[] out = StreamSocket.pair();
        int fdsBefore = TestIo.openFdCount();
        try (SplicePipe pipe = SplicePipe.open(1 << 20); Arena a = Arena.ofConfined()) {
            assertNotNull(pipe, "a 1 MiB pipe");
            byte[] head = "stitched header|".getBytes();
            byte[] body = new byte[150_000];
            new Random(5).nextBytes(body);
            MemorySegment h = a.allocate(head.length);
            MemorySegment.copy(head, 0, h, ValueLayout.JAVA_BYTE, 0, head.length);
            assertEquals(head.length, pipe.fillFrom(h, 0, head.length));

            Thread writer = Thread.ofPlatform().start(() -> TestIo.writeFully(in[0], body));
            long moved = 0;
            long deadline = System.nanoTime() + 10_000_000_000L;
            int stalls = 0;
            while (moved < body.length && System.nanoTime() < deadline) {
                long n = pipe.fillFrom(in[1], body.length - moved);
                if (n > 0) {
                    moved += n;
                    stalls = 0;
                } else {
                    assertEquals(-Errno.EAGAIN, n);
                    // Bytes may arrive between the splice and FIONREAD; a full pipe would stall for good.
                    if (in[1].pendingInput() > 0) assertTrue(++stalls < 1000, "the 1 MiB pipe filled up");
                    Thread.onSpinWait();
                }
            }
            writer.join();
            assertEquals(body.length, moved);
            assertEquals(head.length + body.length, pipe.held());
            assertEquals(-Errno.EAGAIN, pipe.fillFrom(in[1], 1), "the socket is empty");

            byte[] expected = new byte[head.length + body.length];
            System.arraycopy(head, 0, expected, 0, head.length);
            System.arraycopy(body, 0, expected, head.length, body.length);
            Thread reader = Thread.ofPlatform().start(() ->
                    assertArrayEquals(expected, TestIo.readFully(out[1], expected.length, new FdList())));
            while (pipe.held() > 0) {
                long n = pipe.drainTo(out[0], pipe.held());
                assertTrue(n > 0 || n == -Errno.EAGAIN, "drain: " + n);
                if (n < 0) Thread.onSpinWait();
            }
            reader.join();
            assertEquals(0, pipe.held());
        } finally {
            for (StreamSocket s : in) s.close();
            for (StreamSocket s : out) s.close();
        }
        assertTrue(TestIo.openFdCount() <= fdsBefore - 4, "the pipe's fds and the sockets are closed");
    }

    @Test
    void heldBytesCanBeReadBackAndAClosedPeerIsAnError() throws Exception {
        StreamSocket[] in = StreamSocket.pair();
        StreamSocket[] out = StreamSocket.pair();
        try (SplicePipe pipe = SplicePipe.open(1 << 20); Arena a = Arena.ofConfined()) {
            byte[] data = new byte[70_000];
            new Random(6).nextBytes(data);
            TestIo.writeFully(in[0], data);
            long moved = 0;
            while (moved < data.length) moved += pipe.fillFrom(in[1], data.length - moved);
            MemorySegment back = a.allocate(data.length);
            long got = 0;
            while (got < data.length) got += pipe.readInto(back, got, data.length - got);
            assertArrayEquals(data, back.toArray(ValueLayout.JAVA_BYTE));
            assertEquals(0, pipe.held());

            TestIo.writeFully(in[0], data);
            moved = 0;
            while (moved < data.length) moved += pipe.fillFrom(in[1], data.length - moved);
            out[1].close();
            long n = pipe.drainTo(out[0], pipe.held());
            assertEquals(-Errno.EPIPE, n, "splicing to a socket whose peer is gone fails (and SIGPIPE is ignored)");
            in[0].close();
            assertEquals(0, pipe.fillFrom(in[1], 10), "end of stream");
        } finally {
            in[1].close();
            out[0].close();
        }
    }
}
