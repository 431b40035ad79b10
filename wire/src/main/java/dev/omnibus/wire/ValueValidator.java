package dev.omnibus.wire;

import java.lang.foreign.MemorySegment;

/**
 * Validates marshalled values against an already validated signature in one forward pass: zero
 * alignment padding (relative to the message start), booleans 0 or 1, strings valid UTF-8 with no
 * interior NUL and a terminating NUL, object paths and signatures valid, arrays at most 64 MiB and
 * exactly filled by their elements, total nesting (variants included) at most 64, 'h' indices
 * below the message's UNIX_FDS.
 *
 * <p>Positions are absolute offsets in the segment. Methods return the position after the value,
 * or {@code -code} with {@link #errorAt} set. Owned by one {@link MessageView}; not thread-safe;
 * reused for every message, allocates nothing. Recursion depth is bounded by the 64-level limit.
 */
final class ValueValidator {
    private MemorySegment seg;
    private long base;
    private boolean big;
    private long unixFds;
    /** End of the enclosing region (header array, body or innermost array). */
    private long end;
    /** Signature cursor: absolute offset of the next type code. */
    private long sp;
    /** Where the last failure was detected (absolute). */
    long errorAt;

    void reset(MemorySegment seg, long base, boolean big, long unixFds) {
        this.seg = seg;
        this.base = base;
        this.big = big;
        this.unixFds = unixFds;
        this.errorAt = -1;
    }

    /**
     * Validates the values of the whole signature at [sigOff, sigOff+sigLen) in [pos, end); they
     * must fill it exactly. Returns OK or a positive code.
     */
    int validateAll(long sigOff, int sigLen, long pos, long end, int depth) {
        this.end = end;
        this.sp = sigOff;
        long sigEnd = sigOff + sigLen;
        while (sp < sigEnd) {
            pos = value(pos, depth);
            if (pos < 0) {
                return (int) -pos;
            }
        }
        if (pos != end) {
            errorAt = pos;
            return WireError.BODY_TOO_LONG;
        }
        return WireError.OK;
    }

    /** Validates one value of the complete type at sigOff; returns the position after it or -code. */
    long validateOne(long sigOff, long pos, long end, int depth) {
        this.end = end;
        this.sp = sigOff;
        return value(pos, depth);
    }

    private long fail(int code, long at) {
        errorAt = at;
        return -code;
    }

    /** Skips zero padding to alignment {@code a}. */
    private long pad(long pos, int a) {
        long q = WireBytes.align(base, pos, a);
        if (q > end) {
            return fail(WireError.VALUE_TRUNCATED, pos);
        }
        long nz = WireBytes.firstNonZero(seg, pos, q);
        if (nz >= 0) {
            return fail(WireError.BAD_PADDING, nz);
        }
        return q;
    }

    private long fixed(long pos, int size) {
        long q = pad(pos, size);
        if (q < 0) {
            return q;
        }
        if (q + size > end) {
            return fail(WireError.VALUE_TRUNCATED, q);
        }
        return q;
    }

