package dev.omnibus.wire;

/**
 * Why a message, signature, name or value is invalid. Codes are small positive ints so hot paths
 * return them without allocating; functions that also return offsets or lengths return
 * {@code -code}. {@link #describe(int)} gives a short human text (cold path).
 *
 * <p>Stateless; used from any thread.
 */
public final class WireError {
    private WireError() {}

    public static final int OK = 0;
    // Framing and fixed header.
    public static final int TRUNCATED = 1;
    public static final int BAD_ENDIANNESS = 2;
    public static final int BAD_PROTOCOL_VERSION = 3;
    public static final int MESSAGE_TOO_LONG = 4;
    public static final int LENGTH_MISMATCH = 5;
    public static final int BAD_MESSAGE_TYPE = 6;
    public static final int ZERO_SERIAL = 7;
    // Header fields.
    public static final int BAD_HEADER_FIELD_TYPE = 10;
    public static final int DUPLICATE_HEADER_FIELD = 11;
    public static final int MISSING_PATH = 12;
    public static final int MISSING_INTERFACE = 13;
    public static final int MISSING_MEMBER = 14;
    public static final int MISSING_ERROR_NAME = 15;
    public static final int MISSING_REPLY_SERIAL = 16;
    public static final int ZERO_REPLY_SERIAL = 17;
    public static final int BAD_PATH = 18;
    public static final int BAD_INTERFACE = 19;
    public static final int BAD_MEMBER = 20;
    public static final int BAD_ERROR_NAME = 21;
    public static final int BAD_DESTINATION = 22;
    public static final int BAD_SENDER = 23;
    public static final int LOCAL_PATH = 24;
    public static final int LOCAL_INTERFACE = 25;
    public static final int BAD_HEADER_FIELD_CODE = 26;
    public static final int BODY_WITHOUT_SIGNATURE = 27;
    public static final int UNIX_FDS_NOT_RECEIVED = 28;
    // Signatures.
    public static final int SIGNATURE_TOO_LONG = 30;
    public static final int SIGNATURE_BAD_TYPE_CODE = 31;
    public static final int SIGNATURE_ARRAY_TOO_DEEP = 32;
    public static final int SIGNATURE_STRUCT_TOO_DEEP = 33;
    public static final int SIGNATURE_EMPTY_STRUCT = 34;
    public static final int SIGNATURE_UNBALANCED = 35;
    public static final int SIGNATURE_ARRAY_WITHOUT_ELEMENT = 36;
    public static final int SIGNATURE_DICT_ENTRY_NOT_IN_ARRAY = 37;
    public static final int SIGNATURE_DICT_KEY_NOT_BASIC = 38;
    public static final int SIGNATURE_DICT_ENTRY_FIELD_COUNT = 39;
    public static final int SIGNATURE_NOT_SINGLE_TYPE = 40;
    // Values.
    public static final int BAD_PADDING = 50;
    public static final int BAD_BOOLEAN = 51;
    public static final int BAD_UTF8 = 52;
    public static final int STRING_INTERIOR_NUL = 53;
    public static final int STRING_NOT_TERMINATED = 54;
    public static final int ARRAY_TOO_LONG = 55;
    public static final int VALUE_TRUNCATED = 57;
    public static final int BODY_TOO_LONG = 58;
    public static final int NESTING_TOO_DEEP = 59;
    public static final int BAD_OBJECT_PATH_VALUE = 60;
    public static final int BAD_SIGNATURE_VALUE = 61;
    public static final int FD_INDEX_OUT_OF_RANGE = 62;
    // Names checked on their own (not inside a message).
    public static final int BAD_NAME = 70;

