package dev.omnibus.broker;

import dev.omnibus.wire.BodyWriter;
import dev.omnibus.wire.Protocol;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Hand-made message bytes that {@link dev.omnibus.wire.MessageBuilder} will not produce (unknown
 * header fields, broken headers), and a minimal reader of header field codes, for tests of what
 * the bus forwards and what it refuses. Little-endian. Stateless.
 */
final class RawMessages {
    private RawMessages() {}

    /**
     * A METHOD_CALL (NO_REPLY_EXPECTED) to {@code dest} with an extra header field {@code code} of
     * type 's' holding {@code value}, and a body of one string.
     */
    static byte[] callWithUnknownField(long serial, String dest, int code, String value, String arg) {
        BodyWriter body = new BodyWriter(false).reset("s").writeString(arg);
        BodyWriter h = new BodyWriter(false).reset("yyyyuua(yv)");
        h.writeByte(Protocol.LITTLE_ENDIAN).writeByte(Protocol.METHOD_CALL).writeByte(Protocol.FLAG_NO_REPLY_EXPECTED)
                .writeByte(Protocol.PROTOCOL_VERSION).writeUint32(body.length()).writeUint32(serial);
        h.beginArray();
        h.beginStruct().writeByte(Protocol.FIELD_PATH).beginVariant("o").writeObjectPath("/obj").endVariant().endStruct();
        h.beginStruct().writeByte(Protocol.FIELD_MEMBER).beginVariant("s").writeString("Echo").endVariant().endStruct();
        h.beginStruct().writeByte(code).beginVariant("s").writeString(value).endVariant().endStruct();
        h.beginStruct().writeByte(Protocol.FIELD_DESTINATION).beginVariant("s").writeString(dest).endVariant().endStruct();
        h.beginStruct().writeByte(Protocol.FIELD_SIGNATURE).beginVariant("g").writeSignature("s").endVariant().endStruct();
        h.endArray();
        byte[] header = h.toBytes();
        int padded = (header.length + 7) & ~7;
        byte[] out = Arrays.copyOf(header, padded + body.length());
        System.arraycopy(body.toBytes(), 0, out, padded, body.length());
        return out;
    }

    /** The codes of the header fields, in wire order (little-endian messages; values of type s, o, g, u only). */
    static int[] headerFieldCodes(byte[] msg) {
        ByteBuffer b = ByteBuffer.wrap(msg).order(ByteOrder.LITTLE_ENDIAN);
        int end = 16 + b.getInt(12);
        int p = 16;
        int[] codes = new int[0];
        while (p < end) {
            p = (p + 7) & ~7;
            int code = msg[p] & 0xff;
            int sigLen = msg[p + 1] & 0xff;
            char type = (char) msg[p + 2];
            p += 2 + sigLen + 1;
            switch (type) {
                case 's', 'o' -> {
                    p = (p + 3) & ~3;
                    p += 4 + b.getInt(p) + 1;
                }
                case 'g' -> p += 1 + (msg[p] & 0xff) + 1;
                case 'u' -> p = ((p + 3) & ~3) + 4;
                default -> throw new AssertionError("header field " + code + " of type " + type);
            }
            codes = Arrays.copyOf(codes, codes.length + 1);
            codes[codes.length - 1] = code;
        }
        return codes;
    }

    /** The body bytes of a little-endian message. */
    static byte[] body(byte[] msg) {
        ByteBuffer b = ByteBuffer.wrap(msg).order(ByteOrder.LITTLE_ENDIAN);
        int bodyLen = b.getInt(4);
        return Arrays.copyOfRange(msg, msg.length - bodyLen, msg.length);
    }
}
