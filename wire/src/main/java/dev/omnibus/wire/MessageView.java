package dev.omnibus.wire;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A reusable flyweight over one received message in a {@link MemorySegment}, validated in full
 * by {@link #wrap}. Layout (spec "Message Format"), offsets relative to the message start:
 *
 * <pre>
 *  0  endianness 'l'|'B'   1 type   2 flags   3 major version (1)
 *  4  u32 body length      8 u32 serial (non-zero)
 * 12  u32 header-field array length, then array of struct (byte code, variant value), 8-aligned
 *  .. zero padding to a multiple of 8
 *  bodyOffset: body, bodyLength bytes, described by the SIGNATURE field
 * </pre>
 *
 * <p>After a successful wrap, every accessor is valid until the next wrap; offsets are absolute
 * in {@link #segment()}. wrap and the primitive/offset accessors allocate nothing; the String
 * getters allocate once per field and cache. Owned by one thread (the bus thread); not
 * thread-safe. The caller must keep the bytes unchanged while the view is in use.
 */
public final class MessageView {
    public static final int FIXED_HEADER_LENGTH = Protocol.FIXED_HEADER_LENGTH;

    private static final int FIELDS = Protocol.MAX_KNOWN_FIELD + 1;
    /** Required wire type of each known header field (spec "Header Fields"), indexed by code. */
    private static final byte[] FIELD_TYPE = {0, 'o', 's', 's', 's', 'u', 's', 's', 'g', 'u'};
    /**
     * Depth of a header field's value: inside the header array, its struct and its variant.
     * Counts against the 64-level total like any container.
     */
    private static final int HEADER_VALUE_DEPTH = 3;

    private final ValueValidator validator = new ValueValidator();
    private final BodyReader reader = new BodyReader();
    private final BodyReader argReader = new BodyReader();

    private MemorySegment seg;
    private long off;
    private long length;
    private boolean big;
    private int type;
    private int flags;
    private long serial;
    private long replySerial;
    private int unixFds;
    private long bodyOffset;
    private long bodyLength;
    private long fieldsEnd;

    /** Absolute offset/length of each known field's string bytes (or -1), indexed by code. */
    private final long[] fieldOff = new long[FIELDS];
    private final int[] fieldLen = new int[FIELDS];
    /** Absolute start of each known field's struct and end of its value, for sender stitching. */
    private final long[] fieldStart = new long[FIELDS];
    private final long[] fieldEnd = new long[FIELDS];
    /** Known field codes in wire order. */
    private final int[] fieldOrder = new int[FIELDS];
    private int fieldCount;
    /** Bit {@code code} set for each known field present: duplicate and presence checks in O(1). */
    private int present;
    /** Bit {@code code} set for each name field the fast path already validated. */
    private int namesValid;
    /** Set during {@link #wrapTrusted}: names, UTF-8 and the body are taken as valid. */
    private boolean trusted;
    private final String[] cache = new String[FIELDS];

    /**
     * The last valid value seen in each known string, path and signature field, as little-endian
     * words (values up to {@link #REMEMBERED_WORDS} words). A peer sending many messages repeats the
     * same path, interface, member, destination and signature: comparing a few words costs less than
     * checking every character against the name rules again, and validity depends on the bytes alone.
     * Signatures are remembered with their NUL.
     */
    private static final int REMEMBERED_WORDS = 16;
    private final long[][] validWords = new long[FIELDS][REMEMBERED_WORDS];
    private final int[] validLength = new int[FIELDS];
    {
        Arrays.fill(validLength, -1);
    }

    private int error;
    private long errorAt;
    private int errorField;

    /**
     * Given at least 16 bytes at {@code off}: the total message length (header, padding, body),
     * or a negative WireError code (bad endianness byte, bad protocol version, over 128 MiB).
     * No allocation.
     */
    public static long frameLength(MemorySegment seg, long off) {
        int e = WireBytes.u8(seg, off);
        boolean big;
        if (e == Protocol.LITTLE_ENDIAN) {
            big = false;
        } else if (e == Protocol.BIG_ENDIAN) {
            big = true;
        } else {
            return -WireError.BAD_ENDIANNESS;
        }
        if (WireBytes.u8(seg, off + 3) != Protocol.PROTOCOL_VERSION) {
            return -WireError.BAD_PROTOCOL_VERSION;
        }
        long body = WireBytes.u32(seg, off + 4, big);
        long total = paddedHeadLength(WireBytes.u32(seg, off + 12, big)) + body;
        if (total > Protocol.MAX_MESSAGE_LENGTH) {
            return -WireError.MESSAGE_TOO_LONG;
        }
        return total;
    }

    /**
     * Wraps the {@code len} bytes at {@code off} and validates them fully: fixed header, header
     * fields with their required types, required fields per message type, serial non-zero, names
     * valid, signature valid, and the body against the signature. {@code fdsReceived} is the number
     * of file descriptors that arrived with the message. Returns {@link WireError#OK} or a code;
     * {@link #errorDetail()} then says what is wrong. No allocation.
     */
    public int wrap(MemorySegment seg, long off, long len, int fdsReceived) {
        this.seg = seg;
        this.off = off;
        this.length = len;
        headOnly = false;
        Arrays.fill(fieldOff, -1);
        Arrays.fill(fieldLen, 0);
        Arrays.fill(cache, null);
        fieldCount = 0;
        present = 0;
        namesValid = 0;
        replySerial = 0;
        unixFds = 0;
        type = 0;
        bodyOffset = -1;
        bodyLength = 0;
        error = WireError.OK;
        errorAt = -1;
        errorField = -1;
        int r = doWrap(len, fdsReceived);
        error = r;
        return r;
    }

    /**
     * Wraps bytes this process built itself with {@link MessageBuilder} (which checks every name,
     * signature and value as it writes them): the framing and header fields are parsed as by
     * {@link #wrap}, but names and strings are not validated again and the body is not walked.
     * Never for bytes from a peer.
     */
    public int wrapTrusted(MemorySegment seg, long off, long len, int fdsReceived) {
        trusted = true;
        try {
            return wrap(seg, off, len, fdsReceived);
        } finally {
            trusted = false;
        }
    }

    /**
     * Given at least 16 bytes at {@code off}: the length of the header with its padding, i.e. where
     * the body starts relative to {@code off}. No validation (see {@link #frameLength}).
     */
    public static long headLength(MemorySegment seg, long off) {
        return paddedHeadLength(WireBytes.u32(seg, off + 12, WireBytes.u8(seg, off) == Protocol.BIG_ENDIAN));
    }

    /** The fixed header and a header-field array of {@code fieldsLength} bytes, padded to 8. */
    private static long paddedHeadLength(long fieldsLength) {
        return (FIXED_HEADER_LENGTH + fieldsLength + 7) & ~7L;
    }

    /** True when the wrapped message's body signature is exactly {@code ay}: one byte array. */
    public boolean hasOpaqueBody() {
        long sigOff = fieldOff[Protocol.FIELD_SIGNATURE];
        return sigOff >= 0 && fieldLen[Protocol.FIELD_SIGNATURE] == 2 && WireBytes.u8(seg, sigOff) == 'a'
                && WireBytes.u8(seg, sigOff + 1) == 'y';
    }

    /**
     * Wraps a message of which only the first {@code available} bytes have arrived, for forwarding
     * its body without looking at it: true when the header is valid (as {@link #wrap} checks it) and
     * the body is a single byte array (signature {@code ay}) whose length prefix is among the
     * available bytes and agrees with the body length. Such a body is valid whatever its remaining
     * bytes are. False for anything else (another signature, an invalid header, too few bytes): the
     * caller then reads the whole message and {@link #wrap}s it, which reports any error. The body
     * accessors must not be used after a true return: most of the body is not there.
     */
    public boolean wrapOpaqueHead(MemorySegment seg, long off, long available, int fdsReceived) {
        if (available < FIXED_HEADER_LENGTH) return false;
        long frame = frameLength(seg, off);
        if (frame <= available) return false;
        if (available < headLength(seg, off) + 4) return false;
        opaqueHead = true;
        try {
            headOnly = wrap(seg, off, frame, fdsReceived) == WireError.OK;
            return headOnly;
        } finally {
            opaqueHead = false;
        }
    }

    /** True after {@link #wrapOpaqueHead} succeeded: the body is not (all) in the segment. */
    public boolean isHeadOnly() { return headOnly; }

    private boolean headOnly;

    /** Set during {@link #wrapOpaqueHead}: the body is checked by its length prefix only. */
    private boolean opaqueHead;

    /** The body of a {@link #wrapOpaqueHead} message: signature "ay", prefix = body length - 4. */
    private int checkOpaqueBody() {
        if (!hasOpaqueBody() || bodyLength < 4) {
            return WireError.TRUNCATED;
        }
        long n = WireBytes.u32(seg, bodyOffset, big);
        return n == bodyLength - 4 && n <= Protocol.MAX_ARRAY_LENGTH ? WireError.OK : WireError.TRUNCATED;
    }

    private int fail(int code, long at, int field) {
        errorAt = at;
        errorField = field;
        return code;
    }

    private int doWrap(long len, int fdsReceived) {
        if (len < FIXED_HEADER_LENGTH) {
            return fail(WireError.TRUNCATED, off, 0);
        }
        long frame = frameLength(seg, off);
        if (frame < 0) {
            return fail((int) -frame, off, 0);
        }
        if (frame != len) {
            return fail(frame > len ? WireError.TRUNCATED : WireError.LENGTH_MISMATCH, off, 0);
        }
        big = WireBytes.u8(seg, off) == Protocol.BIG_ENDIAN;
        type = WireBytes.u8(seg, off + 1);
        flags = WireBytes.u8(seg, off + 2);
        bodyLength = WireBytes.u32(seg, off + 4, big);
        serial = WireBytes.u32(seg, off + 8, big);
        if (type == Protocol.INVALID) {
            return fail(WireError.BAD_MESSAGE_TYPE, off + 1, 0);
        }
        if (serial == 0) {
            return fail(WireError.ZERO_SERIAL, off + 8, 0);
        }
        long fieldsLen = WireBytes.u32(seg, off + 12, big);
        if (fieldsLen > Protocol.MAX_ARRAY_LENGTH) {
            return fail(WireError.ARRAY_TOO_LONG, off + 12, 0);
        }
        fieldsEnd = off + FIXED_HEADER_LENGTH + fieldsLen;
        bodyOffset = WireBytes.align(off, fieldsEnd, 8);
        long nz = WireBytes.firstNonZero(seg, fieldsEnd, bodyOffset);
        if (nz >= 0) {
            return fail(WireError.BAD_PADDING, nz, 0);
        }
        int r = headerFields();
        if (r != WireError.OK) {
            return r;
        }
        r = checkFields(fdsReceived);
        if (r != WireError.OK) {
            return r;
        }
        long sigOff = fieldOff[Protocol.FIELD_SIGNATURE];
        if (trusted) {
            return WireError.OK;
        }
        if (opaqueHead) {
            return checkOpaqueBody();
        }
        if (sigOff < 0) {
            return bodyLength == 0 ? WireError.OK : fail(WireError.BODY_WITHOUT_SIGNATURE, bodyOffset, -1);
        }
        validator.reset(seg, off, big, unixFds);
        r = validator.validateAll(sigOff, fieldLen[Protocol.FIELD_SIGNATURE], bodyOffset,
                bodyOffset + bodyLength, 0);
        return r == WireError.OK ? r : fail(r, validator.errorAt, -1);
    }

    private int headerFields() {
        // 'h' inside an unknown header field indexes nothing we forward, so do not bound it.
        validator.reset(seg, off, big, Long.MAX_VALUE);
        long p = off + FIXED_HEADER_LENGTH;
        while (p < fieldsEnd) {
            long start = WireBytes.align(off, p, 8);
            if (start >= fieldsEnd) {
                return fail(WireError.VALUE_TRUNCATED, p, 0);
            }
            long nz = WireBytes.firstNonZero(seg, p, start);
            if (nz >= 0) {
                return fail(WireError.BAD_PADDING, nz, 0);
            }
            if (start + 4 <= fieldsEnd) {
                long end = knownField(start);
                if (end != NOT_FAST) {
                    if (end < 0) {
                        return error;
                    }
                    p = end;
                    continue;
                }
            }
            int code = WireBytes.u8(seg, start);
            long sig = start + 1;
            if (sig + 1 > fieldsEnd) {
                return fail(WireError.VALUE_TRUNCATED, sig, code);
            }
            int sigLen = WireBytes.u8(seg, sig);
            long valuePos = sig + 1 + sigLen + 1;
            if (valuePos > fieldsEnd) {
                return fail(WireError.VALUE_TRUNCATED, sig, code);
            }
            if (WireBytes.u8(seg, valuePos - 1) != 0) {
                return fail(WireError.STRING_NOT_TERMINATED, valuePos - 1, code);
            }
            int sc = Signature.validateSingle(seg, sig + 1, sigLen);
            if (sc != WireError.OK) {
                return fail(sc, sig + 1, code);
            }
            if (code == Protocol.FIELD_INVALID) {
                return fail(WireError.BAD_HEADER_FIELD_CODE, start, code);
            }
            boolean known = code <= Protocol.MAX_KNOWN_FIELD;
            if (known) {
                if (sigLen != 1 || WireBytes.u8(seg, sig + 1) != FIELD_TYPE[code]) {
                    return fail(WireError.BAD_HEADER_FIELD_TYPE, sig + 1, code);
                }
                if ((present & 1 << code) != 0) {
                    return fail(WireError.DUPLICATE_HEADER_FIELD, start, code);
                }
            }
            long end = validator.validateOne(sig + 1, valuePos, fieldsEnd, HEADER_VALUE_DEPTH);
            if (end < 0) {
                return fail((int) -end, validator.errorAt, code);
            }
            if (known) {
                recordField(code, start, valuePos, end);
            }
            p = end;
        }
        return WireError.OK;
    }

    /** Returned by {@link #knownField} for a field the general path must handle. */
    private static final long NOT_FAST = Long.MIN_VALUE;

    /**
     * Fast path for the usual header field: a known code whose signature is its one required type
     * code. Those four bytes (code, 1, type, NUL) settle every check the general path makes up to
     * the value, so the signature is not validated again; STRING, OBJECT_PATH and UINT32 values are
     * checked inline (they start 4-aligned: the struct is 8-aligned). Returns the end of the field,
     * {@link #NOT_FAST}, or a negative number after {@link #fail} recorded the error in
     * {@link #error} (same codes and positions as the general path).
     */
    private long knownField(long start) {
        int head = WireBytes.i32(seg, start, false); // four single bytes: byte order does not apply
        int code = head & 0xff;
        if (code == Protocol.FIELD_INVALID || code > Protocol.MAX_KNOWN_FIELD) {
            return NOT_FAST;
        }
        int t = FIELD_TYPE[code];
        if (head >>> 8 != (1 | t << 8)) {
            return NOT_FAST;
        }
        if ((present & 1 << code) != 0) {
            return failFast(WireError.DUPLICATE_HEADER_FIELD, start, code);
        }
        long v = start + 4;
        long end;
        if (t == 'u') {
            if (v + 4 > fieldsEnd) {
                return failFast(WireError.VALUE_TRUNCATED, v, code);
            }
            end = v + 4;
        } else if (t == 's' || t == 'o') {
            if (v + 4 > fieldsEnd) {
                return failFast(WireError.VALUE_TRUNCATED, v, code);
            }
            long len = WireBytes.u32(seg, v, big);
            long str = v + 4;
            if (str + len >= fieldsEnd) {
                return failFast(str + len == fieldsEnd ? WireError.STRING_NOT_TERMINATED : WireError.VALUE_TRUNCATED,
                        v, code);
            }
            if (WireBytes.u8(seg, str + len) != 0) {
                return failFast(WireError.STRING_NOT_TERMINATED, str + len, code);
            }
            // A valid name or path is ASCII without NUL, so passing its name rule settles UTF-8 too
            // and checkFields need not test it again. Otherwise UTF-8 is checked first, as on the
            // general path, so that the error reported is the same.
            if (trusted || isRemembered(code, str, len) || rememberIfValidName(code, str, len)) {
                namesValid |= 1 << code;
            } else {
                int u = Utf8.check(seg, str, len);
                if (u != WireError.OK) {
                    return failFast(u, str, code);
                }
                if (t == 'o') {
                    return failFast(WireError.BAD_OBJECT_PATH_VALUE, str, code);
                }
            }
            end = str + len + 1;
        } else {
            end = t == 'g' ? rememberedSignatureEnd(code, v) : -1;
            if (end < 0) {
                end = validator.validateOne(start + 2, v, fieldsEnd, HEADER_VALUE_DEPTH);
                if (end < 0) {
                    return failFast((int) -end, validator.errorAt, code);
                }
                if (t == 'g') remember(code, v + 1, end - v - 1);
            }
        }
        recordField(code, start, v, end);
        return end;
    }

    /** The end of the SIGNATURE value at {@code v} if it is the remembered one (NUL included), else -1. */
    private long rememberedSignatureEnd(int code, long v) {
        if (v >= fieldsEnd) {
            return -1;
        }
        int len = WireBytes.u8(seg, v);
        long end = v + 2 + len;
        return end <= fieldsEnd && isRemembered(code, v + 1, len + 1) ? end : -1;
    }

    /** Whether the {@code len} bytes at {@code p} are the remembered valid value of field {@code code}. */
    private boolean isRemembered(int code, long p, long len) {
        if (validLength[code] != len) {
            return false;
        }
        long[] words = validWords[code];
        for (int i = 0, k = 0; i < len; i += 8, k++) {
            if (WireBytes.word(seg, p + i, len - i) != words[k]) {
                return false;
            }
        }
        return true;
    }

    private void remember(int code, long p, long len) {
        if (len > REMEMBERED_WORDS * 8L) {
            validLength[code] = -1;
            return;
        }
        long[] words = validWords[code];
        for (int i = 0, k = 0; i < len; i += 8, k++) {
            words[k] = WireBytes.word(seg, p + i, len - i);
        }
        validLength[code] = (int) len;
    }

    private boolean rememberIfValidName(int code, long str, long len) {
        if (!isValidName(code, str, len)) {
            return false;
        }
        remember(code, str, len);
        return true;
    }

    /** The name rule of a known string or path field (spec "Valid Names"), applied to its bytes. */
    private boolean isValidName(int code, long str, long len) {
        if (len > Integer.MAX_VALUE) {
            return false;
        }
        int n = (int) len;
        return switch (code) {
            case Protocol.FIELD_PATH -> Names.isValidObjectPath(seg, str, n);
            case Protocol.FIELD_INTERFACE -> Names.isValidInterfaceName(seg, str, n);
            case Protocol.FIELD_MEMBER -> Names.isValidMemberName(seg, str, n);
            case Protocol.FIELD_ERROR_NAME -> Names.isValidErrorName(seg, str, n);
            case Protocol.FIELD_DESTINATION, Protocol.FIELD_SENDER -> Names.isValidBusName(seg, str, n);
            default -> false;
        };
    }

    /** Whether the fast path already found field {@code code}'s name valid. */
    private boolean nameChecked(int code) {
        return (namesValid & 1 << code) != 0;
    }

    private long failFast(int code, long at, int field) {
        error = fail(code, at, field);
        return -1;
    }

    private void recordField(int code, long start, long valuePos, long end) {
        fieldStart[code] = start;
        fieldEnd[code] = end;
        fieldOrder[fieldCount++] = code;
        present |= 1 << code;
        switch (FIELD_TYPE[code]) {
            case 'u' -> {
                long v = WireBytes.u32(seg, WireBytes.align(off, valuePos, 4), big);
                if (code == Protocol.FIELD_REPLY_SERIAL) {
                    replySerial = v;
                } else {
                    // Bounded by the caller's fdsReceived check; clamp so a huge value stays positive.
                    unixFds = (int) Math.min(v, Integer.MAX_VALUE);
                }
            }
            case 'g' -> {
                fieldOff[code] = valuePos + 1;
                fieldLen[code] = WireBytes.u8(seg, valuePos);
            }
            default -> {
                long q = WireBytes.align(off, valuePos, 4);
                fieldOff[code] = q + 4;
                fieldLen[code] = (int) WireBytes.u32(seg, q, big);
            }
        }
    }

    private int checkFields(int fdsReceived) {
        long o;
        if ((o = fieldOff[Protocol.FIELD_PATH]) >= 0
                && WireBytes.equalsAscii(seg, o, fieldLen[Protocol.FIELD_PATH], Protocol.LOCAL_PATH)) {
            return fail(WireError.LOCAL_PATH, o, Protocol.FIELD_PATH);
        }
        if ((o = fieldOff[Protocol.FIELD_INTERFACE]) >= 0) {
            int l = fieldLen[Protocol.FIELD_INTERFACE];
            if (!nameChecked(Protocol.FIELD_INTERFACE) && !Names.isValidInterfaceName(seg, o, l)) {
                return fail(WireError.BAD_INTERFACE, o, Protocol.FIELD_INTERFACE);
            }
            if (WireBytes.equalsAscii(seg, o, l, Protocol.LOCAL_INTERFACE)) {
                return fail(WireError.LOCAL_INTERFACE, o, Protocol.FIELD_INTERFACE);
            }
        }
        if ((o = fieldOff[Protocol.FIELD_MEMBER]) >= 0
                && !nameChecked(Protocol.FIELD_MEMBER)
                && !Names.isValidMemberName(seg, o, fieldLen[Protocol.FIELD_MEMBER])) {
            return fail(WireError.BAD_MEMBER, o, Protocol.FIELD_MEMBER);
        }
        if ((o = fieldOff[Protocol.FIELD_ERROR_NAME]) >= 0
                && !nameChecked(Protocol.FIELD_ERROR_NAME)
                && !Names.isValidErrorName(seg, o, fieldLen[Protocol.FIELD_ERROR_NAME])) {
            return fail(WireError.BAD_ERROR_NAME, o, Protocol.FIELD_ERROR_NAME);
        }
        if ((o = fieldOff[Protocol.FIELD_DESTINATION]) >= 0
                && !nameChecked(Protocol.FIELD_DESTINATION)
                && !Names.isValidBusName(seg, o, fieldLen[Protocol.FIELD_DESTINATION])) {
            return fail(WireError.BAD_DESTINATION, o, Protocol.FIELD_DESTINATION);
        }
        if ((o = fieldOff[Protocol.FIELD_SENDER]) >= 0
                && !nameChecked(Protocol.FIELD_SENDER)
                && !Names.isValidBusName(seg, o, fieldLen[Protocol.FIELD_SENDER])) {
            return fail(WireError.BAD_SENDER, o, Protocol.FIELD_SENDER);
        }
        boolean hasReply = has(Protocol.FIELD_REPLY_SERIAL);
        if (hasReply && replySerial == 0) {
            return fail(WireError.ZERO_REPLY_SERIAL, fieldStart[Protocol.FIELD_REPLY_SERIAL], Protocol.FIELD_REPLY_SERIAL);
        }
        switch (type) {
            case Protocol.METHOD_CALL -> {
                if (fieldOff[Protocol.FIELD_PATH] < 0) {
                    return fail(WireError.MISSING_PATH, off, 0);
                }
                if (fieldOff[Protocol.FIELD_MEMBER] < 0) {
                    return fail(WireError.MISSING_MEMBER, off, 0);
                }
            }
            case Protocol.SIGNAL -> {
                if (fieldOff[Protocol.FIELD_PATH] < 0) {
                    return fail(WireError.MISSING_PATH, off, 0);
                }
                if (fieldOff[Protocol.FIELD_INTERFACE] < 0) {
                    return fail(WireError.MISSING_INTERFACE, off, 0);
                }
                if (fieldOff[Protocol.FIELD_MEMBER] < 0) {
                    return fail(WireError.MISSING_MEMBER, off, 0);
                }
            }
            case Protocol.ERROR -> {
                if (fieldOff[Protocol.FIELD_ERROR_NAME] < 0) {
                    return fail(WireError.MISSING_ERROR_NAME, off, 0);
                }
                if (!hasReply) {
                    return fail(WireError.MISSING_REPLY_SERIAL, off, 0);
                }
            }
            case Protocol.METHOD_RETURN -> {
                if (!hasReply) {
                    return fail(WireError.MISSING_REPLY_SERIAL, off, 0);
                }
            }
            default -> { } // unknown types: the spec says ignore, so no required fields
        }
        if (has(Protocol.FIELD_UNIX_FDS) && unixFds > fdsReceived) {
            return fail(WireError.UNIX_FDS_NOT_RECEIVED, fieldStart[Protocol.FIELD_UNIX_FDS], Protocol.FIELD_UNIX_FDS);
        }
        return WireError.OK;
    }

    private boolean has(int code) {
        return (present & 1 << code) != 0;
    }

    /** The result of the last wrap. */
    public int error() {
        return error;
    }

    /** What is wrong with the last wrapped message, or "valid". Cold path; allocates. */
    public String errorDetail() {
        if (error == WireError.OK) {
            return WireError.describe(WireError.OK);
        }
        StringBuilder sb = new StringBuilder(WireError.describe(error));
        if (errorField > 0) {
            sb.append(" (in header field ").append(fieldName(errorField)).append(')');
        } else if (errorField < 0) {
            sb.append(" (in body");
            if (fieldOff[Protocol.FIELD_SIGNATURE] >= 0) {
                sb.append(" of signature \"").append(signature()).append('"');
            }
            sb.append(')');
        } else {
            sb.append(" (in header)");
        }
        if (errorAt >= 0) {
            sb.append(" at byte ").append(errorAt - off);
        }
        return sb.toString();
    }

    private static String fieldName(int code) {
        return switch (code) {
            case 1 -> "PATH";
            case 2 -> "INTERFACE";
            case 3 -> "MEMBER";
            case 4 -> "ERROR_NAME";
            case 5 -> "REPLY_SERIAL";
            case 6 -> "DESTINATION";
            case 7 -> "SENDER";
            case 8 -> "SIGNATURE";
            case 9 -> "UNIX_FDS";
            default -> "code " + code;
        };
    }

    public int type() { return type; }
    public int flags() { return flags; }
    public long serial() { return serial; }
    /** REPLY_SERIAL, 0 if absent. */
    public long replySerial() { return replySerial; }
    /** UNIX_FDS, 0 if absent. */
    public int unixFds() { return unixFds; }
    public boolean bigEndian() { return big; }
    public long length() { return length; }
    /** Absolute offset of the body in {@link #segment()}. */
    public long bodyOffset() { return bodyOffset; }
    public long bodyLength() { return bodyLength; }
    public MemorySegment segment() { return seg; }
    public long offset() { return off; }
    /** Absolute end of the header-field array (before the padding to 8). */
    long fieldsEnd() { return fieldsEnd; }
    int fieldCount() { return fieldCount; }
    int fieldCodeAt(int i) { return fieldOrder[i]; }
    long fieldStructStart(int code) { return fieldStart[code]; }
    long fieldValueEnd(int code) { return fieldEnd[code]; }

    /**
     * Absolute offset of the bytes of a string-valued header field (PATH, INTERFACE, MEMBER,
     * ERROR_NAME, DESTINATION, SENDER, SIGNATURE), -1 when absent (or not string-valued).
     */
    public long fieldOffset(int fieldCode) {
        return fieldCode > 0 && fieldCode < FIELDS ? fieldOff[fieldCode] : -1;
    }

    /** Byte length (UTF-8, no NUL) of a string-valued header field; 0 when absent. */
    public int fieldLength(int fieldCode) {
        return fieldCode > 0 && fieldCode < FIELDS ? fieldLen[fieldCode] : 0;
    }

    private String field(int code) {
        String s = cache[code];
        if (s == null && fieldOff[code] >= 0) {
            s = string(fieldOff[code], fieldLen[code]);
            cache[code] = s;
        }
        return s;
    }

    private String string(long o, int len) {
        byte[] b = new byte[len];
        MemorySegment.copy(seg, JAVA_BYTE, o, b, 0, len);
        return new String(b, StandardCharsets.UTF_8);
    }

    public String path() { return field(Protocol.FIELD_PATH); }
    public String interfaceName() { return field(Protocol.FIELD_INTERFACE); }
    public String member() { return field(Protocol.FIELD_MEMBER); }
    public String errorName() { return field(Protocol.FIELD_ERROR_NAME); }
    public String destination() { return field(Protocol.FIELD_DESTINATION); }
    public String sender() { return field(Protocol.FIELD_SENDER); }
    /** The body signature; "" when the SIGNATURE field is absent. */
    public String signature() {
        String s = field(Protocol.FIELD_SIGNATURE);
        return s == null ? "" : s;
    }

    /** A BodyReader positioned at the start of the body; the same reader object on each call. */
    public BodyReader body() {
        reader.reset(seg, off, bodyOffset, bodyLength, fieldOff[Protocol.FIELD_SIGNATURE],
                fieldLen[Protocol.FIELD_SIGNATURE], big);
        return reader;
    }

    /**
     * Absolute offset of the bytes of body argument {@code n} (0-based) if it exists and is of
     * type 's' or 'o', else -1. Its length is {@link #argStringLength(int)}. No allocation.
     */
    public long argStringOffset(int n) {
        BodyReader r = argAt(n);
        if (r == null) {
            return -1;
        }
        int t = r.nextType();
        return t == 's' || t == 'o' ? r.stringOffset() : -1;
    }

    /** Byte length of body argument n when it is 's' or 'o', else -1. */
    public int argStringLength(int n) {
        long o = argStringOffset(n);
        return o < 0 ? -1 : (int) WireBytes.u32(seg, o - 4, big);
    }

    /** The string value of body argument n if it exists and is of type 's' or 'o', else null. */
    public String argString(int n) {
        long o = argStringOffset(n);
        return o < 0 ? null : string(o, (int) WireBytes.u32(seg, o - 4, big));
    }

    /** True when body argument n exists and is an object path. */
    public boolean argIsObjectPath(int n) {
        BodyReader r = argAt(n);
        return r != null && r.nextType() == 'o';
    }

    private BodyReader argAt(int n) {
        if (error != WireError.OK || fieldOff[Protocol.FIELD_SIGNATURE] < 0 || n < 0) {
            return null;
        }
        BodyReader r = argReader;
        r.reset(seg, off, bodyOffset, bodyLength, fieldOff[Protocol.FIELD_SIGNATURE],
                fieldLen[Protocol.FIELD_SIGNATURE], big);
        for (int i = 0; i < n; i++) {
            if (!r.hasNext()) {
                return null;
            }
            r.skip();
        }
        return r.hasNext() ? r : null;
    }
}