    /** A short English description of {@code code} (a code or its negation). */
    public static String describe(int code) {
        return switch (Math.abs(code)) {
            case OK -> "valid";
            case TRUNCATED -> "message shorter than its fixed header or declared length";
            case BAD_ENDIANNESS -> "endianness byte is neither 'l' nor 'B'";
            case BAD_PROTOCOL_VERSION -> "major protocol version is not 1";
            case MESSAGE_TOO_LONG -> "message longer than 128 MiB";
            case LENGTH_MISMATCH -> "buffer length differs from the length the header declares";
            case BAD_MESSAGE_TYPE -> "message type 0 (INVALID)";
            case ZERO_SERIAL -> "serial is 0";
            case BAD_HEADER_FIELD_TYPE -> "header field value has the wrong type";
            case DUPLICATE_HEADER_FIELD -> "header field appears twice";
            case MISSING_PATH -> "required PATH header field missing";
            case MISSING_INTERFACE -> "required INTERFACE header field missing";
            case MISSING_MEMBER -> "required MEMBER header field missing";
            case MISSING_ERROR_NAME -> "required ERROR_NAME header field missing";
            case MISSING_REPLY_SERIAL -> "required REPLY_SERIAL header field missing";
            case ZERO_REPLY_SERIAL -> "REPLY_SERIAL is 0";
            case BAD_PATH -> "PATH is not a valid object path";
            case BAD_INTERFACE -> "INTERFACE is not a valid interface name";
            case BAD_MEMBER -> "MEMBER is not a valid member name";
            case BAD_ERROR_NAME -> "ERROR_NAME is not a valid error name";
            case BAD_DESTINATION -> "DESTINATION is not a valid bus name";
            case BAD_SENDER -> "SENDER is not a valid bus name";
            case LOCAL_PATH -> "PATH is the reserved /org/freedesktop/DBus/Local";
            case LOCAL_INTERFACE -> "INTERFACE is the reserved org.freedesktop.DBus.Local";
            case BAD_HEADER_FIELD_CODE -> "header field code 0 (INVALID)";
            case BODY_WITHOUT_SIGNATURE -> "non-empty body but no SIGNATURE header field";
            case UNIX_FDS_NOT_RECEIVED -> "UNIX_FDS exceeds the file descriptors received";
            case SIGNATURE_TOO_LONG -> "signature longer than 255 bytes";
            case SIGNATURE_BAD_TYPE_CODE -> "signature contains an unknown or reserved type code";
            case SIGNATURE_ARRAY_TOO_DEEP -> "signature nests arrays more than 32 deep";
            case SIGNATURE_STRUCT_TOO_DEEP -> "signature nests structs more than 32 deep";
            case SIGNATURE_EMPTY_STRUCT -> "signature contains an empty struct ()";
            case SIGNATURE_UNBALANCED -> "signature has unbalanced parentheses or braces";
            case SIGNATURE_ARRAY_WITHOUT_ELEMENT -> "signature has an array without element type";
            case SIGNATURE_DICT_ENTRY_NOT_IN_ARRAY -> "dict entry outside an array";
            case SIGNATURE_DICT_KEY_NOT_BASIC -> "dict entry key is not a basic type";
            case SIGNATURE_DICT_ENTRY_FIELD_COUNT -> "dict entry does not have exactly two fields";
            case SIGNATURE_NOT_SINGLE_TYPE -> "signature is not a single complete type";
            case BAD_PADDING -> "alignment padding is not zero";
            case BAD_BOOLEAN -> "boolean is neither 0 nor 1";
            case BAD_UTF8 -> "string is not valid UTF-8";
            case STRING_INTERIOR_NUL -> "string contains a NUL byte";
            case STRING_NOT_TERMINATED -> "string is not NUL-terminated";
            case ARRAY_TOO_LONG -> "array longer than 64 MiB";
            case VALUE_TRUNCATED -> "value runs past the end of its array, the header or the body";
            case BODY_TOO_LONG -> "body has bytes after the values its signature describes";
            case NESTING_TOO_DEEP -> "containers and variants nested more than 64 deep";
            case BAD_OBJECT_PATH_VALUE -> "object path value is not a valid object path";
            case BAD_SIGNATURE_VALUE -> "signature value is not a valid signature";
            case FD_INDEX_OUT_OF_RANGE -> "UNIX_FD index not below the UNIX_FDS header field";
            case BAD_NAME -> "invalid name";
            default -> "wire error " + code;
        };
    }
}
