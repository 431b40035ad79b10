package dev.omnibus.broker;

/**
 * The limits a bus configuration can set, by their dbus-daemon names ({@code <limit name="...">},
 * man dbus-daemon): the one table both the bus (what it enforces) and the daemon's config loader
 * (what a file may say) use. Times are milliseconds, sizes bytes. Each constant carries dbus-daemon's built-in
 * default (what system.conf keeps) and Debian's session.conf value.
 */
public enum Limit {
    MAX_INCOMING_BYTES("max_incoming_bytes", 127L * 1024 * 1024, 1_000_000_000L),
    MAX_INCOMING_UNIX_FDS("max_incoming_unix_fds", 64, 250_000_000L),
    MAX_OUTGOING_BYTES("max_outgoing_bytes", 127L * 1024 * 1024, 1_000_000_000L),
    MAX_OUTGOING_UNIX_FDS("max_outgoing_unix_fds", 64, 250_000_000L),
    MAX_MESSAGE_SIZE("max_message_size", 32L * 1024 * 1024, 1_000_000_000L),
    /** DBUS_DEFAULT_MESSAGE_UNIX_FDS: 16 in dbus-daemon 1.14's built-in config. */
    MAX_MESSAGE_UNIX_FDS("max_message_unix_fds", 16, 16),
    SERVICE_START_TIMEOUT("service_start_timeout", 25_000, 120_000),
    AUTH_TIMEOUT("auth_timeout", 5_000, 240_000),
    PENDING_FD_TIMEOUT("pending_fd_timeout", 150_000, 150_000),
    MAX_COMPLETED_CONNECTIONS("max_completed_connections", 2048, 100_000),
    MAX_INCOMPLETE_CONNECTIONS("max_incomplete_connections", 64, 10_000),
    MAX_CONNECTIONS_PER_USER("max_connections_per_user", 256, 100_000),
    MAX_PENDING_SERVICE_STARTS("max_pending_service_starts", 512, 10_000),
    MAX_NAMES_PER_CONNECTION("max_names_per_connection", 512, 50_000),
    MAX_MATCH_RULES_PER_CONNECTION("max_match_rules_per_connection", 512, 50_000),
    MAX_REPLIES_PER_CONNECTION("max_replies_per_connection", 128, 50_000),
    /** dbus-daemon's default reply_timeout is -1: the bus never times out a call (the client does). */
    REPLY_TIMEOUT("reply_timeout", -1, -1);

    private final String configName;
    private final long systemDefault;
    private final long sessionDefault;

    Limit(String configName, long systemDefault, long sessionDefault) {
        this.configName = configName;
        this.systemDefault = systemDefault;
        this.sessionDefault = sessionDefault;
    }

    public String configName() { return configName; }
    public long systemDefault() { return systemDefault; }
    public long sessionDefault() { return sessionDefault; }

    /** The limit named {@code name} in a config file, or null for names Omnibus does not enforce. */
    public static Limit byConfigName(String name) {
        for (Limit l : values()) {
            if (l.configName.equals(name)) return l;
        }
        return null;
    }
}
