package dev.omnibus.broker;

import dev.omnibus.transport.PeerCredentials;
import java.nio.charset.StandardCharsets;

/**
 * One client of the bus as the bus sees it: its id and unique name, its kernel-verified
 * credentials, whether it said Hello or became a monitor, and the counts that limits are checked
 * against. The I/O side is its {@link Connection}.
 *
 * <p>Invariants: {@code id} is never reused while the bus runs; {@code uniqueName} is set exactly
 * once, by Hello. Bus thread only.
 */
final class Peer {
    final int id;
    final Connection connection;
    final PeerCredentials credentials;
    /** The uid SASL authenticated (equals the credentials' uid for EXTERNAL), or -1 for ANONYMOUS. */
    long authenticatedUid = -1;
    String uniqueName;
    byte[] uniqueNameUtf8;
    boolean monitor;
    /** Match rules a monitor installed with BecomeMonitor (empty list = everything). */
    java.util.List<dev.omnibus.wire.MatchRule> monitorRules;
    /** The policy rules for this connection's user, resolved when it authenticated (and on reload). */
    PeerPolicy policy = PeerPolicy.ALLOW_ALL;
    /** Messages and bytes in and out, for Debug.Stats. */
    long messagesIn, messagesOut;

    Peer(int id, Connection connection, PeerCredentials credentials) {
        this.id = id;
        this.connection = connection;
        this.credentials = credentials;
    }

    boolean registered() { return uniqueName != null; }

    /** The unique name, or null before Hello (messages to it then carry no DESTINATION). */
    String uniqueNameOrNull() { return uniqueName; }

    void register() {
        uniqueName = ":1." + id;
        uniqueNameUtf8 = uniqueName.getBytes(StandardCharsets.US_ASCII);
    }

    /** The uid for policy and per-user limits: the SASL identity, else the socket's. */
    long uid() {
        if (authenticatedUid >= 0) return authenticatedUid;
        return credentials == null ? -1 : credentials.uid();
    }

    private String processDescription;

    /** {@code uid=0 pid=12 comm="dbus-send --session ..."} as dbus-daemon describes a peer. Cold path. */
    String describeProcess() {
        if (processDescription == null) {
            if (credentials == null) {
                processDescription = "uid=" + uid();
            } else {
                String comm = "";
                try {
                    byte[] raw = java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/" + credentials.pid() + "/cmdline"));
                    comm = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim();
                } catch (java.io.IOException | RuntimeException e) {
                    // process gone or not visible: leave comm empty
                }
                processDescription = "uid=" + credentials.uid() + " pid=" + credentials.pid() + " comm=\"" + comm + "\"";
            }
        }
        return processDescription;
    }

    @Override
    public String toString() {
        String who = uniqueName != null ? uniqueName : "(unregistered #" + id + ")";
        if (credentials == null) return who;
        return who + " (uid=" + credentials.uid() + " pid=" + credentials.pid() + ")";
    }
}
