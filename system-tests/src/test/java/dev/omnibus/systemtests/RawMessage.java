package dev.omnibus.systemtests;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Hand-written little-endian D-Bus marshalling for the bad-input tests, deliberately independent of
 * the wire module (which is what is being tested, and mid-construction). It writes exactly the bytes
 * it is told to, including wrong ones: a header field of the wrong type, a bogus signature, a
 * length over the limit. Layout (spec "Message Format"): 12 fixed bytes ({@code 'l'}, type, flags,
 * version 1, body length, serial), then the header field array {@code a(yv)}, padding to 8, body.
 * Not thread-safe; build one message per instance.
 */
public final class RawMessage {

    public static final byte METHOD_CALL = 1;
    public static final byte METHOD_RETURN = 2;
    public static final byte ERROR = 3;
    public static final byte SIGNAL = 4;

    public static final byte FIELD_PATH = 1;
    public static final byte FIELD_INTERFACE = 2;
    public static final byte FIELD_MEMBER = 3;
    public static final byte FIELD_ERROR_NAME = 4;
    public static final byte FIELD_REPLY_SERIAL = 5;
    public static final byte FIELD_DESTINATION = 6;
    public static final byte FIELD_SENDER = 7;
    public static final byte FIELD_SIGNATURE = 8;

    /** Growable little-endian writer with D-Bus alignment relative to its own start. */
    public static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        public int size() {
            return out.size();
        }

        public Writer align(int n) {
            while (out.size() % n != 0) {
                out.write(0);
            }
            return this;
        }

        public Writer u8(int v) {
            out.write(v);
            return this;
        }

        public Writer u32(int v) {
            align(4);
            out.write(v);
            out.write(v >>> 8);
            out.write(v >>> 16);
            out.write(v >>> 24);
            return this;
        }

        /** STRING or OBJECT_PATH: u32 length, bytes, nul. */
        public Writer string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u32(b.length);
            out.writeBytes(b);
            out.write(0);
            return this;
        }

        /** SIGNATURE: u8 length, bytes, nul. */
        public Writer signature(String s) {
            byte[] b = s.getBytes(StandardCharsets.US_ASCII);
            out.write(b.length);
            out.writeBytes(b);
            out.write(0);
            return this;
        }

        public Writer bytes(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        public byte[] toByteArray() {
            return out.toByteArray();
        }
    }

    private final byte type;
    private final int serial;
    private final Writer fields = new Writer();
    private byte[] body = new byte[0];
    private Integer bodyLengthOverride;
    private int flags;

    private RawMessage(byte type, int serial) {
        this.type = type;
        this.serial = serial;
    }

    public static RawMessage of(byte type, int serial) {
        return new RawMessage(type, serial);
    }

    /** A method call with the usual fields; add SIGNATURE and body as needed. */
    public static RawMessage call(int serial, String destination, String path, String iface, String member) {
        RawMessage m = new RawMessage(METHOD_CALL, serial);
        m.field(FIELD_PATH, "o", w -> w.string(path));
        if (iface != null) {
            m.field(FIELD_INTERFACE, "s", w -> w.string(iface));
        }
        m.field(FIELD_MEMBER, "s", w -> w.string(member));
        if (destination != null) {
            m.field(FIELD_DESTINATION, "s", w -> w.string(destination));
        }
        return m;
    }

    /** The driver's Hello call. */
    public static byte[] hello(int serial) {
        return call(serial, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello")
                .toBytes();
    }

    /** Adds a header field whose variant has signature {@code sig} (need not be the right one). */
    public RawMessage field(byte code, String sig, Consumer<Writer> value) {
        fields.align(8).u8(code).signature(sig);
        value.accept(fields);
        return this;
    }

    /** Adds a SIGNATURE header field and a body written by {@code body}. */
    public RawMessage body(String signature, Consumer<Writer> body) {
        field(FIELD_SIGNATURE, "g", w -> w.signature(signature));
        Writer w = new Writer();
        body.accept(w);
        this.body = w.toByteArray();
        return this;
    }

    /** Claims a body length different from the body actually written. */
    public RawMessage claimBodyLength(int length) {
        this.bodyLengthOverride = length;
        return this;
    }

    public RawMessage flags(int flags) {
        this.flags = flags;
        return this;
    }

    public byte[] toBytes() {
        byte[] f = fields.toByteArray();
        Writer w = new Writer();
        w.u8('l').u8(type).u8(flags).u8(1);
        w.u32(bodyLengthOverride != null ? bodyLengthOverride : body.length);
        w.u32(serial);
        w.u32(f.length);
        w.bytes(f);
        w.align(8);
        w.bytes(body);
        return w.toByteArray();
    }

    /**
     * A received message, parsed just enough for assertions: type, serial, reply serial, error
     * name, signature and the first STRING of the body (if the body starts with one).
     */
    public record Parsed(byte type, int serial, int replySerial, String errorName, String member,
                         String signature, String firstString) {

        /** Parses one complete message in {@code m} (little- or big-endian). */
        public static Parsed parse(byte[] m) {
            ByteBuffer b = ByteBuffer.wrap(m).order(m[0] == 'B' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            byte type = b.get(1);
            int serial = b.getInt(8);
            int fieldsLen = b.getInt(12);
            int pos = 16;
            int end = 16 + fieldsLen;
            int replySerial = 0;
            String errorName = null;
            String member = null;
            String signature = "";
            while (pos < end) {
                pos = (pos + 7) & ~7;
                int code = b.get(pos++) & 0xff;
                int sigLen = b.get(pos++) & 0xff;
                String sig = new String(m, pos, sigLen, StandardCharsets.US_ASCII);
                pos += sigLen + 1;
                switch (sig) {
                    case "s", "o" -> {
                        pos = (pos + 3) & ~3;
                        int len = b.getInt(pos);
                        String s = new String(m, pos + 4, len, StandardCharsets.UTF_8);
                        pos += 4 + len + 1;
                        if (code == FIELD_ERROR_NAME) {
                            errorName = s;
                        } else if (code == FIELD_MEMBER) {
                            member = s;
                        }
                    }
                    case "g" -> {
                        int len = b.get(pos) & 0xff;
                        if (code == FIELD_SIGNATURE) {
                            signature = new String(m, pos + 1, len, StandardCharsets.US_ASCII);
                        }
                        pos += 1 + len + 1;
                    }
                    case "u" -> {
                        pos = (pos + 3) & ~3;
                        if (code == FIELD_REPLY_SERIAL) {
                            replySerial = b.getInt(pos);
                        }
                        pos += 4;
                    }
                    default -> throw new IllegalArgumentException("unexpected header field type " + sig);
                }
            }
            int bodyStart = (end + 7) & ~7;
            String first = null;
            if (signature.startsWith("s") && m.length >= bodyStart + 4) {
                int len = b.getInt(bodyStart);
                first = new String(m, bodyStart + 4, len, StandardCharsets.UTF_8);
            }
            return new Parsed(type, serial, replySerial, errorName, member, signature, first);
        }
    }
}
