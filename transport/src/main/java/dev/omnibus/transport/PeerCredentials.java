package dev.omnibus.transport;

/**
 * What the kernel says about the process at the other end of a unix socket, read once after accept:
 * SO_PEERCRED (pid, uid, gid), SO_PEERGROUPS (supplementary groups) and SO_PEERSEC (the LSM label, or
 * null when there is no LSM or no label). For TCP peers pid, uid and gid are -1 and groups is empty.
 * The peer's pidfd is not here: {@link StreamSocket#peerPidfd()} creates it only when asked.
 */
public record PeerCredentials(int pid, int uid, int gid, int[] groups, String securityLabel) {
    /** Credentials of a peer the kernel knows nothing about (TCP). */
    public static final PeerCredentials UNKNOWN = new PeerCredentials(-1, -1, -1, new int[0], null);
}
