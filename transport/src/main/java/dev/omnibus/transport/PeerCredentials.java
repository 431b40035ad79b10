package dev.omnibus.transport;

/**
 * What the kernel says about the process at the other end of a unix socket, read once at accept:
 * SO_PEERCRED (pid, uid, gid), SO_PEERGROUPS (supplementary groups), SO_PEERPIDFD (a pidfd, or -1
 * when the kernel lacks it) and SO_PEERSEC (the LSM label, or null when there is no LSM or no label).
 * For TCP peers pid, uid and gid are -1 and groups is empty.
 *
 * <p>The pidfd belongs to the {@link StreamSocket} it came from and is closed with it; dup it to
 * keep it longer.
 */
public record PeerCredentials(int pid, int uid, int gid, int[] groups, int pidfd, String securityLabel) {
    /** Credentials of a peer the kernel knows nothing about (TCP). */
    public static final PeerCredentials UNKNOWN = new PeerCredentials(-1, -1, -1, new int[0], -1, null);
}
