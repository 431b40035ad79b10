package dev.omnibus.broker;

/**
 * The policy rules that apply to one connection (default, its groups', its user's, mandatory),
 * resolved when it authenticates. Answers on the bus thread.
 */
public interface PeerPolicy {
    /** May the connection own {@code name} (RequestName)? */
    boolean canOwn(String name);

    /** True when no send rule can deny anything: the bus skips {@link #checkSend}. */
    boolean sendsAnything();

    /** True when no receive rule can deny anything: the bus skips {@link #checkReceive}. */
    boolean receivesAnything();

    /** A message this connection sends: null if allowed, else the AccessDenied error text. */
    String checkSend(PolicyCheck check);

    /** A message this connection would receive: null if allowed, else the AccessDenied error text. */
    String checkReceive(PolicyCheck check);

    PeerPolicy ALLOW_ALL = new PeerPolicy() {
        @Override public boolean canOwn(String name) { return true; }
        @Override public boolean sendsAnything() { return true; }
        @Override public boolean receivesAnything() { return true; }
        @Override public String checkSend(PolicyCheck check) { return null; }
        @Override public String checkReceive(PolicyCheck check) { return null; }
    };
}
