package dev.omnibus.daemon.cli;

/**
 * C {@code strtol(s, &end, 0)} semantics for descriptor arguments, because dbus-daemon accepts
 * {@code " 1"}, {@code "0x2"} and {@code "02"} as descriptors (checked against 1.14.10) and rejects
 * trailing junk. Stateless; any thread.
 */
final class CNumbers {
    private CNumbers() {}

    /** The value, or {@link Long#MIN_VALUE} when {@code s} is not entirely a C integer. */
    static long parseLong(String s) {
        int i = 0;
        int n = s.length();
        while (i < n && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        int radix = 10;
        if (i + 1 < n && s.charAt(i) == '0' && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X')) {
            radix = 16;
            i += 2;
        } else if (i < n && s.charAt(i) == '0') {
            radix = 8;
        }
        if (i >= n) {
            return Long.MIN_VALUE;
        }
        long v = 0;
        for (; i < n; i++) {
            int d = Character.digit(s.charAt(i), radix);
            if (d < 0) {
                return Long.MIN_VALUE;
            }
            v = v * radix + d;
            if (v > Integer.MAX_VALUE) {
                return Long.MIN_VALUE;
            }
        }
        return negative ? -v : v;
    }
}
