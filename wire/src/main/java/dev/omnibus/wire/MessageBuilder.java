package dev.omnibus.wire;

import java.lang.foreign.MemorySegment;

/**
 * Builds complete messages the bus itself originates (method returns, errors, signals), and test
 * messages. Little-endian by default; big-endian on request (for tests of both byte orders).
 *
 * <p>Use: {@code reset(type, flags, serial)}, set header fields, optionally
 * {@code body(signature)} and write the body, then {@link #toBytes()} or
 * {@link #length()} + {@link #writeTo(MemorySegment, long)}. Names are checked when set
 * (IllegalArgumentException: a caller bug). Reusable; not thread-safe.
 */
public final class MessageBuilder {
    private static final String HEADER_SIGNATURE = "yyyyuua(yv)";

    private final boolean big;
    private final BodyWriter header;
    private final BodyWriter body;
    private final String[] strings = new String[Protocol.MAX_KNOWN_FIELD + 1];
    private int type;
    private int flags;
    private long serial;
    private long replySerial;
    private int unixFds = -1;
    private boolean hasBody;
    private boolean built;

    public MessageBuilder() {
        this(false);
    }

    public MessageBuilder(boolean bigEndian) {
        this.big = bigEndian;
        this.header = new BodyWriter(bigEndian);
        this.body = new BodyWriter(bigEndian);
    }

    public MessageBuilder reset(int type, int flags, long serial) {
        this.type = type;
        this.flags = flags;
        this.serial = serial;
        this.replySerial = 0;
        this.unixFds = -1;
        this.hasBody = false;
        this.built = false;
        java.util.Arrays.fill(strings, null);
        return this;
    }

    private MessageBuilder set(int code, String v, boolean valid) {
        if (v != null && !valid) {
            throw new IllegalArgumentException("invalid value for header field " + code + ": " + v);
        }
        strings[code] = v;
        built = false;
        return this;
    }

    public MessageBuilder path(String v) { return set(Protocol.FIELD_PATH, v, v == null || Names.isValidObjectPath(v)); }
    public MessageBuilder interfaceName(String v) { return set(Protocol.FIELD_INTERFACE, v, v == null || Names.isValidInterfaceName(v)); }
    public MessageBuilder member(String v) { return set(Protocol.FIELD_MEMBER, v, v == null || Names.isValidMemberName(v)); }
    public MessageBuilder errorName(String v) { return set(Protocol.FIELD_ERROR_NAME, v, v == null || Names.isValidErrorName(v)); }
    public MessageBuilder destination(String v) { return set(Protocol.FIELD_DESTINATION, v, v == null || Names.isValidBusName(v)); }
    public MessageBuilder sender(String v) { return set(Protocol.FIELD_SENDER, v, v == null || Names.isValidBusName(v)); }

    public MessageBuilder replySerial(long v) {
        replySerial = v;
        built = false;
        return this;
    }

    /** Sets UNIX_FDS; a negative value omits the field. */
    public MessageBuilder unixFds(int n) {
        unixFds = n;
        built = false;
        return this;
    }

    /** Sets the SIGNATURE field and returns the writer for the body, which must follow it exactly. */
    public BodyWriter body(String signature) {
        body.reset(signature);
        hasBody = !signature.isEmpty();
        built = false;
        return body;
    }

    private void build() {
        if (built) {
            return;
        }
        if (hasBody && !body.isComplete()) {
            throw new IllegalStateException("body incomplete for signature " + body.signature());
        }
        BodyWriter h = header.reset(HEADER_SIGNATURE);
        h.writeByte(big ? Protocol.BIG_ENDIAN : Protocol.LITTLE_ENDIAN);
        h.writeByte(type);
        h.writeByte(flags);
        h.writeByte(Protocol.PROTOCOL_VERSION);
        h.writeUint32(hasBody ? body.length() : 0);
        h.writeUint32(serial);
        h.beginArray();
        stringField(h, Protocol.FIELD_PATH, "o");
        stringField(h, Protocol.FIELD_INTERFACE, "s");
        stringField(h, Protocol.FIELD_MEMBER, "s");
        stringField(h, Protocol.FIELD_ERROR_NAME, "s");
        if (replySerial != 0) {
            h.beginStruct().writeByte(Protocol.FIELD_REPLY_SERIAL).beginVariant("u")
                    .writeUint32(replySerial).endVariant().endStruct();
        }
        stringField(h, Protocol.FIELD_DESTINATION, "s");
        stringField(h, Protocol.FIELD_SENDER, "s");
        if (hasBody) {
            h.beginStruct().writeByte(Protocol.FIELD_SIGNATURE).beginVariant("g")
                    .writeSignature(body.signature()).endVariant().endStruct();
        }
        if (unixFds >= 0) {
            h.beginStruct().writeByte(Protocol.FIELD_UNIX_FDS).beginVariant("u")
                    .writeUint32(unixFds).endVariant().endStruct();
        }
        h.endArray();
        built = true;
    }

    private void stringField(BodyWriter h, int code, String type) {
        String v = strings[code];
        if (v == null) {
            return;
        }
        h.beginStruct().writeByte(code).beginVariant(type);
        if (type.equals("o")) {
            h.writeObjectPath(v);
        } else {
            h.writeString(v);
        }
        h.endVariant().endStruct();
    }

    private int headerPadded() {
        return (header.length() + 7) & ~7;
    }

    /** Total length of the message as built now. */
    public int length() {
        build();
        return headerPadded() + (hasBody ? body.length() : 0);
    }

    /** Writes the whole message at {@code off}; returns the bytes written ({@link #length()}). */
    public int writeTo(MemorySegment dst, long off) {
        int n = length();
        int h = header.copyTo(dst, off);
        dst.asSlice(off + h, headerPadded() - h).fill((byte) 0);
        if (hasBody) {
            body.copyTo(dst, off + headerPadded());
        }
        return n;
    }

    /** The whole message as a new array. */
    public byte[] toBytes() {
        byte[] out = new byte[length()];
        writeTo(MemorySegment.ofArray(out), 0);
        return out;
    }
}
