package dev.omnibus.wire;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * A D-Bus type signature (spec "Type System", "Valid Signatures"): a sequence of complete types.
 *
 * <p>Rules enforced: at most 255 bytes; only the codes {@code ybnqiuxtdhsogva(){}}; every 'a' is
 * followed by a complete type; structs have at least one field; at most 32 nested arrays and 32
 * nested structs (dict entries count as structs), which bounds total depth at 64; dict entries
 * appear only as array elements, have a basic key and exactly two fields.
 *
 * <p>{@link #validate(MemorySegment, long, int)} is the allocation-free hot-path check; instances
 * (from {@link #parse(String)}) are immutable value objects for cold paths. Thread-safe.
 */
public final class Signature {
    private final String text;

    private Signature(String text) {
        this.text = text;
    }

    /** Parses and validates {@code s}; cold path. */
    public static Signature parse(String s) throws WireException {
        byte[] b = ascii(s);
        int code = b == null ? WireError.SIGNATURE_BAD_TYPE_CODE
                : validate(MemorySegment.ofArray(b), 0, b.length);
        if (code != WireError.OK) {
            throw new WireException(code, '"' + s + '"');
        }
        return new Signature(s);
    }

    /** True when {@code s} is a valid signature. */
    public static boolean isValid(String s) {
        if (basicOrVariantCodes(s)) {
            return true;
        }
        byte[] b = ascii(s);
        return b != null && validate(MemorySegment.ofArray(b), 0, b.length) == WireError.OK;
    }

    /** True when {@code s} is a valid signature of exactly one complete type (e.g. "a{sv}", not "ii"). */
    public static boolean isSingleCompleteType(String s) {
        if (s.length() == 1 && basicOrVariantCodes(s)) {
            return true;
        }
        byte[] b = ascii(s);
        return b != null && validateSingle(MemorySegment.ofArray(b), 0, b.length) == WireError.OK;
    }

    /**
     * Validates the {@code len} signature bytes at {@code off} (no terminating NUL).
     * Returns {@link WireError#OK} or a positive WireError code. No allocation.
     */
    public static int validate(MemorySegment seg, long off, int len) {
        if (len > Protocol.MAX_SIGNATURE_LENGTH) {
            return WireError.SIGNATURE_TOO_LONG;
        }
        long end = off + len;
        long p = off;
        while (p < end) {
            long r = single(seg, p, end, 0, 0);
            if (r < 0) {
                return (int) -r;
            }
            p = r;
        }
        return WireError.OK;
    }

    /** As {@link #validate(MemorySegment, long, int)}, and the signature must be exactly one complete type. */
    public static int validateSingle(MemorySegment seg, long off, int len) {
        if (len > Protocol.MAX_SIGNATURE_LENGTH) {
            return WireError.SIGNATURE_TOO_LONG;
        }
        if (len == 0) {
            return WireError.SIGNATURE_NOT_SINGLE_TYPE;
        }
        long r = single(seg, off, off + len, 0, 0);
        if (r < 0) {
            return (int) -r;
        }
        if (r != off + len) {
            int rest = validate(seg, r, (int) (off + len - r));
            return rest != WireError.OK ? rest : WireError.SIGNATURE_NOT_SINGLE_TYPE;
        }
        return WireError.OK;
    }

    /** True for the basic (fixed or string-like) type codes, the only ones allowed as dict keys. */
    public static boolean isBasic(int c) {
        return switch (c) {
            case 'y', 'b', 'n', 'q', 'i', 'u', 'x', 't', 'd', 'h', 's', 'o', 'g' -> true;
            default -> false;
        };
    }

    /** Alignment in bytes of a value of type code {@code c} (spec "Summary of D-Bus marshalling"). */
    public static int alignment(int c) {
        return switch (c) {
            case 'y', 'g', 'v' -> 1;
            case 'n', 'q' -> 2;
            case 'b', 'i', 'u', 'h', 's', 'o', 'a' -> 4;
            case 'x', 't', 'd', '(', '{' -> 8;
            default -> throw new IllegalArgumentException("not a type code: " + (char) c);
        };
    }

    /** Returns the next position after the complete type at p, or -code. Recursion depth <= 64. */
    private static long single(MemorySegment seg, long p, long end, int arrays, int structs) {
        int c = seg.get(JAVA_BYTE, p);
        switch (c) {
            case 'y', 'b', 'n', 'q', 'i', 'u', 'x', 't', 'd', 'h', 's', 'o', 'g', 'v':
                return p + 1;
            case 'a': {
                if (arrays + 1 > Protocol.MAX_ARRAY_DEPTH) {
                    return -WireError.SIGNATURE_ARRAY_TOO_DEEP;
                }
                if (p + 1 >= end) {
                    return -WireError.SIGNATURE_ARRAY_WITHOUT_ELEMENT;
                }
                int next = seg.get(JAVA_BYTE, p + 1);
                if (next == '{') {
                    return dictEntry(seg, p + 1, end, arrays + 1, structs);
                }
                if (next == ')' || next == '}') {
                    return -WireError.SIGNATURE_ARRAY_WITHOUT_ELEMENT;
                }
                return single(seg, p + 1, end, arrays + 1, structs);
            }
            case '(': {
                if (structs + 1 > Protocol.MAX_STRUCT_DEPTH) {
                    return -WireError.SIGNATURE_STRUCT_TOO_DEEP;
                }
                long q = p + 1;
                if (q < end && seg.get(JAVA_BYTE, q) == ')') {
                    return -WireError.SIGNATURE_EMPTY_STRUCT;
                }
                while (true) {
                    if (q >= end) {
                        return -WireError.SIGNATURE_UNBALANCED;
                    }
                    if (seg.get(JAVA_BYTE, q) == ')') {
                        return q + 1;
                    }
                    long r = single(seg, q, end, arrays, structs + 1);
                    if (r < 0) {
                        return r;
                    }
                    q = r;
                }
            }
            case '{':
                return -WireError.SIGNATURE_DICT_ENTRY_NOT_IN_ARRAY;
            case ')', '}':
                return -WireError.SIGNATURE_UNBALANCED;
            default:
                return -WireError.SIGNATURE_BAD_TYPE_CODE;
        }
    }

    /** p is at '{' directly after an 'a'. */
    private static long dictEntry(MemorySegment seg, long p, long end, int arrays, int structs) {
        if (structs + 1 > Protocol.MAX_STRUCT_DEPTH) {
            return -WireError.SIGNATURE_STRUCT_TOO_DEEP;
        }
        long q = p + 1;
        if (q >= end) {
            return -WireError.SIGNATURE_UNBALANCED;
        }
        int key = seg.get(JAVA_BYTE, q);
        if (key == '}') {
            return -WireError.SIGNATURE_DICT_ENTRY_FIELD_COUNT;
        }
        if (!isBasic(key)) {
            return key == 'a' || key == '(' || key == 'v' || key == '{'
                    ? -WireError.SIGNATURE_DICT_KEY_NOT_BASIC
                    : -WireError.SIGNATURE_BAD_TYPE_CODE;
        }
        q++;
        if (q >= end) {
            return -WireError.SIGNATURE_UNBALANCED;
        }
        if (seg.get(JAVA_BYTE, q) == '}') {
            return -WireError.SIGNATURE_DICT_ENTRY_FIELD_COUNT;
        }
        long r = single(seg, q, end, arrays, structs + 1);
        if (r < 0) {
            return r;
        }
        if (r >= end) {
            return -WireError.SIGNATURE_UNBALANCED;
        }
        int close = seg.get(JAVA_BYTE, r);
        if (close == '}') {
            return r + 1;
        }
        if (close == ')') {
            return -WireError.SIGNATURE_UNBALANCED;
        }
        return -WireError.SIGNATURE_DICT_ENTRY_FIELD_COUNT;
    }

    /** End of the complete type starting at {@code p} of an already validated signature. */
    static long skipType(MemorySegment seg, long p) {
        int depth = 0;
        while (true) {
            int c = seg.get(JAVA_BYTE, p++);
            if (c == 'a') {
                continue;
            }
            if (c == '(' || c == '{') {
                depth++;
            } else if (c == ')' || c == '}') {
                depth--;
            }
            if (depth == 0) {
                return p;
            }
        }
    }

    /** As {@link #skipType(MemorySegment, long)} over a byte array (the writer's signature; cold). */
    static int skipType(byte[] sig, int p) {
        return (int) skipType(MemorySegment.ofArray(sig), p);
    }

    /**
     * True when {@code s} is at most 255 codes, each a basic type or 'v': every such sequence is a
     * valid signature of that many complete types. Spares the bus's own messages ("s", "sss",
     * variants of "s"/"u"/"o") a byte copy and the full check.
     */
    private static boolean basicOrVariantCodes(String s) {
        if (s.length() > Protocol.MAX_SIGNATURE_LENGTH) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0x7f || (c != 'v' && !isBasic(c))) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7f) {
                return null;
            }
        }
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Number of bytes (= characters) in the signature. */
    public int length() {
        return text.length();
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Signature other && other.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
