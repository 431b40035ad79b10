package dev.omnibus.wire;

/**
 * Where {@link SaslServer} gets DBUS_COOKIE_SHA1 cookies from. The real implementation (broker's
 * {@code CookieKeyring}) reads and writes {@code ~/.dbus-keyrings/<context>}; wire does no I/O.
 * Called on the thread that feeds the {@link SaslServer}.
 */
public interface SaslCookieSource {
    /** For context (e.g. "org_freedesktop_general"): ensure a fresh cookie exists and return its id and value, or null. */
    SaslCookie currentCookie(String context, long uid);

    /** Look up a cookie by id for verification; null if unknown/expired. */
    SaslCookie cookie(String context, long uid, long id);
}
