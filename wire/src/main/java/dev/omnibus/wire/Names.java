package dev.omnibus.wire;

import java.lang.foreign.MemorySegment;

/**
 * Validity of bus, interface, member and error names and object paths (spec "Valid Names",
 * "Valid Object Paths"). Each rule has a {@link CharSequence} version and an allocation-free
 * version over bytes in a {@link MemorySegment}; both run the same code.
 *
 * <p>All names are ASCII, so a byte above 0x7f or a char above U+007F is simply invalid.
 * Stateless; used from any thread.
 */
public final class Names {
    private Names() {}

    // ---- CharSequence versions -------------------------------------------------------------

    public static boolean isValidBusName(CharSequence s) {
        return busName(s, 0, s.length(), ANY);
    }

    public static boolean isValidUniqueName(CharSequence s) {
        return busName(s, 0, s.length(), UNIQUE);
    }

    public static boolean isValidWellKnownName(CharSequence s) {
        return busName(s, 0, s.length(), WELL_KNOWN);
    }

    public static boolean isValidInterfaceName(CharSequence s) {
        return dotted(s, 0, s.length());
    }

    /** Error names follow the interface name rules (spec "Error names"). */
    public static boolean isValidErrorName(CharSequence s) {
        return dotted(s, 0, s.length());
    }

    public static boolean isValidMemberName(CharSequence s) {
        return member(s, 0, s.length());
    }

    public static boolean isValidObjectPath(CharSequence s) {
        return objectPath(s, 0, s.length());
    }

    // ---- MemorySegment versions: {@code len} bytes at {@code off}, no terminating NUL --------

    public static boolean isValidBusName(MemorySegment seg, long off, int len) {
        return busName(seg, off, len, ANY);
    }

    public static boolean isValidUniqueName(MemorySegment seg, long off, int len) {
        return busName(seg, off, len, UNIQUE);
    }

    public static boolean isValidWellKnownName(MemorySegment seg, long off, int len) {
        return busName(seg, off, len, WELL_KNOWN);
    }

    public static boolean isValidInterfaceName(MemorySegment seg, long off, int len) {
        return dotted(seg, off, len);
    }

    public static boolean isValidErrorName(MemorySegment seg, long off, int len) {
        return dotted(seg, off, len);
    }

    public static boolean isValidMemberName(MemorySegment seg, long off, int len) {
        return member(seg, off, len);
    }

    public static boolean isValidObjectPath(MemorySegment seg, long off, int len) {
        return objectPath(seg, off, len);
    }

    // ---- shared rules -----------------------------------------------------------------------

    private static final int ANY = 0, UNIQUE = 1, WELL_KNOWN = 2;

    /**
     * Up to 8 characters from index {@code i} as a little-endian word: bytes of a MemorySegment
     * (one bounds check per word, see {@link WireBytes#word}), or chars of a CharSequence with any
     * char above 0x7f mapped to 0x80 (invalid in every name). Lanes past {@code len} are zero.
     */
    private static long word(Object src, long off, int i, int len) {
        if (src instanceof MemorySegment seg) {
            return WireBytes.word(seg, off + i, len - i);
        }
        CharSequence cs = (CharSequence) src;
        int n = Math.min(8, len - i);
        long w = 0;
        for (int k = 0; k < n; k++) {
            char c = cs.charAt(i + k);
            w |= (long) (c > 0x7f ? 0x80 : c) << (k << 3);
        }
        return w;
    }

    /** Character {@code i} (a byte value) from the current word; reloads it every 8 characters. */
    private static int lane(long w, int i) {
        return (int) (w >>> ((i & 7) << 3)) & 0xff;
    }

    /** The first character (a byte value) of a non-empty name. */
    private static int first(Object src, long off, int len) {
        return lane(word(src, off, 0, len), 0);
    }

    private static boolean isAlpha(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    /**
     * Bus names (spec "Bus names"): at most 255 bytes, at least two non-empty '.'-separated
     * elements of [A-Za-z0-9_-]; a unique name starts with ':' and its elements may begin with a
     * digit, a well-known name's elements may not.
     */
    private static boolean busName(Object src, long off, int len, int kind) {
        if (len < 1 || len > Protocol.MAX_NAME_LENGTH) {
            return false;
        }
        boolean unique = first(src, off, len) == ':';
        if ((kind == UNIQUE && !unique) || (kind == WELL_KNOWN && unique)) {
            return false;
        }
        int i = unique ? 1 : 0;
        int elements = 0;
        boolean elementStart = true;
        long w = word(src, off, 0, len);
        for (; i < len; i++) {
            if ((i & 7) == 0) {
                w = word(src, off, i, len);
            }
            int c = lane(w, i);
            if (c == '.') {
                if (elementStart) {
                    return false; // empty element (leading '.' or "..")
                }
                elementStart = true;
            } else if (isAlpha(c) || c == '-') {
                if (elementStart) {
                    elements++;
                    elementStart = false;
                }
            } else if (isDigit(c)) {
                if (elementStart) {
                    if (!unique) {
                        return false;
                    }
                    elements++;
                    elementStart = false;
                }
            } else {
                return false;
            }
        }
        return !elementStart && elements >= 2;
    }

    /**
     * Interface and error names (spec "Interface names", "Error names"): at most 255 bytes, at
     * least two non-empty '.'-separated elements of [A-Za-z0-9_], none beginning with a digit.
     */
    private static boolean dotted(Object src, long off, int len) {
        if (len < 1 || len > Protocol.MAX_NAME_LENGTH) {
            return false;
        }
        int elements = 0;
        boolean elementStart = true;
        long w = 0;
        for (int i = 0; i < len; i++) {
            if ((i & 7) == 0) {
                w = word(src, off, i, len);
            }
            int c = lane(w, i);
            if (c == '.') {
                if (elementStart) {
                    return false;
                }
                elementStart = true;
            } else if (isAlpha(c)) {
                if (elementStart) {
                    elements++;
                    elementStart = false;
                }
            } else if (isDigit(c)) {
                if (elementStart) {
                    return false;
                }
            } else {
                return false;
            }
        }
        return !elementStart && elements >= 2;
    }

    /** Member names (spec "Member names"): 1 to 255 bytes of [A-Za-z0-9_], not beginning with a digit. */
    private static boolean member(Object src, long off, int len) {
        if (len < 1 || len > Protocol.MAX_NAME_LENGTH) {
            return false;
        }
        long w = word(src, off, 0, len);
        if (!isAlpha(lane(w, 0))) {
            return false;
        }
        for (int i = 1; i < len; i++) {
            if ((i & 7) == 0) {
                w = word(src, off, i, len);
            }
            int c = lane(w, i);
            if (!isAlpha(c) && !isDigit(c)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Object paths (spec "Valid Object Paths"): "/" or '/'-prefixed non-empty elements of
     * [A-Za-z0-9_], no trailing '/'. The spec sets no length limit beyond the message's.
     */
    private static boolean objectPath(Object src, long off, int len) {
        if (len < 1) {
            return false;
        }
        long w = word(src, off, 0, len);
        if (lane(w, 0) != '/') {
            return false;
        }
        if (len == 1) {
            return true;
        }
        boolean elementStart = true;
        for (int i = 1; i < len; i++) {
            if ((i & 7) == 0) {
                w = word(src, off, i, len);
            }
            int c = lane(w, i);
            if (c == '/') {
                if (elementStart) {
                    return false;
                }
                elementStart = true;
            } else if (isAlpha(c) || isDigit(c)) {
                elementStart = false;
            } else {
                return false;
            }
        }
        return !elementStart;
    }
}
