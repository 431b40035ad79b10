package dev.omnibus.daemon;

import dev.omnibus.transport.Errno;
import dev.omnibus.transport.Posix;

/**
 * {@code <user>}: once the sockets are bound and the pid file written, a bus started as root
 * becomes the configured user for good, with no supplementary groups (dbus-daemon drops them too,
 * through libcap-ng's CAPNG_DROP_SUPP_GRP). A bus not started as root ignores {@code <user>}, as
 * dbus-daemon does. Main thread, once, before the bus thread starts serving; cold path.
 */
final class DaemonUser {
    private DaemonUser() {}

    /**
     * Switches to {@code user} (a name, looked up through NSS) when running as root. Returns null on
     * success or when there is nothing to do, else the start-up error text (dbus-daemon's wording).
     */
    static String become(String user) {
        if (user == null || Posix.geteuid() != 0) return null;
        int[] ids = Posix.lookupUser(user);
        if (ids == null) return "Could not get UID and GID for username \"" + user + "\"";
        int r = Posix.changeUser(ids[0], ids[1]);
        if (r < 0) {
            return "Failed to change to user \"" + user + "\" (uid " + Integer.toUnsignedString(ids[0])
                    + ", gid " + Integer.toUnsignedString(ids[1]) + "): " + Errno.name(r);
        }
        return null;
    }
}
