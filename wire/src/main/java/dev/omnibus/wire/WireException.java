package dev.omnibus.wire;

/**
 * A {@link WireError} raised on a cold path (parsing signatures for tests, tools and the driver's
 * tables). Hot paths return the int code instead.
 */
public final class WireException extends Exception {
    private final int code;

    public WireException(int code, String detail) {
        super(WireError.describe(code) + (detail == null ? "" : ": " + detail));
        this.code = Math.abs(code);
    }

    /** The {@link WireError} code (positive). */
    public int code() {
        return code;
    }
}
