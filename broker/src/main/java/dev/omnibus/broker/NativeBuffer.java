package dev.omnibus.broker;

import dev.omnibus.transport.NativeMemory;
import java.lang.foreign.MemorySegment;

/**
 * A growable off-heap byte buffer holding a window {@code [start, end)} of live bytes, for one
 * connection's input or output. Native memory so that recvmsg/sendmsg read and write it directly;
 * from malloc (see {@link NativeMemory}): not zero-filled, so an idle connection's buffers cost only
 * the pages it touched, growth is a realloc, and accesses carry no arena checks.
 *
 * <p>Bus thread only; {@link #close()} exactly once, after which the buffer must not be used.
 */
final class NativeBuffer implements AutoCloseable {
    /** Capacity kept by an idle buffer: larger blocks are given back once empty. */
    private static final long IDLE_KEEP = 256 * 1024;

    private MemorySegment segment;
    private final long initialCapacity;
    long start;
    long end;

    NativeBuffer(long initialCapacity) {
        this.initialCapacity = initialCapacity;
        this.segment = NativeMemory.malloc(initialCapacity);
    }

    MemorySegment segment() { return segment; }
    long capacity() { return segment.byteSize(); }
    long size() { return end - start; }
    long free() { return segment.byteSize() - end; }

    /**
     * Makes room for {@code n} more bytes after {@code end}: by moving the live window to the
     * front when that frees enough, else by growing (doubling) the block. Offsets of live bytes
     * change: callers re-read {@link #start}/{@link #end} and {@link #segment()} afterwards.
     */
    void ensureFree(long n) {
        if (free() >= n) return;
        long live = size();
        if (start > 0 && segment.byteSize() - live >= n) {
            MemorySegment.copy(segment, start, segment, 0, live);
            start = 0;
            end = live;
            return;
        }
        if (start > 0) {
            MemorySegment.copy(segment, start, segment, 0, live);
            start = 0;
            end = live;
        }
        long cap = Math.max(segment.byteSize(), 64);
        while (cap < live + n) cap <<= 1;
        segment = NativeMemory.realloc(segment, cap);
    }

    /** Drops consumed bytes; an empty buffer rewinds to offset 0 for free. */
    void consume(long n) {
        start += n;
        if (start == end) {
            start = 0;
            end = 0;
        }
    }

    /**
     * Gives a large block back once it is empty, so an idle connection holds little memory; blocks
     * up to {@link #IDLE_KEEP} stay, so that a steady stream of large messages does not
     * reallocate on every flush.
     */
    void shrinkIfIdle() {
        if (start == end && segment.byteSize() > IDLE_KEEP) {
            segment = NativeMemory.realloc(segment, initialCapacity);
            start = 0;
            end = 0;
        }
    }

    @Override
    public void close() {
        NativeMemory.free(segment);
        segment = MemorySegment.NULL;
        start = 0;
        end = 0;
    }
}
