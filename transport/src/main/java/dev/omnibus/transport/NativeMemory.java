package dev.omnibus.transport;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Unmanaged native memory from the C allocator (malloc/realloc/free through FFM), for buffers
 * whose owner frees them explicitly: per-connection I/O buffers and socket structures.
 *
 * <p>Why not an {@link java.lang.foreign.Arena}: arena allocations are zero-filled (every page of a
 * connection's buffers becomes resident at once), a confined arena checks the owning thread on
 * every access, and closing a shared arena stops every thread (a handshake per closed connection).
 * Segments returned here have the global scope: no liveness or thread checks, only bounds checks;
 * the caller guarantees that nothing touches a segment after {@link #free}.
 *
 * <p>Any thread; each segment belongs to whoever allocated it.
 */
public final class NativeMemory {
    private NativeMemory() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle MALLOC = LINKER.downcallHandle(
            LINKER.defaultLookup().find("malloc").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_LONG));
    private static final MethodHandle REALLOC = LINKER.downcallHandle(
            LINKER.defaultLookup().find("realloc").orElseThrow(), FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle FREE = LINKER.downcallHandle(
            LINKER.defaultLookup().find("free").orElseThrow(), FunctionDescriptor.ofVoid(ADDRESS));

    /** {@code size} bytes, uninitialised, 16-byte aligned (malloc's guarantee on LP64). */
    public static MemorySegment malloc(long size) {
        try {
            MemorySegment p = (MemorySegment) MALLOC.invokeExact(Math.max(1, size));
            if (p.address() == 0) throw new OutOfMemoryError("malloc(" + size + ") failed");
            return p.reinterpret(size);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Resizes {@code seg} (which came from here), keeping its first min(old, new) bytes. */
    public static MemorySegment realloc(MemorySegment seg, long size) {
        try {
            MemorySegment p = (MemorySegment) REALLOC.invokeExact(seg, Math.max(1, size));
            if (p.address() == 0) throw new OutOfMemoryError("realloc(" + size + ") failed");
            return p.reinterpret(size);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Gives {@code seg} back; it must not be used afterwards. NULL is ignored. */
    public static void free(MemorySegment seg) {
        if (seg == null || seg.address() == 0) return;
        try {
            FREE.invokeExact(seg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
