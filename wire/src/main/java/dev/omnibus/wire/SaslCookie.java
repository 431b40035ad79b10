package dev.omnibus.wire;

/**
 * One DBUS_COOKIE_SHA1 keyring cookie (spec: "DBUS_COOKIE_SHA1"): its id within the context and the
 * secret as the hex text stored in the keyring file. Immutable.
 */
public record SaslCookie(long id, String hexValue) {
}
