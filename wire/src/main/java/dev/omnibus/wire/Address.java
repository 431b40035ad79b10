package dev.omnibus.wire;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parsing and escaping of D-Bus addresses (spec: "Server Addresses"): {@code ';'}-separated entries
 * {@code transport:key=value,key=value}, values %-escaped byte-wise (UTF-8).
 *
 * <p>Follows libdbus 1.14 ({@code dbus_parse_address}) where the spec is silent, checked with
 * {@code dbus-send --address}: one trailing {@code ';'} and one trailing {@code ','} are allowed, other
 * empty entries or parameters are errors; every key needs a non-empty value; a repeated key keeps its
 * first value (libdbus looks up the first); an unescaped backslash is accepted as libdbus does, but
 * {@link #escape} always escapes it. Stateless.
 */
public final class Address {

    private Address() {
    }

    /** Parses a full address (one or more entries). */
    public static List<AddressEntry> parse(String text) throws AddressException {
        List<AddressEntry> out = new ArrayList<>();
        int n = text.length();
        int pos = 0;
        if (n == 0) {
            throw new AddressException("Empty address");
        }
        while (pos < n) {
            int end = text.indexOf(';', pos);
            if (end < 0) {
                end = n;
            }
            out.add(parseEntry(text.substring(pos, end)));
            pos = end + 1; // a single trailing ';' ends the loop here
        }
        return List.copyOf(out);
    }

    private static AddressEntry parseEntry(String entry) throws AddressException {
        int colon = entry.indexOf(':');
        if (colon < 0) {
            throw new AddressException("Address entry \"" + entry + "\" does not contain a colon");
        }
        String transport = entry.substring(0, colon);
        Map<String, String> params = new LinkedHashMap<>();
        int pos = colon + 1;
        int n = entry.length();
        while (pos < n) {
            int end = entry.indexOf(',', pos);
            if (end < 0) {
                end = n;
            }
            String kv = entry.substring(pos, end);
            int eq = kv.indexOf('=');
            if (eq <= 0 || eq == kv.length() - 1) {
                throw new AddressException("In address entry \"" + entry + "\", \"" + kv
                        + "\" is not key=value with a non-empty key and value");
            }
            String key = kv.substring(0, eq);
            String value = unescape(kv.substring(eq + 1));
            params.putIfAbsent(key, value);
            pos = end + 1;
        }
        return new AddressEntry(transport, params);
    }

    /** Spec: the optionally-escaped bytes {@code [-0-9A-Za-z_/.*]}; {@code strict} excludes backslash. */
    private static boolean optionallyEscaped(int b, boolean strict) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                || b == '-' || b == '_' || b == '/' || b == '.' || b == '*' || (!strict && b == '\\');
    }

    /** Value of an ASCII hex digit (either case), -1 otherwise (Character.digit also takes non-ASCII digits). */
    static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** %-escapes every UTF-8 byte of {@code value} outside the optionally-escaped set. */
    public static String escape(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length + 8);
        for (byte raw : bytes) {
            int b = raw & 0xff;
            if (optionallyEscaped(b, true)) {
                sb.append((char) b);
            } else {
                sb.append('%').append(HEX[b >> 4]).append(HEX[b & 0xf]);
            }
        }
        return sb.toString();
    }

    /** Reverses {@link #escape}; refuses bad %-sequences, unescaped special bytes and invalid UTF-8. */
    public static String unescape(String value) throws AddressException {
        byte[] out = new byte[value.length()];
        int len = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%') {
                if (i + 2 >= value.length()) {
                    throw new AddressException("In D-Bus address, percent character was not followed by"
                            + " two hex digits");
                }
                int hi = hexValue(value.charAt(i + 1));
                int lo = hexValue(value.charAt(i + 2));
                if (hi < 0 || lo < 0) {
                    throw new AddressException("In D-Bus address, percent character was followed by"
                            + " characters other than hex digits");
                }
                out[len++] = (byte) (hi << 4 | lo);
                i += 2;
            } else if (c < 0x80 && optionallyEscaped(c, false)) {
                out[len++] = (byte) c;
            } else {
                throw new AddressException("In D-Bus address, character '" + c + "' should have been escaped");
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out, 0, len))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new AddressException("In D-Bus address, escaped value is not valid UTF-8");
        }
    }
}
