package dev.omnibus.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Fixed-size reads in either byte order and alignment arithmetic, shared by the validator, the
 * view, the reader and sender stitching. Reads little-endian and swaps for big-endian messages:
 * one predictable branch instead of a per-message layout. Stateless; any thread.
 */
final class WireBytes {
    private WireBytes() {}

    private static final ValueLayout.OfShort I16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static int u8(MemorySegment seg, long p) {
        return seg.get(ValueLayout.JAVA_BYTE, p) & 0xff;
    }

    static short i16(MemorySegment seg, long p, boolean big) {
        short v = seg.get(I16, p);
        return big ? Short.reverseBytes(v) : v;
    }

    static int i32(MemorySegment seg, long p, boolean big) {
        int v = seg.get(I32, p);
        return big ? Integer.reverseBytes(v) : v;
    }

    static long u32(MemorySegment seg, long p, boolean big) {
        return i32(seg, p, big) & 0xffff_ffffL;
    }

    static long i64(MemorySegment seg, long p, boolean big) {
        long v = seg.get(I64, p);
        return big ? Long.reverseBytes(v) : v;
    }

    static void putI32(MemorySegment seg, long p, int v, boolean big) {
        seg.set(I32, p, big ? Integer.reverseBytes(v) : v);
    }

    /**
     * Up to 8 bytes at {@code p} as a little-endian word (byte {@code p} in the low 8 bits), given
     * {@code remaining >= 1} readable bytes; lanes past {@code remaining} read as zero. One bounds
     * check per 8 bytes instead of one per byte: validation loops shift bytes out of the word.
     */
    static long word(MemorySegment seg, long p, long remaining) {
        if (remaining >= 8) {
            return seg.get(I64, p);
        }
        long w = 0;
        for (int k = 0; k < remaining; k++) {
            w |= (long) (seg.get(ValueLayout.JAVA_BYTE, p + k) & 0xff) << (k << 3);
        }
        return w;
    }

    /**
     * Position of the first non-zero byte in {@code [from, to)}, or -1 when all are zero (alignment
     * padding: at most 7 bytes, so usually one word read).
     */
    static long firstNonZero(MemorySegment seg, long from, long to) {
        for (long p = from; p < to; p += 8) {
            long w = word(seg, p, Math.min(8, to - p));
            if (w != 0) {
                return p + (Long.numberOfTrailingZeros(w) >>> 3);
            }
        }
        return -1;
    }

    /** {@code p} rounded up to a multiple of {@code a} (a power of two) relative to {@code base}. */
    static long align(long base, long p, int a) {
        return base + ((p - base + a - 1) & -a);
    }

    static boolean equalsAscii(MemorySegment seg, long off, int len, String s) {
        if (len != s.length()) {
            return false;
        }
        long w = 0;
        for (int i = 0; i < len; i++) {
            if ((i & 7) == 0) {
                w = word(seg, off + i, len - i);
            }
            if ((int) (w >>> ((i & 7) << 3) & 0xff) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
