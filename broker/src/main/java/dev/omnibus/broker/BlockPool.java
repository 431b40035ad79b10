package dev.omnibus.broker;

import dev.omnibus.transport.NativeMemory;
import java.lang.foreign.MemorySegment;

/**
 * Spare native blocks of {@link #BLOCK} bytes for connection buffers. Output queues and input
 * buffers give their block back whenever they drain (so that idle connections hold none); under
 * traffic the same few blocks then go round between connections through this stack instead of a
 * malloc/free pair through FFM per flush. At most {@link #MAX_SPARE} spare blocks are kept; the rest
 * go back to malloc.
 *
 * <p>Bus thread only.
 */
final class BlockPool {
    /** Size of a pooled block: the initial size of every connection buffer. */
    static final long BLOCK = 4096;
    /** Spare blocks kept at most (1 MiB). */
    static final int MAX_SPARE = 256;

    private final MemorySegment[] spare = new MemorySegment[MAX_SPARE];
    private int count;

    /** A block of at least {@code size} bytes: a spare one when {@code size <= BLOCK}. */
    MemorySegment take(long size) {
        if (size <= BLOCK && count > 0) {
            MemorySegment s = spare[--count];
            spare[count] = null;
            return s;
        }
        return NativeMemory.malloc(Math.max(size, BLOCK));
    }

    /** Takes back a block from {@link #take} (or grown from one by realloc). */
    void give(MemorySegment block) {
        if (block.address() == 0) return;
        if (block.byteSize() == BLOCK && count < MAX_SPARE) {
            spare[count++] = block;
        } else {
            NativeMemory.free(block);
        }
    }

    /** Spare blocks held now. */
    int spareCount() { return count; }

    /** Frees every spare block. */
    void close() {
        while (count > 0) {
            NativeMemory.free(spare[--count]);
            spare[count] = null;
        }
    }
}
