package dev.omnibus.wire;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Test helper: raw messages with arbitrary (even invalid) header fields, built with BodyWriter. */
final class Msgs {
    private Msgs() {}

    static Struct f(int code, String sig, Object v) {
        return Struct.of((byte) code, new Variant(sig, v));
    }

    static byte[] raw(boolean big, int type, int flags, long serial, List<Struct> fields, String bodySig, List<?> body) {
        BodyWriter b = new BodyWriter(big).reset(bodySig);
        Marshaller.writeAll(b, body);
        BodyWriter h = new BodyWriter(big).reset("yyyyuua(yv)");
        h.writeByte(big ? 'B' : 'l').writeByte(type).writeByte(flags).writeByte(1)
                .writeUint32(b.length()).writeUint32(serial);
        Marshaller.write(h, fields);
        int hl = (h.length() + 7) & ~7;
        byte[] out = Arrays.copyOf(h.toBytes(), hl + b.length());
        System.arraycopy(b.toBytes(), 0, out, hl, b.length());
        return out;
    }

    /** A method call to a.b.C /a/b with the given body; fields beyond the usual come from extra. */
    static byte[] call(boolean big, String sig, List<?> body, Struct... extra) {
        List<Struct> fields = new ArrayList<>(List.of(
                f(Protocol.FIELD_PATH, "o", new ObjectPath("/a/b")),
                f(Protocol.FIELD_INTERFACE, "s", "a.b.C"),
                f(Protocol.FIELD_MEMBER, "s", "Method"),
                f(Protocol.FIELD_DESTINATION, "s", "org.example.Dest")));
        if (!sig.isEmpty()) {
            fields.add(f(Protocol.FIELD_SIGNATURE, "g", new SignatureValue(sig)));
        }
        fields.addAll(List.of(extra));
        return raw(big, Protocol.METHOD_CALL, 0, 7, fields, sig, body);
    }

    static int wrap(MessageView v, byte[] b) {
        return wrap(v, b, 0);
    }

    static int wrap(MessageView v, byte[] b, int fds) {
        return v.wrap(MemorySegment.ofArray(b), 0, b.length, fds);
    }

    /** Index of the first occurrence of {@code needle} in {@code hay}. */
    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