    private long value(long pos, int depth) {
        int c = WireBytes.u8(seg, sp);
        switch (c) {
            case 'y': {
                sp++;
                if (pos + 1 > end) {
                    return fail(WireError.VALUE_TRUNCATED, pos);
                }
                return pos + 1;
            }
            case 'n', 'q': {
                sp++;
                long q = fixed(pos, 2);
                return q < 0 ? q : q + 2;
            }
            case 'i', 'u': {
                sp++;
                long q = fixed(pos, 4);
                return q < 0 ? q : q + 4;
            }
            case 'x', 't', 'd': {
                sp++;
                long q = fixed(pos, 8);
                return q < 0 ? q : q + 8;
            }
            case 'b': {
                sp++;
                long q = fixed(pos, 4);
                if (q < 0) {
                    return q;
                }
                if (WireBytes.u32(seg, q, big) > 1) {
                    return fail(WireError.BAD_BOOLEAN, q);
                }
                return q + 4;
            }
            case 'h': {
                sp++;
                long q = fixed(pos, 4);
                if (q < 0) {
                    return q;
                }
                if (WireBytes.u32(seg, q, big) >= unixFds) {
                    return fail(WireError.FD_INDEX_OUT_OF_RANGE, q);
                }
                return q + 4;
            }
            case 's', 'o': {
                sp++;
                long q = fixed(pos, 4);
                if (q < 0) {
                    return q;
                }
                long len = WireBytes.u32(seg, q, big);
                long s = q + 4;
                if (s + len >= end) {
                    return fail(s + len == end ? WireError.STRING_NOT_TERMINATED : WireError.VALUE_TRUNCATED, q);
                }
                if (WireBytes.u8(seg, s + len) != 0) {
                    return fail(WireError.STRING_NOT_TERMINATED, s + len);
                }
                int u = Utf8.check(seg, s, len);
                if (u != WireError.OK) {
                    return fail(u, s);
                }
                if (c == 'o' && !Names.isValidObjectPath(seg, s, (int) len)) {
                    return fail(WireError.BAD_OBJECT_PATH_VALUE, s);
                }
                return s + len + 1;
            }
            case 'g': {
                sp++;
                return signatureValue(pos, false);
            }
            case 'v': {
                sp++;
                if (depth + 1 > Protocol.MAX_TOTAL_DEPTH) {
                    return fail(WireError.NESTING_TOO_DEEP, pos);
                }
                long q = signatureValue(pos, true);
                if (q < 0) {
                    return q;
                }
                long saved = sp;
                sp = pos + 1;
                long r = value(q, depth + 1);
                sp = saved;
                return r;
            }
            case 'a': {
                if (depth + 1 > Protocol.MAX_TOTAL_DEPTH) {
                    return fail(WireError.NESTING_TOO_DEEP, pos);
                }
                long q = fixed(pos, 4);
                if (q < 0) {
                    return q;
                }
                long len = WireBytes.u32(seg, q, big);
                if (len > Protocol.MAX_ARRAY_LENGTH) {
                    return fail(WireError.ARRAY_TOO_LONG, q);
                }
                long elemSig = sp + 1;
                long data = pad(q + 4, Signature.alignment(WireBytes.u8(seg, elemSig)));
                if (data < 0) {
                    return data;
                }
                long arrayEnd = data + len;
                if (arrayEnd > end) {
                    return fail(WireError.VALUE_TRUNCATED, q);
                }
                int size = fixedSize(WireBytes.u8(seg, elemSig));
                if (size > 0) {
                    // Elements of a fixed-size type with no invalid bit patterns are contiguous
                    // (size == alignment): only the length needs checking, not each element.
                    if (len % size != 0) {
                        return fail(WireError.VALUE_TRUNCATED, arrayEnd - len % size);
                    }
                    sp = elemSig + 1;
                    return arrayEnd;
                }
                long savedEnd = end;
                end = arrayEnd;
                long p = data;
                while (p < arrayEnd) {
                    sp = elemSig;
                    p = value(p, depth + 1);
                    if (p < 0) {
                        return p;
                    }
                }
                end = savedEnd;
                sp = Signature.skipType(seg, elemSig);
                return p;
            }
            case '(', '{': {
                if (depth + 1 > Protocol.MAX_TOTAL_DEPTH) {
                    return fail(WireError.NESTING_TOO_DEEP, pos);
                }
                long p = pad(pos, 8);
                if (p < 0) {
                    return p;
                }
                sp++;
                while (true) {
                    int f = WireBytes.u8(seg, sp);
                    if (f == ')' || f == '}') {
                        sp++;
                        return p;
                    }
                    p = value(p, depth + 1);
                    if (p < 0) {
                        return p;
                    }
                }
            }
            default:
                throw new IllegalStateException("signature was not validated: " + (char) c);
        }
    }

    /** Size of fixed types every bit pattern of which is valid ('b' and 'h' are not), else 0. */
    private static int fixedSize(int c) {
        return switch (c) {
            case 'y' -> 1;
            case 'n', 'q' -> 2;
            case 'i', 'u' -> 4;
            case 'x', 't', 'd' -> 8;
            default -> 0;
        };
    }

    /** A SIGNATURE value at pos (length byte, codes, NUL); single=true for a variant's. Returns the position after it. */
    private long signatureValue(long pos, boolean single) {
        if (pos + 1 > end) {
            return fail(WireError.VALUE_TRUNCATED, pos);
        }
        int len = WireBytes.u8(seg, pos);
        long s = pos + 1;
        if (s + len >= end) {
            return fail(s + len == end ? WireError.STRING_NOT_TERMINATED : WireError.VALUE_TRUNCATED, pos);
        }
        if (WireBytes.u8(seg, s + len) != 0) {
            return fail(WireError.STRING_NOT_TERMINATED, s + len);
        }
        int code = single ? Signature.validateSingle(seg, s, len) : Signature.validate(seg, s, len);
        if (code != WireError.OK) {
            return fail(code, s);
        }
        return s + len + 1;
    }
}
