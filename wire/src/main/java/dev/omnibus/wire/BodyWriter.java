package dev.omnibus.wire;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Marshals values into a growable byte buffer in either byte order, checking every write against
 * the signature given to {@link #reset(String)}. Offset 0 of the buffer is taken to be 8-aligned
 * in the message (true for the header and for the body), so alignment is relative to it.
 *
 * <p>Writes that do not match the signature, invalid names/paths/signatures and unclosed
 * containers are caller bugs: {@link IllegalStateException} / {@link IllegalArgumentException}.
 * Reusable; not thread-safe. Used for messages the bus itself originates, tests and tools.
 */
public final class BodyWriter {
    private static final int ARRAY = 1, STRUCT = 2, DICT = 3, VARIANT = 4;
    private static final int MAX_FRAMES = Protocol.MAX_TOTAL_DEPTH + 2;

    private final boolean big;
    private byte[] buf = new byte[256];
    private int pos;

    private byte[] sig = new byte[0];
    private int sp;
    private int spEnd;

    private final int[] kind = new int[MAX_FRAMES];
    private final int[] lenPos = new int[MAX_FRAMES];
    private final int[] dataStart = new int[MAX_FRAMES];
    private final int[] elemStart = new int[MAX_FRAMES];
    private final int[] elemEnd = new int[MAX_FRAMES];
    private final byte[][] savedSig = new byte[MAX_FRAMES][];
    private final int[] savedSp = new int[MAX_FRAMES];
    private final int[] savedSpEnd = new int[MAX_FRAMES];
    private int depth;
    private String signature = "";

    public BodyWriter(boolean bigEndian) {
        this.big = bigEndian;
    }

    /** Clears the buffer and sets the signature the following writes must follow. */
    public BodyWriter reset(String signature) {
        if (!Signature.isValid(signature)) {
            throw new IllegalArgumentException("invalid signature: " + signature);
        }
        this.signature = signature;
        this.sig = signature.getBytes(StandardCharsets.US_ASCII);
        this.sp = 0;
        this.spEnd = sig.length;
        this.pos = 0;
        this.depth = 0;
        return this;
    }

    public boolean bigEndian() { return big; }
    public String signature() { return signature; }
    /** Bytes written so far. */
    public int length() { return pos; }
    /** True when every type of the signature has been written and all containers are closed. */
    public boolean isComplete() { return depth == 0 && sp == spEnd; }

    /** A copy of the bytes written so far. */
    public byte[] toBytes() {
        return Arrays.copyOf(buf, pos);
    }

    /** Copies the bytes written to {@code dst} at {@code off}; returns the count. */
    public int copyTo(MemorySegment dst, long off) {
        MemorySegment.copy(MemorySegment.ofArray(buf), 0, dst, off, pos);
        return pos;
    }

    byte[] buffer() { return buf; }

    /** Type code of the next value to write, or 0 if the current container/element/signature is complete. */
    public int nextType() {
        if (depth > 0 && kind[depth - 1] == ARRAY && sp == elemEnd[depth - 1]) {
            return elementType(depth - 1);
        }
        if (sp >= spEnd) {
            return 0;
        }
        int c = sig[sp];
        return c == ')' || c == '}' ? 0 : c;
    }

    private int elementType(int f) {
        return sig[elemStart[f]];
    }

    private void expect(int c) {
        if (depth > 0 && kind[depth - 1] == ARRAY && sp == elemEnd[depth - 1]) {
            sp = elemStart[depth - 1]; // start the next element
        }
        int t = sp < spEnd ? sig[sp] : 0;
        if (t != c || c == ')' || c == '}') {
            throw new IllegalStateException("wrote '" + (char) c + "' but signature \"" + signature
                    + "\" expects " + (t == 0 ? "nothing" : "'" + (char) t + "'") + " at " + sp);
        }
    }

    private void ensure(int n) {
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }

    private void align(int a) {
        int q = (pos + a - 1) & -a;
        ensure(q - pos);
        while (pos < q) {
            buf[pos++] = 0;
        }
    }

    private void put8(int v) {
        ensure(1);
        buf[pos++] = (byte) v;
    }

    private void put16(int v) {
        align(2);
        ensure(2);
        if (big) {
            buf[pos++] = (byte) (v >>> 8);
            buf[pos++] = (byte) v;
        } else {
            buf[pos++] = (byte) v;
            buf[pos++] = (byte) (v >>> 8);
        }
    }

    private void put32(int v) {
        align(4);
        ensure(4);
        set32(pos, v);
        pos += 4;
    }

    private void set32(int at, int v) {
        if (big) {
            v = Integer.reverseBytes(v);
        }
        buf[at] = (byte) v;
        buf[at + 1] = (byte) (v >>> 8);
        buf[at + 2] = (byte) (v >>> 16);
        buf[at + 3] = (byte) (v >>> 24);
    }

    private void put64(long v) {
        align(8);
        ensure(8);
        if (big) {
            v = Long.reverseBytes(v);
        }
        for (int i = 0; i < 8; i++) {
            buf[pos++] = (byte) (v >>> (8 * i));
        }
    }

    public BodyWriter writeByte(int v) { expect('y'); sp++; put8(v); return this; }
    public BodyWriter writeBoolean(boolean v) { expect('b'); sp++; put32(v ? 1 : 0); return this; }
    public BodyWriter writeInt16(int v) { expect('n'); sp++; put16(v); return this; }
    public BodyWriter writeUint16(int v) { expect('q'); sp++; put16(v); return this; }
    public BodyWriter writeInt32(int v) { expect('i'); sp++; put32(v); return this; }
    public BodyWriter writeUint32(long v) { expect('u'); sp++; put32((int) v); return this; }
    public BodyWriter writeInt64(long v) { expect('x'); sp++; put64(v); return this; }
    public BodyWriter writeUint64(long v) { expect('t'); sp++; put64(v); return this; }
    public BodyWriter writeDouble(double v) { expect('d'); sp++; put64(Double.doubleToRawLongBits(v)); return this; }
    /** An index into the file descriptors sent with the message. */
    public BodyWriter writeUnixFd(int index) { expect('h'); sp++; put32(index); return this; }

    public BodyWriter writeString(String s) {
        expect('s');
        sp++;
        putString(s);
        return this;
    }

    public BodyWriter writeObjectPath(String s) {
        if (!Names.isValidObjectPath(s)) {
            throw new IllegalArgumentException("invalid object path: " + s);
        }
        expect('o');
        sp++;
        putString(s);
        return this;
    }

    public BodyWriter writeSignature(String s) {
        if (!Signature.isValid(s)) {
            throw new IllegalArgumentException("invalid signature: " + s);
        }
        expect('g');
        sp++;
        putSignature(s);
        return this;
    }

    private void putString(String s) {
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("string contains NUL");
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        put32(b.length);
        ensure(b.length + 1);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
        buf[pos++] = 0;
    }

    private void putSignature(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        ensure(b.length + 2);
        buf[pos++] = (byte) b.length;
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
        buf[pos++] = 0;
    }

    private void push(int k) {
        if (depth == MAX_FRAMES) {
            throw new IllegalStateException("nesting deeper than " + Protocol.MAX_TOTAL_DEPTH);
        }
        kind[depth++] = k;
    }

    /** Begins an array; the element type comes from the signature. */
    public BodyWriter beginArray() {
        expect('a');
        int e = sp + 1;
        put32(0); // length, patched by endArray
        int lp = pos - 4;
        align(Signature.alignment(sig[e]));
        lenPos[depth] = lp;
        dataStart[depth] = pos;
        elemStart[depth] = e;
        elemEnd[depth] = Signature.skipType(sig, e);
        push(ARRAY);
        sp = e;
        return this;
    }

    /** Begins an array, checking that its element signature is {@code elemSig}. */
    public BodyWriter beginArray(String elemSig) {
        expect('a');
        int e = sp + 1;
        int ee = Signature.skipType(sig, e);
        if (!new String(sig, e, ee - e, StandardCharsets.US_ASCII).equals(elemSig)) {
            throw new IllegalStateException("array element is \""
                    + new String(sig, e, ee - e, StandardCharsets.US_ASCII) + "\", not \"" + elemSig + '"');
        }
        return beginArray();
    }

    public BodyWriter endArray() {
        requireFrame(ARRAY);
        int f = depth - 1;
        if (sp != elemEnd[f] && !(sp == elemStart[f] && pos == dataStart[f])) {
            throw new IllegalStateException("array element incomplete");
        }
        int len = pos - dataStart[f];
        if (len > Protocol.MAX_ARRAY_LENGTH) {
            throw new IllegalStateException("array longer than 64 MiB");
        }
        set32(lenPos[f], len);
        sp = elemEnd[f];
        depth--;
        return this;
    }

    public BodyWriter beginStruct() { return beginGroup('(', STRUCT); }
    public BodyWriter endStruct() { return endGroup(')', STRUCT); }
    public BodyWriter beginDictEntry() { return beginGroup('{', DICT); }
    public BodyWriter endDictEntry() { return endGroup('}', DICT); }

    private BodyWriter beginGroup(int c, int k) {
        expect(c);
        align(8);
        sp++;
        push(k);
        return this;
    }

    private BodyWriter endGroup(int c, int k) {
        requireFrame(k);
        if (sp >= spEnd || sig[sp] != c) {
            throw new IllegalStateException("container closed before all its fields were written");
        }
        sp++;
        depth--;
        return this;
    }

    /** Begins a variant holding one value of {@code signature} (a single complete type). */
    public BodyWriter beginVariant(String signature) {
        if (!Signature.isSingleCompleteType(signature)) {
            throw new IllegalArgumentException("variant needs a single complete type: " + signature);
        }
        expect('v');
        putSignature(signature);
        savedSig[depth] = sig;
        savedSp[depth] = sp + 1;
        savedSpEnd[depth] = spEnd;
        push(VARIANT);
        sig = signature.getBytes(StandardCharsets.US_ASCII);
        sp = 0;
        spEnd = sig.length;
        return this;
    }

    public BodyWriter endVariant() {
        requireFrame(VARIANT);
        if (sp != spEnd) {
            throw new IllegalStateException("variant value not written");
        }
        depth--;
        sig = savedSig[depth];
        savedSig[depth] = null;
        sp = savedSp[depth];
        spEnd = savedSpEnd[depth];
        return this;
    }

    private void requireFrame(int k) {
        if (depth == 0 || kind[depth - 1] != k) {
            throw new IllegalStateException("not inside the container being ended");
        }
    }
}
