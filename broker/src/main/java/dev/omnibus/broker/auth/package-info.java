/**
 * Authentication support that needs file I/O, which the wire module may not do: the DBUS_COOKIE_SHA1
 * keyring behind {@link dev.omnibus.wire.SaslCookieSource}.
 */
package dev.omnibus.broker.auth;
