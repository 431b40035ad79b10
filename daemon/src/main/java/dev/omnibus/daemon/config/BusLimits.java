package dev.omnibus.daemon.config;

import java.util.Arrays;

/**
 * The value of every {@link BusLimit}: dbus-daemon's defaults overridden by {@code <limit>} elements,
 * the last one in document order (includes included) winning, as in dbus-daemon. Immutable; any thread.
 */
public final class BusLimits {

    /** dbus-daemon's built-in defaults, used by both bus types unless the file says otherwise. */
    public static final BusLimits DEFAULTS = defaults();

    /**
     * The values Debian's /usr/share/dbus-1/session.conf sets ("essentially infinite", 1e9 bytes
     * because they must fit a signed 32-bit int); max_message_unix_fds and reply_timeout keep the
     * defaults there. For embedding a session bus without its XML.
     */
    public static final BusLimits SESSION_CONF = DEFAULTS
            .with(BusLimit.MAX_INCOMING_BYTES, 1_000_000_000L)
            .with(BusLimit.MAX_INCOMING_UNIX_FDS, 250_000_000L)
            .with(BusLimit.MAX_OUTGOING_BYTES, 1_000_000_000L)
            .with(BusLimit.MAX_OUTGOING_UNIX_FDS, 250_000_000L)
            .with(BusLimit.MAX_MESSAGE_SIZE, 1_000_000_000L)
            .with(BusLimit.SERVICE_START_TIMEOUT, 120_000L)
            .with(BusLimit.AUTH_TIMEOUT, 240_000L)
            .with(BusLimit.PENDING_FD_TIMEOUT, 150_000L)
            .with(BusLimit.MAX_COMPLETED_CONNECTIONS, 100_000L)
            .with(BusLimit.MAX_INCOMPLETE_CONNECTIONS, 10_000L)
            .with(BusLimit.MAX_CONNECTIONS_PER_USER, 100_000L)
            .with(BusLimit.MAX_PENDING_SERVICE_STARTS, 10_000L)
            .with(BusLimit.MAX_NAMES_PER_CONNECTION, 50_000L)
            .with(BusLimit.MAX_MATCH_RULES_PER_CONNECTION, 50_000L)
            .with(BusLimit.MAX_REPLIES_PER_CONNECTION, 50_000L);

    private final long[] values;

    private BusLimits(long[] values) {
        this.values = values;
    }

    private static BusLimits defaults() {
        BusLimit[] all = BusLimit.values();
        long[] v = new long[all.length];
        for (BusLimit l : all) {
            v[l.ordinal()] = l.defaultValue();
        }
        return new BusLimits(v);
    }

    public long get(BusLimit limit) {
        return values[limit.ordinal()];
    }

    /** A copy with one value replaced. */
    public BusLimits with(BusLimit limit, long value) {
        long[] v = values.clone();
        v[limit.ordinal()] = value;
        return new BusLimits(v);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BusLimits other && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("BusLimits{");
        for (BusLimit l : BusLimit.values()) {
            sb.append(l.configName()).append('=').append(values[l.ordinal()]).append(l.ordinal() + 1 < values.length ? ", " : "}");
        }
        return sb.toString();
    }
}
