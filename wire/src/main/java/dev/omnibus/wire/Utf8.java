package dev.omnibus.wire;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;

/**
 * Strict UTF-8 validation of string contents (spec "Marshaling": STRING must be valid UTF-8 and
 * contain no NUL): no overlong forms, no UTF-16 surrogates, nothing above U+10FFFF.
 * An 8-byte ASCII fast path keeps typical names and paths cheap. Stateless; any thread.
 */
final class Utf8 {
    private Utf8() {}

    private static final long HIGH_BITS = 0x8080_8080_8080_8080L;
    private static final long LOW_BITS = 0x0101_0101_0101_0101L;

    /** Returns OK, BAD_UTF8 or STRING_INTERIOR_NUL for the {@code len} bytes at {@code off}. */
    static int check(MemorySegment seg, long off, long len) {
        long p = off;
        long end = off + len;
        while (p < end) {
            if (end - p >= 8) {
                long v = seg.get(JAVA_LONG_UNALIGNED, p);
                // ASCII and no zero byte: the classic "has zero byte" test on all eight lanes.
                if ((v & HIGH_BITS) == 0 && ((v - LOW_BITS) & ~v & HIGH_BITS) == 0) {
                    p += 8;
                    continue;
                }
            }
            int b = seg.get(JAVA_BYTE, p) & 0xff;
            if (b < 0x80) {
                if (b == 0) {
                    return WireError.STRING_INTERIOR_NUL;
                }
                p++;
                continue;
            }
            int need;
            int lo = 0x80, hi = 0xbf;
            if (b >= 0xc2 && b <= 0xdf) {
                need = 1;
            } else if (b >= 0xe0 && b <= 0xef) {
                need = 2;
                if (b == 0xe0) {
                    lo = 0xa0; // overlong
                } else if (b == 0xed) {
                    hi = 0x9f; // surrogates
                }
            } else if (b >= 0xf0 && b <= 0xf4) {
                need = 3;
                if (b == 0xf0) {
                    lo = 0x90; // overlong
                } else if (b == 0xf4) {
                    hi = 0x8f; // above U+10FFFF
                }
            } else {
                return WireError.BAD_UTF8;
            }
            if (end - p <= need) {
                return WireError.BAD_UTF8;
            }
            int c1 = seg.get(JAVA_BYTE, p + 1) & 0xff;
            if (c1 < lo || c1 > hi) {
                return WireError.BAD_UTF8;
            }
            for (int k = 2; k <= need; k++) {
                int c = seg.get(JAVA_BYTE, p + k) & 0xff;
                if (c < 0x80 || c > 0xbf) {
                    return WireError.BAD_UTF8;
                }
            }
            p += need + 1;
        }
        return WireError.OK;
    }
}
