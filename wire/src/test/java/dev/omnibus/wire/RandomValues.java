package dev.omnibus.wire;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Test helper: random signatures and matching values of the generic value model. */
final class RandomValues {
    private static final String BASIC = "ybnqiuxtdhsog";
    static final int FDS = 4;

    private final Random r;

    RandomValues(Random r) {
        this.r = r;
    }

    /** A random single complete type, nesting at most {@code depth} more containers. */
    String type(int depth) {
        int k = r.nextInt(depth <= 0 ? BASIC.length() : BASIC.length() + 5);
        if (k < BASIC.length()) {
            return String.valueOf(BASIC.charAt(k));
        }
        return switch (k - BASIC.length()) {
            case 0 -> "v";
            case 1 -> "a" + type(depth - 1);
            case 2 -> "a{" + BASIC.charAt(r.nextInt(BASIC.length())) + type(depth - 1) + "}";
            default -> {
                StringBuilder sb = new StringBuilder("(");
                int n = 1 + r.nextInt(3);
                for (int i = 0; i < n; i++) {
                    sb.append(type(depth - 1));
                }
                yield sb.append(')').toString();
            }
        };
    }

    String signature(int types, int depth) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < types; i++) {
            sb.append(type(depth));
        }
        return sb.toString();
    }

    List<Object> values(String sig, int depth) {
        List<Object> out = new ArrayList<>();
        int[] p = {0};
        while (p[0] < sig.length()) {
            out.add(value(sig, p, depth));
        }
        return out;
    }

    private String string() {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(6);
        for (int i = 0; i < n; i++) {
            int cp = switch (r.nextInt(4)) {
                case 0 -> 1 + r.nextInt(0x7f);
                case 1 -> 0x80 + r.nextInt(0x780);
                case 2 -> 0xe000 + r.nextInt(0x2000);
                default -> 0x10000 + r.nextInt(0x100000);
            };
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    private String path() {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(3);
        for (int i = 0; i < n; i++) {
            sb.append('/').append("ab_9Z".charAt(r.nextInt(5)));
        }
        return n == 0 ? "/" : sb.toString();
    }

    /** Value of the complete type at p[0] of sig; advances p[0]. */
    Object value(String sig, int[] p, int depth) {
        char c = sig.charAt(p[0]++);
        switch (c) {
            case 'y': return (byte) r.nextInt();
            case 'b': return r.nextBoolean();
            case 'n': return (short) r.nextInt();
            case 'q': return new UInt16(r.nextInt(0x10000));
            case 'i': return r.nextInt();
            case 'u': return new UInt32(r.nextInt() & 0xffff_ffffL);
            case 'x': return r.nextLong();
            case 't': return new UInt64(r.nextLong());
            case 'd': return r.nextInt(4) == 0 ? Double.NaN : r.nextDouble() * 1e6;
            case 'h': return new UnixFd(r.nextInt(FDS));
            case 's': return string();
            case 'o': return new ObjectPath(path());
            case 'g': return new SignatureValue(signature(r.nextInt(3), 1));
            case 'v': {
                String t = type(Math.min(depth, 2));
                return new Variant(t, value(t, new int[] {0}, depth - 1));
            }
            case 'a': {
                int n = r.nextInt(4);
                if (sig.charAt(p[0]) == '{') {
                    p[0]++;
                    int start = p[0];
                    Map<Object, Object> m = new LinkedHashMap<>();
                    for (int i = 0; i < n; i++) {
                        p[0] = start;
                        Object k = value(sig, p, depth - 1);
                        m.put(k, value(sig, p, depth - 1));
                    }
                    p[0] = Signature.skipType(sig.getBytes(), start - 2);
                    return m;
                }
                int start = p[0];
                List<Object> l = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    p[0] = start;
                    l.add(value(sig, p, depth - 1));
                }
                p[0] = Signature.skipType(sig.getBytes(), start);
                return l;
            }
            case '(': {
                List<Object> f = new ArrayList<>();
                while (sig.charAt(p[0]) != ')') {
                    f.add(value(sig, p, depth - 1));
                }
                p[0]++;
                return new Struct(f);
            }
            default: throw new IllegalArgumentException(sig);
        }
    }

    /** A complete valid message carrying sig/values, UNIX_FDS = FDS. */
    static byte[] message(boolean big, String sig, List<Object> values) {
        return Msgs.call(big, sig, values, Msgs.f(Protocol.FIELD_UNIX_FDS, "u", new UInt32(FDS)),
                Msgs.f(Protocol.FIELD_SENDER, "s", ":1.7"));
    }
}
