package dev.omnibus.broker;

import java.util.List;
import java.util.Map;

/**
 * Starts services on demand (dbus-daemon's .service files). The broker tracks what waits for a
 * service; the implementation (in the daemon) knows the files and spawns processes. Called on the
 * bus thread; reports back through {@link Bus#activationFailed} from the bus thread.
 */
public interface Activator {
    /** The names that could be started, for ListActivatableNames. */
    List<String> activatableNames();

    boolean isActivatable(String name);

    /**
     * The systemd unit that provides {@code name} ({@code SystemdService=} of its .service file), or
     * null when the service is started by exec. Used when the bus runs with --systemd-activation.
     */
    default String systemdUnit(String name) { return null; }

    /**
     * Starts the service that provides {@code name}, with {@code environment} added to the
     * activation environment. On failure, the implementation calls
     * {@link Bus#activationFailed(String, String, String)} (on the bus thread).
     */
    void start(Bus bus, String name, Map<String, String> environment);

    Activator NONE = new Activator() {
        @Override public List<String> activatableNames() { return List.of(); }
        @Override public boolean isActivatable(String name) { return false; }
        @Override public void start(Bus bus, String name, Map<String, String> environment) {}
    };
}
