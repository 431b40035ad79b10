package dev.omnibus.broker;

/**
 * The security policy the bus consults (dbus-daemon's {@code <policy>} rules, compiled by the
 * daemon). Checked once per connection for {@link #allowUser}; everything per message goes through
 * the {@link PeerPolicy} resolved for that connection when it authenticates (and again on reload),
 * so no message check scans the whole rule list.
 */
public interface Policy {
    /** May a connection authenticated as {@code uid} (with these groups) connect at all? */
    boolean allowUser(long uid, int[] groups);

    /** The rules that apply to a connection of this user, resolved once. */
    PeerPolicy forPeer(long uid, int[] groups);

    /**
     * dbus-daemon's session.conf policy ({@code <allow send_destination="*" eavesdrop="true"/>
     * <allow eavesdrop="true"/> <allow own="*"/>}), where only the bus owner's uid may connect.
     */
    static Policy sessionDefault(long ownerUid) {
        return new Policy() {
            @Override public boolean allowUser(long uid, int[] groups) { return uid == ownerUid; }
            @Override public PeerPolicy forPeer(long uid, int[] groups) { return PeerPolicy.ALLOW_ALL; }
        };
    }
}
