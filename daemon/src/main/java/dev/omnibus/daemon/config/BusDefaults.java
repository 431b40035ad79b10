package dev.omnibus.daemon.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * Well-known files and addresses of the two standard buses, as Debian's dbus 1.14 installs them.
 * Constants only; any thread.
 */
public final class BusDefaults {
    private BusDefaults() {}

    /** What {@code --session} loads (dbus-daemon(1): "equivalent to --config-file=/usr/share/dbus-1/session.conf"). */
    public static final Path SESSION_CONFIG_FILE = Path.of("/usr/share/dbus-1/session.conf");

    /** What {@code --system} loads (dbus-daemon(1)). */
    public static final Path SYSTEM_CONFIG_FILE = Path.of("/usr/share/dbus-1/system.conf");

    /**
     * The system bus address clients use when {@code DBUS_SYSTEM_BUS_ADDRESS} is unset (D-Bus
     * specification, "Well-known Message Bus Instances").
     */
    public static final String DEFAULT_SYSTEM_BUS_ADDRESS = "unix:path=/var/run/dbus/system_bus_socket";

    /**
     * The listen address used for a session bus started without any {@code <listen>} when the caller
     * still wants one (e.g. {@code omnibus daemon --session} without config): session.conf's own value.
     */
    public static final String DEFAULT_SESSION_LISTEN_ADDRESS = "unix:tmpdir=/tmp";

    /** The configuration file of the given well-known bus type ("session" or "system"), else null. */
    public static Path configFileFor(String busType) {
        return switch (busType) {
            case "session" -> SESSION_CONFIG_FILE;
            case "system" -> SYSTEM_CONFIG_FILE;
            default -> null;
        };
    }

    /**
     * The address clients of the system bus connect to: {@code DBUS_SYSTEM_BUS_ADDRESS} from
     * {@code env} when set and non-empty, else {@link #DEFAULT_SYSTEM_BUS_ADDRESS}.
     */
    public static String systemBusAddress(Map<String, String> env) {
        String a = env.get("DBUS_SYSTEM_BUS_ADDRESS");
        return a == null || a.isEmpty() ? DEFAULT_SYSTEM_BUS_ADDRESS : a;
    }

    /** The session bus address from {@code DBUS_SESSION_BUS_ADDRESS}, or null: there is no fixed default. */
    public static String sessionBusAddress(Map<String, String> env) {
        String a = env.get("DBUS_SESSION_BUS_ADDRESS");
        return a == null || a.isEmpty() ? null : a;
    }
}
