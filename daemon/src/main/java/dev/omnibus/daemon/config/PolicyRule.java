package dev.omnibus.daemon.config;

import java.util.Map;

/**
 * One {@code <allow>} or {@code <deny>} inside a {@code <policy>}, already validated the way
 * dbus-daemon 1.14 validates it, with every attribute as written.
 *
 * <p>{@link BusConfig#policyRules()} lists rules in document order with includes expanded at the
 * point of inclusion, which is the order dbus-daemon appends them to its per-scope lists; compiling
 * is grouping by {@link #scope()} (in {@link PolicyScope.Kind} order) while keeping that order, the
 * last matching rule deciding. Typed accessors return null for "*" and for absent attributes, both
 * meaning "any". Immutable; any thread.
 *
 * @param allow      true for {@code <allow>}, false for {@code <deny>}
 * @param scope      the enclosing policy
 * @param kind       which check the rule takes part in
 * @param attributes every attribute as written, in document order (unmodifiable)
 * @param source     file and line of the element
 */
public record PolicyRule(boolean allow, PolicyScope scope, Kind kind, Map<String, String> attributes,
                         SourceLocation source) {

    /** Which check a rule belongs to (dbus-daemon(1), section {@code <deny>}). */
    public enum Kind {
        /** Any send_* attribute (or send_requested_reply): checked when a connection sends. */
        SEND,
        /** Any receive_* attribute, or eavesdrop alone: checked for each recipient. */
        RECEIVE,
        /** own or own_prefix: checked on RequestName. */
        OWN,
        /** user: checked when a connection is established. */
        USER,
        /** group: checked when a connection is established. */
        GROUP
    }

    /** D-Bus message types as named in send_type / receive_type. */
    public enum MessageType {
        METHOD_CALL("method_call"), METHOD_RETURN("method_return"), ERROR("error"), SIGNAL("signal");

        private final String configName;

        MessageType(String configName) {
            this.configName = configName;
        }

        public String configName() { return configName; }

        static MessageType byConfigName(String s) {
            for (MessageType t : values()) {
                if (t.configName.equals(s)) {
                    return t;
                }
            }
            return null;
        }
    }

    /** dbus-daemon's upper bound for min_fds / max_fds (DBUS_MAXIMUM_MESSAGE_UNIX_FDS, 2^25... as its error text says). */
    public static final int MAX_FDS_BOUND = 33_554_432;

    public PolicyRule {
        attributes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attributes));
    }

    /** The raw attribute value as written, or null. */
    public String attribute(String name) {
        return attributes.get(name);
    }

    private String directional(String suffix) {
        String v = switch (kind) {
            case SEND -> attributes.get("send_" + suffix);
            case RECEIVE -> attributes.get("receive_" + suffix);
            default -> null;
        };
        return "*".equals(v) ? null : v;
    }

    /** send_interface / receive_interface; null = any. */
    public String interfaceName() { return directional("interface"); }

    /** send_member / receive_member; null = any. */
    public String member() { return directional("member"); }

    /** send_error / receive_error; null = any. */
    public String errorName() { return directional("error"); }

    /** send_path / receive_path; null = any. */
    public String path() { return directional("path"); }

    /** send_type / receive_type; null = any. */
    public MessageType messageType() {
        String t = directional("type");
        return t == null ? null : MessageType.byConfigName(t);
    }

    /**
     * The other side's name: send_destination or send_destination_prefix for send rules,
     * receive_sender for receive rules; null = any ("*" matches every message, even without one).
     */
    public String peerName() {
        if (kind == Kind.SEND && attributes.containsKey("send_destination_prefix")) {
            return attributes.get("send_destination_prefix");
        }
        return kind == Kind.SEND ? directional("destination") : directional("sender");
    }

    /** True when {@link #peerName()} came from send_destination_prefix (matches the name and its subtree). */
    public boolean peerNameIsPrefix() {
        return kind == Kind.SEND && attributes.containsKey("send_destination_prefix");
    }

    /** send_broadcast: TRUE = only broadcasts, FALSE = only unicast, null = either. */
    public Boolean broadcast() {
        String v = attributes.get("send_broadcast");
        return v == null ? null : Boolean.valueOf(v);
    }

    /**
     * [send|receive]_requested_reply, defaulting as dbus-daemon(1) says: true for {@code <allow>}
     * (only requested replies allowed), false for {@code <deny>} (only unrequested replies denied).
     */
    public boolean requestedReply() {
        String v = kind == Kind.SEND ? attributes.get("send_requested_reply")
                : kind == Kind.RECEIVE ? attributes.get("receive_requested_reply") : null;
        return v == null ? allow : Boolean.parseBoolean(v);
    }

    /** eavesdrop, default false. */
    public boolean eavesdrop() {
        return Boolean.parseBoolean(attributes.get("eavesdrop"));
    }

    /** min_fds, default 0. */
    public int minFds() {
        String v = attributes.get("min_fds");
        return v == null ? 0 : Integer.parseInt(v.strip());
    }

    /** max_fds, default {@link Integer#MAX_VALUE} (no bound). */
    public int maxFds() {
        String v = attributes.get("max_fds");
        return v == null ? Integer.MAX_VALUE : Integer.parseInt(v.strip());
    }

    /** log="true": log when this rule denies. */
    public boolean log() {
        return Boolean.parseBoolean(attributes.get("log"));
    }

    /** own or own_prefix value for OWN rules; null = any name (own="*"). */
    public String ownName() {
        String v = attributes.containsKey("own_prefix") ? attributes.get("own_prefix") : attributes.get("own");
        return "*".equals(v) && !attributes.containsKey("own_prefix") ? null : v;
    }

    /** True for own_prefix rules. */
    public boolean ownPrefix() {
        return attributes.containsKey("own_prefix");
    }

    /** user= (USER rules) or group= (GROUP rules) as written; null = any ("*"). */
    public String principal() {
        String v = kind == Kind.USER ? attributes.get("user") : kind == Kind.GROUP ? attributes.get("group") : null;
        return "*".equals(v) ? null : v;
    }
}
