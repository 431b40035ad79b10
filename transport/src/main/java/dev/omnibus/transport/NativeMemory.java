package dev.omnibus.transport;

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

    // Linked with the shape of Native's syscall handle: no stub class of their own (see linkSevenLongs).
    private static final MethodHandle MALLOC = Native.linkSevenLongs("malloc");
    private static final MethodHandle REALLOC = Native.linkSevenLongs("realloc");
    private static final MethodHandle FREE = Native.linkSevenLongs("free");

    /** {@code size} bytes, uninitialised, 16-byte aligned (malloc's guarantee on LP64). */
    public static MemorySegment malloc(long size) {
        long p = Native.callSevenLongs(MALLOC, Math.max(1, size), 0);
        if (p == 0) throw new OutOfMemoryError("malloc(" + size + ") failed");
        return MemorySegment.ofAddress(p).reinterpret(size);
    }

    /** Resizes {@code seg} (which came from here), keeping its first min(old, new) bytes. */
    public static MemorySegment realloc(MemorySegment seg, long size) {
        long p = Native.callSevenLongs(REALLOC, seg.address(), Math.max(1, size));
        if (p == 0) throw new OutOfMemoryError("realloc(" + size + ") failed");
        return MemorySegment.ofAddress(p).reinterpret(size);
    }

    /** Gives {@code seg} back; it must not be used afterwards. NULL is ignored. */
    public static void free(MemorySegment seg) {
        if (seg == null || seg.address() == 0) return;
        Native.callSevenLongs(FREE, seg.address(), 0);
    }
}
