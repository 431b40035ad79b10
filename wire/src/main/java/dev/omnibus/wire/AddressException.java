package dev.omnibus.wire;

/**
 * A D-Bus address text that {@link Address#parse} or {@link Address#unescape} refused; the message
 * says what is wrong. Cold path only: addresses are parsed at start-up and on config reload.
 */
public final class AddressException extends Exception {
    private static final long serialVersionUID = 1L;

    public AddressException(String message) {
        super(message, null, false, false);
    }
}
