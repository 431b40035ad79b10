package dev.omnibus.broker;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A growable off-heap byte buffer holding a window {@code [start, end)} of live bytes, for one
 * connection's input or output. Native memory so that recvmsg/sendmsg read and write it directly.
 * Each block has its own confined arena so that growing frees the old block at once.
 *
 * <p>Bus thread only.
 */
final class NativeBuffer implements AutoCloseable {
    private Arena arena;
    private MemorySegment segment;
    long start;
    long end;

    NativeBuffer(long initialCapacity) {
        arena = Arena.ofConfined();
        segment = arena.allocate(initialCapacity, 8);
    }

    MemorySegment segment() { return segment; }
    long capacity() { return segment.byteSize(); }
    long size() { return end - start; }
    long free() { return segment.byteSize() - end; }

    /**
     * Makes room for {@code n} more bytes after {@code end}: first by moving the live window to the
     * front, then by growing (doubling) the block. Offsets of live bytes change: callers re-read
     * {@link #start}/{@link #end} afterwards.
     */
    void ensureFree(long n) {
        if (free() >= n) return;
        long live = size();
        if (start > 0 && segment.byteSize() - live >= n && start >= live) {
            MemorySegment.copy(segment, start, segment, 0, live);
            start = 0;
            end = live;
            return;
        }
        long need = live + n;
        long cap = Math.max(segment.byteSize(), 64);
        while (cap < need) cap <<= 1;
        if (cap == segment.byteSize() && start > 0) {
            MemorySegment.copy(segment, start, segment, 0, live);
        } else {
            Arena next = Arena.ofConfined();
            MemorySegment grown = next.allocate(cap, 8);
            MemorySegment.copy(segment, start, grown, 0, live);
            arena.close();
            arena = next;
            segment = grown;
        }
        start = 0;
        end = live;
    }

    /** Drops consumed bytes; an empty buffer rewinds to offset 0 for free. */
    void consume(long n) {
        start += n;
        if (start == end) {
            start = 0;
            end = 0;
        }
    }

    /** Gives large blocks back once they are empty, so an idle connection holds little memory. */
    void shrinkIfIdle(long idleCapacity) {
        if (start == end && segment.byteSize() > idleCapacity) {
            arena.close();
            arena = Arena.ofConfined();
            segment = arena.allocate(idleCapacity, 8);
            start = 0;
            end = 0;
        }
    }

    @Override
    public void close() {
        if (arena != null) {
            arena.close();
            arena = null;
            segment = MemorySegment.NULL;
        }
    }
}
