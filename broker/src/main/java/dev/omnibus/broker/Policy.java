package dev.omnibus.broker;

/**
 * The security policy the bus consults (dbus-daemon's {@code <policy>} rules, compiled by the
 * daemon). Implementations answer on the bus thread without scanning rule lists per message.
 */
public interface Policy {
    /** May a connection authenticated as {@code uid} (with these groups) connect at all? */
    boolean allowUser(long uid, int[] groups);

    /** May {@code peer} own well-known name {@code name}? */
    boolean allowOwn(long uid, int[] groups, String name);

    /**
     * Allows everything to users the bus would let in: dbus-daemon's session.conf policy
     * ({@code <allow send_destination="*" eavesdrop="true"/> <allow eavesdrop="true"/> <allow own="*"/>}),
     * where only the bus owner's uid may connect.
     */
    static Policy sessionDefault(long ownerUid) {
        return new Policy() {
            @Override public boolean allowUser(long uid, int[] groups) { return uid == ownerUid; }
            @Override public boolean allowOwn(long uid, int[] groups, String name) { return true; }
        };
    }
}
