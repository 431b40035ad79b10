package dev.omnibus.wire;

import java.util.List;
import java.util.Map;

/**
 * Writes plain Java values (the generic value model) through a {@link BodyWriter}, driven by the
 * writer's signature. Mapping: y Byte, b Boolean, n Short, q {@link UInt16}, i Integer,
 * u {@link UInt32}, x Long, t {@link UInt64}, d Double, h {@link UnixFd}, s String,
 * o {@link ObjectPath}, g {@link SignatureValue}, a{..} {@link Map}, other arrays {@link List},
 * (..) {@link Struct}, v {@link Variant}. For tests and tools (cold path); stateless.
 */
public final class Marshaller {
    private Marshaller() {}

    /** Writes every value in order; together they must complete the writer's signature. */
    public static void writeAll(BodyWriter w, List<?> values) {
        for (Object v : values) {
            write(w, v);
        }
        if (!w.isComplete()) {
            throw new IllegalArgumentException("too few values for signature " + w.signature());
        }
    }

    /** Writes one value of the type the writer expects next. */
    public static void write(BodyWriter w, Object v) {
        int t = w.nextType();
        switch (t) {
            case 'y' -> w.writeByte(((Byte) v));
            case 'b' -> w.writeBoolean((Boolean) v);
            case 'n' -> w.writeInt16((Short) v);
            case 'q' -> w.writeUint16(((UInt16) v).value());
            case 'i' -> w.writeInt32((Integer) v);
            case 'u' -> w.writeUint32(((UInt32) v).value());
            case 'x' -> w.writeInt64((Long) v);
            case 't' -> w.writeUint64(((UInt64) v).bits());
            case 'd' -> w.writeDouble((Double) v);
            case 'h' -> w.writeUnixFd(((UnixFd) v).index());
            case 's' -> w.writeString((String) v);
            case 'o' -> w.writeObjectPath(((ObjectPath) v).path());
            case 'g' -> w.writeSignature(((SignatureValue) v).signature());
            case 'a' -> {
                w.beginArray();
                if (w.nextType() == '{') {
                    for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                        w.beginDictEntry();
                        write(w, e.getKey());
                        write(w, e.getValue());
                        w.endDictEntry();
                    }
                } else {
                    for (Object e : (List<?>) v) {
                        write(w, e);
                    }
                }
                w.endArray();
            }
            case '(' -> {
                w.beginStruct();
                for (Object f : ((Struct) v).fields()) {
                    write(w, f);
                }
                w.endStruct();
            }
            case 'v' -> {
                Variant var = (Variant) v;
                w.beginVariant(var.signature());
                write(w, var.value());
                w.endVariant();
            }
            default -> throw new IllegalArgumentException("no value expected, got " + v);
        }
    }
}
