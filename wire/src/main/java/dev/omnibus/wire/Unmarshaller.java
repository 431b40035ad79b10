package dev.omnibus.wire;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a validated body into plain Java values (the generic value model of {@link Marshaller}).
 * Dicts become insertion-ordered maps (a later duplicate key wins). For tests and tools (cold
 * path); stateless.
 */
public final class Unmarshaller {
    private Unmarshaller() {}

    /** Reads all remaining values of the current context. */
    public static List<Object> readAll(BodyReader r) {
        List<Object> out = new ArrayList<>();
        while (r.hasNext()) {
            out.add(read(r));
        }
        return out;
    }

    /** Reads the next value. */
    public static Object read(BodyReader r) {
        int t = r.nextType();
        return switch (t) {
            case 'y' -> r.readByte();
            case 'b' -> r.readBoolean();
            case 'n' -> r.readInt16();
            case 'q' -> new UInt16(r.readUint16());
            case 'i' -> r.readInt32();
            case 'u' -> new UInt32(r.readUint32());
            case 'x' -> r.readInt64();
            case 't' -> new UInt64(r.readUint64());
            case 'd' -> r.readDouble();
            case 'h' -> new UnixFd(r.readUnixFd());
            case 's' -> r.readString();
            case 'o' -> new ObjectPath(r.readObjectPath());
            case 'g' -> new SignatureValue(r.readSignature());
            case 'a' -> {
                r.enterArray();
                if (r.nextType() == '{') {
                    Map<Object, Object> m = new LinkedHashMap<>();
                    while (r.arrayHasMore()) {
                        r.enterDictEntry();
                        Object k = read(r);
                        Object v = read(r);
                        r.exitDictEntry();
                        m.put(k, v);
                    }
                    yield m;
                }
                List<Object> l = new ArrayList<>();
                while (r.arrayHasMore()) {
                    l.add(read(r));
                }
                yield l;
            }
            case '(' -> {
                r.enterStruct();
                List<Object> fields = readAll(r);
                r.exitStruct();
                yield new Struct(fields);
            }
            case 'v' -> {
                String sig = r.enterVariant();
                Object v = read(r);
                r.exitVariant();
                yield new Variant(sig, v);
            }
            default -> throw new IllegalStateException("no value to read");
        };
    }
}
