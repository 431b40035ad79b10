package dev.omnibus.daemon.config;

/**
 * One {@code <limit name="...">} dbus-daemon 1.14 knows, with its built-in default.
 *
 * <p>Defaults are dbus-daemon's hard-coded values (its config parser; restated in the comments of
 * Debian's /usr/share/dbus-1/system.conf, which uses them unchanged). dbus-daemon has one set of
 * built-in defaults for every bus type; the session bus gets its large values from session.conf
 * itself, see {@link BusLimits#SESSION_CONF}. Times are milliseconds.
 */
public enum BusLimit {
    /** 127 MiB (system.conf comment: 133169152). */
    MAX_INCOMING_BYTES("max_incoming_bytes", 127L * 1024 * 1024),
    /** 4 × max_message_unix_fds (system.conf comment: 64). */
    MAX_INCOMING_UNIX_FDS("max_incoming_unix_fds", 64),
    /** 127 MiB. */
    MAX_OUTGOING_BYTES("max_outgoing_bytes", 127L * 1024 * 1024),
    /** 64. */
    MAX_OUTGOING_UNIX_FDS("max_outgoing_unix_fds", 64),
    /** 32 MiB (33554432), also the spec's maximum message length 2^27 is larger: bus policy is tighter. */
    MAX_MESSAGE_SIZE("max_message_size", 32L * 1024 * 1024),
    /** 16 (DBUS_DEFAULT_MESSAGE_UNIX_FDS on Linux). */
    MAX_MESSAGE_UNIX_FDS("max_message_unix_fds", 16),
    /** 25 s. */
    SERVICE_START_TIMEOUT("service_start_timeout", 25_000),
    /** 5 s (lowered from 30 s in dbus 1.8.8 for CVE-2014-3639). */
    AUTH_TIMEOUT("auth_timeout", 5_000),
    /** 150 s. */
    PENDING_FD_TIMEOUT("pending_fd_timeout", 150_000),
    /** 2048. */
    MAX_COMPLETED_CONNECTIONS("max_completed_connections", 2048),
    /** 64. */
    MAX_INCOMPLETE_CONNECTIONS("max_incomplete_connections", 64),
    /** 256. */
    MAX_CONNECTIONS_PER_USER("max_connections_per_user", 256),
    /** 512. */
    MAX_PENDING_SERVICE_STARTS("max_pending_service_starts", 512),
    /** 512. */
    MAX_NAMES_PER_CONNECTION("max_names_per_connection", 512),
    /** 512. */
    MAX_MATCH_RULES_PER_CONNECTION("max_match_rules_per_connection", 512),
    /** 128. */
    MAX_REPLIES_PER_CONNECTION("max_replies_per_connection", 128),
    /** Never (-1): dbus-daemon does not time out method calls unless configured. */
    REPLY_TIMEOUT("reply_timeout", -1);

    /**
     * Limit names dbus-daemon 1.14 accepts but which only apply to its experimental Containers1
     * interface; Omnibus accepts and ignores them so that such configs still load.
     */
    static final java.util.Set<String> IGNORED_NAMES = java.util.Set.of(
            "max_containers", "max_containers_per_user", "max_container_metadata_bytes",
            "max_connections_per_container");

    private final String configName;
    private final long defaultValue;

    BusLimit(String configName, long defaultValue) {
        this.configName = configName;
        this.defaultValue = defaultValue;
    }

    /** The {@code name} attribute of {@code <limit>}. */
    public String configName() { return configName; }

    /** dbus-daemon's built-in value. */
    public long defaultValue() { return defaultValue; }

    /** The limit called {@code name}, or null if dbus-daemon has none by that name. */
    public static BusLimit byConfigName(String name) {
        for (BusLimit l : values()) {
            if (l.configName.equals(name)) {
                return l;
            }
        }
        return null;
    }
}
