package dev.omnibus.broker;

import dev.omnibus.transport.NativeMemory;
import java.lang.foreign.MemorySegment;

/**
 * A growable off-heap byte buffer holding a window {@code [start, end)} of live bytes, for one
 * connection's input or output. Native memory so that recvmsg/sendmsg read and write it directly;
 * from malloc (see {@link NativeMemory}): not zero-filled, growth is a realloc, and accesses carry no
 * arena checks.
 *
 * <p>The block is allocated on the first {@link #ensureFree} and can be given back with
 * {@link #release()} while the buffer is empty: an idle connection then holds no buffer memory at
 * all, and the next use allocates again. Bus thread only; after {@link #close()} the buffer must not
 * be used.
 */
final class NativeBuffer implements AutoCloseable {
    /** Capacity kept by an idle buffer: larger blocks are given back once empty. */
    static final long IDLE_KEEP = 256 * 1024;

    private MemorySegment segment;
    private final long initialCapacity;
    long start;
    long end;

    /** Where blocks come from and go back to; null: straight from malloc. */
    private final BlockPool pool;

    /** No memory yet: the first {@link #ensureFree} allocates at least {@code initialCapacity}. */
    NativeBuffer(long initialCapacity) {
        this(initialCapacity, null);
    }

    /** As {@link #NativeBuffer(long)}, taking blocks from {@code pool} and giving them back to it. */
    NativeBuffer(long initialCapacity, BlockPool pool) {
        this.initialCapacity = initialCapacity;
        this.pool = pool;
        this.segment = MemorySegment.NULL;
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
        if (segment.address() == 0) {
            long size = Math.max(initialCapacity, n);
            segment = pool != null ? pool.take(size) : NativeMemory.malloc(size);
            return;
        }
        long live = size();
        if (start > 0) {
            MemorySegment.copy(segment, start, segment, 0, live);
            start = 0;
            end = live;
            if (free() >= n) return;
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
     * Moves every live byte to the end of {@code dst}, leaving this buffer empty (a connection's
     * input passing between its own buffer and the bus's shared read buffer).
     */
    void moveAllTo(NativeBuffer dst) {
        long n = size();
        dst.ensureFree(n);
        MemorySegment.copy(segment, start, dst.segment, dst.end, n);
        dst.end += n;
        start = 0;
        end = 0;
    }

    /**
     * Gives the block back to the pool if the buffer is empty and the block is still the pool's
     * size: an idle connection then holds none. A block that grew stays for the next burst (freeing
     * it on every drain made every batch grow it again by realloc); the sweep handles large ones.
     */
    void releaseIfPoolSized() {
        if (start == end && pool != null && segment.byteSize() == BlockPool.BLOCK) release();
    }

    /** True when the block is larger than an idle buffer keeps (see {@link #shrinkIfIdle}). */
    boolean isLarge() { return segment.byteSize() > IDLE_KEEP; }

    /**
     * Gives a large block back if it is empty, so an idle connection holds little memory; blocks up
     * to {@link #IDLE_KEEP} are not touched here. Called by the bus's periodic sweep, not on every
     * drain (see {@code Bus.watchBuffers}). Returns true when the block is no longer large.
     */
    boolean shrinkIfIdle() {
        if (start == end && isLarge()) release();
        return !isLarge();
    }

    /** Frees the block of an empty buffer (the next {@link #ensureFree} allocates a new one). */
    void release() {
        if (start != end) throw new IllegalStateException("releasing a buffer with " + size() + " live bytes");
        close();
    }

    /** Frees the block whatever it holds; the buffer may be closed more than once. */
    @Override
    public void close() {
        if (pool != null) {
            pool.give(segment);
        } else {
            NativeMemory.free(segment);
        }
        segment = MemorySegment.NULL;
        start = 0;
        end = 0;
    }
}
