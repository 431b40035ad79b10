package dev.omnibus.wire;

/**
 * D-Bus protocol constants: message types, flags, header field codes and limits.
 *
 * <p>Every value is from the D-Bus specification ("Message Format", "Valid Signatures", "Valid
 * Names"), section named beside it. Stateless; used from any thread.
 */
public final class Protocol {
    private Protocol() {}

    /** Message types (spec "Message Format", second header byte). 0 is INVALID. */
    public static final int INVALID = 0, METHOD_CALL = 1, METHOD_RETURN = 2, ERROR = 3, SIGNAL = 4;

    /** Header flags (spec "Message Format", third header byte). Unknown flags must be ignored. */
    public static final int FLAG_NO_REPLY_EXPECTED = 0x1, FLAG_NO_AUTO_START = 0x2,
            FLAG_ALLOW_INTERACTIVE_AUTHORIZATION = 0x4;

    /** Header field codes (spec "Header Fields"). Code 0 is INVALID; codes above 9 are unknown and ignored. */
    public static final int FIELD_INVALID = 0, FIELD_PATH = 1, FIELD_INTERFACE = 2, FIELD_MEMBER = 3,
            FIELD_ERROR_NAME = 4, FIELD_REPLY_SERIAL = 5, FIELD_DESTINATION = 6, FIELD_SENDER = 7,
            FIELD_SIGNATURE = 8, FIELD_UNIX_FDS = 9;

    /** Highest header field code this implementation knows (spec "Header Fields"). */
    public static final int MAX_KNOWN_FIELD = 9;

    /** Endianness flag bytes (spec "Message Format", first header byte). */
    public static final byte LITTLE_ENDIAN = 'l', BIG_ENDIAN = 'B';

    /** Major protocol version (spec "Message Format", fourth header byte). */
    public static final int PROTOCOL_VERSION = 1;

    /** Length of the fixed part of the header: 4 bytes, body length, serial, header-field array length. */
    public static final int FIXED_HEADER_LENGTH = 16;

    /** 2^27: maximum message length including header, padding and body (spec "Message Format"). */
    public static final long MAX_MESSAGE_LENGTH = 128L << 20;

    /** 2^26: maximum array length in bytes (spec "Marshaling (Wire Format)", ARRAY). */
    public static final int MAX_ARRAY_LENGTH = 64 << 20;

    /** Maximum signature length in bytes (spec "Valid Signatures"). */
    public static final int MAX_SIGNATURE_LENGTH = 255;

    /** Maximum array nesting inside one signature (spec "Valid Signatures"). */
    public static final int MAX_ARRAY_DEPTH = 32;

    /** Maximum struct (and dict-entry) nesting inside one signature (spec "Valid Signatures"). */
    public static final int MAX_STRUCT_DEPTH = 32;

    /** Maximum total container depth of a value, variants included (spec "Valid Signatures", VARIANT). */
    public static final int MAX_TOTAL_DEPTH = 64;

    /** Maximum length of bus, interface, member and error names (spec "Valid Names"). */
    public static final int MAX_NAME_LENGTH = 255;

    /** The reserved local path and interface (spec "org.freedesktop.DBus.Local"): never valid on the wire. */
    public static final String LOCAL_PATH = "/org/freedesktop/DBus/Local",
            LOCAL_INTERFACE = "org.freedesktop.DBus.Local";
}
