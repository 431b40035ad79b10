package dev.omnibus.wire;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * Sequential reader of a validated message body, driven by its signature.
 *
 * <p>Usage: {@link #nextType()} tells the type code of the next value (0 at the end of the body,
 * a struct, a dict entry, an array element or a variant). Read basic values with the typed
 * {@code read*} methods; containers with {@code enter*}/{@code exit*}; arrays as
 * {@code enterArray(); while (arrayHasMore()) { ...read one element... }}. {@link #skip()} skips
 * one complete value. Reading a type the signature does not have next is a bug:
 * {@link IllegalStateException}.
 *
 * <p>The body must have passed {@link MessageView#wrap} validation; the reader trusts lengths.
 * Reusable via its owner; not thread-safe. Primitive reads allocate nothing; the String reads and
 * {@link #enterVariant()} allocate the returned String.
 */
public final class BodyReader {
    private static final int ARRAY = 1, STRUCT = 2, DICT = 3, VARIANT = 4;
    private static final int MAX_FRAMES = Protocol.MAX_TOTAL_DEPTH + 2;

    private MemorySegment seg;
    private long base;
    private long pos;
    private boolean big;
    private long sp;
    private long spEnd;

    private final int[] kind = new int[MAX_FRAMES];
    private final long[] arrayEnd = new long[MAX_FRAMES];
    private final long[] elemSig = new long[MAX_FRAMES];
    private final long[] savedSp = new long[MAX_FRAMES];
    private final long[] savedSpEnd = new long[MAX_FRAMES];
    private int depth;

    BodyReader() {}

    void reset(MemorySegment seg, long base, long bodyOff, long bodyLen, long sigOff, int sigLen, boolean big) {
        this.seg = seg;
        this.base = base;
        this.pos = bodyOff;
        this.big = big;
        this.sp = sigOff < 0 ? 0 : sigOff;
        this.spEnd = sigOff < 0 ? 0 : sigOff + sigLen;
        this.depth = 0;
    }

    /** Absolute position of the next byte to read. */
    public long position() {
        return pos;
    }

    public boolean bigEndian() {
        return big;
    }

    /** Type code of the next value, or 0 when the current container, element or body is complete. */
    public int nextType() {
        if (sp >= spEnd) {
            return 0;
        }
        if (depth > 0 && kind[depth - 1] == ARRAY && sp != elemSig[depth - 1]) {
            return 0; // one element read; the caller asks arrayHasMore() for the next
        }
        int c = WireBytes.u8(seg, sp);
        return c == ')' || c == '}' ? 0 : c;
    }

    /** True when another value follows in the current context. */
    public boolean hasNext() {
        return nextType() != 0;
    }

    private void expect(int c) {
        int t = nextType();
        if (t != c) {
            throw new IllegalStateException("read '" + (char) c + "' but next is "
                    + (t == 0 ? "nothing" : "'" + (char) t + "'"));
        }
    }

    private long take(int c, int size) {
        expect(c);
        sp++;
        long p = WireBytes.align(base, pos, size);
        pos = p + size;
        return p;
    }

    public byte readByte() { return seg.get(JAVA_BYTE, take('y', 1)); }
    public boolean readBoolean() { return WireBytes.i32(seg, take('b', 4), big) != 0; }
    public short readInt16() { return WireBytes.i16(seg, take('n', 2), big); }
    public int readUint16() { return WireBytes.i16(seg, take('q', 2), big) & 0xffff; }
    public int readInt32() { return WireBytes.i32(seg, take('i', 4), big); }
    public long readUint32() { return WireBytes.u32(seg, take('u', 4), big); }
    public long readInt64() { return WireBytes.i64(seg, take('x', 8), big); }
    /** The 64 bits of a UINT64; use {@link Long#toUnsignedString(long)} to print. */
    public long readUint64() { return WireBytes.i64(seg, take('t', 8), big); }
    public double readDouble() { return Double.longBitsToDouble(WireBytes.i64(seg, take('d', 8), big)); }
    /** The index of a UNIX_FD into the message's file descriptors. */
    public int readUnixFd() { return WireBytes.i32(seg, take('h', 4), big); }

    public String readString() { return stringLike('s'); }
    public String readObjectPath() { return stringLike('o'); }

    public String readSignature() {
        expect('g');
        sp++;
        int len = WireBytes.u8(seg, pos);
        String s = string(pos + 1, len);
        pos += len + 2;
        return s;
    }

    /** Absolute offset of the bytes of the next value, which must be 's' or 'o'; does not advance. */
    public long stringOffset() {
        int t = nextType();
        if (t != 's' && t != 'o') {
            throw new IllegalStateException("next is not a string");
        }
        return WireBytes.align(base, pos, 4) + 4;
    }

    private String stringLike(int c) {
        long p = take(c, 4);
        int len = (int) WireBytes.u32(seg, p, big);
        String s = string(p + 4, len);
        pos = p + 4 + len + 1;
        return s;
    }

    private String string(long o, int len) {
        byte[] b = new byte[len];
        MemorySegment.copy(seg, JAVA_BYTE, o, b, 0, len);
        return new String(b, StandardCharsets.UTF_8);
    }

    private void push(int k) {
        kind[depth] = k;
        depth++;
    }

    /** Enters an array; then call {@link #arrayHasMore()} before each element. Returns its byte length. */
    public long enterArray() {
        expect('a');
        long p = WireBytes.align(base, pos, 4);
        long len = WireBytes.u32(seg, p, big);
        long e = sp + 1;
        long data = WireBytes.align(base, p + 4, Signature.alignment(WireBytes.u8(seg, e)));
        pos = data;
        arrayEnd[depth] = data + len;
        elemSig[depth] = e;
        push(ARRAY);
        sp = e;
        return len;
    }

    /** True when the current array has another element (positioned to read it); false leaves the array. */
    public boolean arrayHasMore() {
        requireFrame(ARRAY);
        int f = depth - 1;
        if (pos < arrayEnd[f]) {
            sp = elemSig[f];
            return true;
        }
        exitArray();
        return false;
    }

    /** Leaves the current array, skipping any unread elements. */
    public void exitArray() {
        requireFrame(ARRAY);
        int f = depth - 1;
        pos = arrayEnd[f];
        sp = Signature.skipType(seg, elemSig[f]);
        depth--;
    }

    public void enterStruct() { enterGroup('(', STRUCT); }
    public void exitStruct() { exitGroup(STRUCT); }
    public void enterDictEntry() { enterGroup('{', DICT); }
    public void exitDictEntry() { exitGroup(DICT); }

    private void enterGroup(int c, int k) {
        expect(c);
        pos = WireBytes.align(base, pos, 8);
        sp++;
        push(k);
    }

    /** Leaves a struct or dict entry, skipping unread fields. */
    private void exitGroup(int k) {
        requireFrame(k);
        while (hasNext()) {
            skip();
        }
        sp++; // the ')' or '}'
        depth--;
    }

    /** Enters a variant and returns its contained signature (a single complete type). */
    public String enterVariant() {
        enterVariantNoString();
        return string(sp, (int) (spEnd - sp));
    }

    private void enterVariantNoString() {
        expect('v');
        int len = WireBytes.u8(seg, pos);
        savedSp[depth] = sp + 1;
        savedSpEnd[depth] = spEnd;
        push(VARIANT);
        sp = pos + 1;
        spEnd = sp + len;
        pos = sp + len + 1;
    }

    /** Leaves the current variant, skipping its value if unread. */
    public void exitVariant() {
        requireFrame(VARIANT);
        while (hasNext()) {
            skip();
        }
        depth--;
        sp = savedSp[depth];
        spEnd = savedSpEnd[depth];
    }

    private void requireFrame(int k) {
        if (depth == 0 || kind[depth - 1] != k) {
            throw new IllegalStateException("not inside the container being exited");
        }
    }

    /** Skips the next complete value. No allocation. */
    public void skip() {
        int t = nextType();
        switch (t) {
            case 'y' -> take('y', 1);
            case 'n', 'q' -> take(t, 2);
            case 'b', 'i', 'u', 'h' -> take(t, 4);
            case 'x', 't', 'd' -> take(t, 8);
            case 's', 'o' -> {
                long p = take(t, 4);
                pos = p + 4 + WireBytes.u32(seg, p, big) + 1;
            }
            case 'g' -> {
                sp++;
                pos += WireBytes.u8(seg, pos) + 2;
            }
            case 'a' -> {
                enterArray();
                exitArray();
            }
            case '(' -> {
                enterStruct();
                exitStruct();
            }
            case '{' -> {
                enterDictEntry();
                exitDictEntry();
            }
            case 'v' -> {
                enterVariantNoString();
                exitVariant();
            }
            default -> throw new IllegalStateException("nothing to skip");
        }
    }
}
