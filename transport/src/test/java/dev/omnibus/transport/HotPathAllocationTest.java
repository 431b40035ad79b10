package dev.omnibus.transport;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-message socket path (gather write with fds, read with fds, fd close) allocates nothing. */
class HotPathAllocationTest {

    @Test
    void writeAndReadWithFdsAllocateNothingOnceWarm() throws Exception {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        StreamSocket[] p = StreamSocket.pair();
        int[] pipe = Posix.pipe();
        try (Arena a = Arena.ofConfined(); IoVecs iov = new IoVecs(2)) {
            MemorySegment head = a.allocate(16);
            MemorySegment body = a.allocate(48);
            MemorySegment in = a.allocate(64);
            FdList fds = new FdList();
            int[] send = {pipe[1]};
            long tid = Thread.currentThread().threadId();
            long allocated = 0;
            for (int round = 0; round < 2; round++) { // round 0 warms up the JIT
                long before = mx.getThreadAllocatedBytes(tid);
                for (int i = 0; i < 50_000; i++) {
                    iov.clear();
                    iov.add(head, 0, 16);
                    iov.add(body, 0, 48);
                    assertEquals(64, p[0].write(iov, send, 1));
                    assertEquals(64, p[1].read(in, 0, 64, fds));
                    assertEquals(1, fds.size());
                    fds.closeAll();
                }
                allocated = mx.getThreadAllocatedBytes(tid) - before;
            }
            assertTrue(allocated < 1024, "allocated " + allocated + " bytes in 50000 round trips");
        } finally {
            Posix.close(pipe[0]);
            Posix.close(pipe[1]);
            p[0].close();
            p[1].close();
        }
    }
}
