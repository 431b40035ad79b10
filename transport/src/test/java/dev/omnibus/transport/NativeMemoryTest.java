package dev.omnibus.transport;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** malloc/realloc/free and getrandom, which reach libc and the kernel through the syscall-shaped handle. */
class NativeMemoryTest {
    @Test
    void reallocKeepsContentAndFreeAcceptsNull() {
        MemorySegment s = NativeMemory.malloc(100);
        assertEquals(100, s.byteSize());
        assertEquals(0, s.address() % 16, "malloc alignment");
        for (int i = 0; i < 100; i++) s.set(ValueLayout.JAVA_BYTE, i, (byte) i);
        MemorySegment t = NativeMemory.realloc(s, 1 << 20);
        assertEquals(1 << 20, t.byteSize());
        for (int i = 0; i < 100; i++) assertEquals((byte) i, t.get(ValueLayout.JAVA_BYTE, i));
        t.set(ValueLayout.JAVA_BYTE, (1 << 20) - 1, (byte) 7); // the whole new size is writable
        NativeMemory.free(t);
        NativeMemory.free(MemorySegment.NULL);
    }

    @Test
    void randomBytesAreFreshEachCall() {
        byte[] a = Posix.randomBytes(32), b = Posix.randomBytes(32);
        assertEquals(32, a.length);
        assertFalse(Arrays.equals(a, new byte[32]));
        assertNotEquals(Arrays.toString(a), Arrays.toString(b));
        assertArrayEquals(new byte[0], Posix.randomBytes(0));
    }
}
