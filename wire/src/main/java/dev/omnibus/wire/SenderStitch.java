package dev.omnibus.wire;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Sender stitching: rewrites the header of a validated received message with the SENDER field set
 * by the bus (replacing any the client wrote) and with unknown header fields (codes above 9)
 * dropped, in the message's own byte order, padded to 8. The body is not copied: the caller sends
 * the new header followed by the original body bytes {@code [bodyOffset, bodyOffset+bodyLength)}
 * (a gather write), so one received buffer serves every recipient.
 *
 * <p>Kept fields are copied verbatim in wire order: each starts on an 8-byte boundary in both
 * headers, so their internal alignment is unchanged. SENDER is appended last. Stateless and
 * allocation-free; any thread.
 */
public final class SenderStitch {
    private SenderStitch() {}

    /** Length of the stitched header (fixed part, fields, padding to 8). */
    public static int headerLength(MessageView m, int senderUtf8Length) {
        return (int) align8(fieldsEnd(m, senderUtf8Length));
    }

    /** End (relative to the message start) of the stitched header-field array. */
    private static long fieldsEnd(MessageView m, int senderLen) {
        long q = Protocol.FIXED_HEADER_LENGTH;
        for (int i = 0; i < m.fieldCount(); i++) {
            int code = m.fieldCodeAt(i);
            if (code != Protocol.FIELD_SENDER) {
                q = align8(q) + (m.fieldValueEnd(code) - m.fieldStructStart(code));
            }
        }
        // code byte, signature "s" (3 bytes), u32 length, name, NUL
        return align8(q) + 8 + senderLen + 1;
    }

    private static long align8(long p) {
        return (p + 7) & ~7L;
    }

    /**
     * Writes the stitched header of {@code m} (which must be validly wrapped) with SENDER =
     * {@code senderUtf8} at {@code dst[dstOff]}; returns the bytes written
     * ({@link #headerLength}). {@code dst} must not overlap the message.
     */
    public static int writeHeader(MessageView m, byte[] senderUtf8, MemorySegment dst, long dstOff) {
        MemorySegment src = m.segment();
        long off = m.offset();
        boolean big = m.bigEndian();
        // Kept fields are copied in runs: fields adjacent in the source (nothing dropped between
        // them) go in one copy with their padding, which validation proved zero. The fixed header
        // opens the first run (its field-array length is rewritten at the end), so a message
        // without SENDER or unknown fields is one copy plus the new SENDER field.
        long runStart = off;
        long runEnd = off + Protocol.FIXED_HEADER_LENGTH;
        long q = 0;
        for (int i = 0; i < m.fieldCount(); i++) {
            int code = m.fieldCodeAt(i);
            if (code == Protocol.FIELD_SENDER) {
                continue;
            }
            long start = m.fieldStructStart(code);
            if (start != off + align8(runEnd - off)) {
                q = copyRun(src, runStart, runEnd, dst, dstOff, q);
                runStart = start;
            }
            runEnd = m.fieldValueEnd(code);
        }
        q = copyRun(src, runStart, runEnd, dst, dstOff, q);
        q = align8(q);
        long p = dstOff + q;
        long end = q + 8 + senderUtf8.length + 1;
        zeroLastWord(dst, dstOff, end);
        // code, signature "s" (length 1, 's', NUL): four single bytes, the same in either byte order
        dst.set(LE_INT, p, Protocol.FIELD_SENDER | 1 << 8 | 's' << 16);
        WireBytes.putI32(dst, p + 4, senderUtf8.length, big);
        MemorySegment.copy(senderUtf8, 0, dst, JAVA_BYTE, p + 8, senderUtf8.length);
        dst.set(JAVA_BYTE, dstOff + end - 1, (byte) 0);
        WireBytes.putI32(dst, dstOff + 12, (int) (end - Protocol.FIXED_HEADER_LENGTH), big);
        return (int) align8(end);
    }

    /** Copies {@code src[from, to)} to the 8-aligned {@code q}; returns the end of what it wrote. */
    private static long copyRun(MemorySegment src, long from, long to, MemorySegment dst, long dstOff, long q) {
        q = align8(q);
        long n = to - from;
        zeroLastWord(dst, dstOff, q + n);
        MemorySegment.copy(src, from, dst, dstOff + q, n);
        return q + n;
    }

    private static final ValueLayout.OfInt LE_INT =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Zeroes the 8-byte word (relative to {@code base}) that holds the byte before {@code end}, the
     * last byte of the item about to be written there: what the item does not cover of that word is
     * its padding up to the next 8-aligned offset. One store instead of filling the header.
     */
    private static void zeroLastWord(MemorySegment dst, long base, long end) {
        dst.set(ValueLayout.JAVA_LONG_UNALIGNED, base + ((end - 1) & ~7L), 0L);
    }
}
