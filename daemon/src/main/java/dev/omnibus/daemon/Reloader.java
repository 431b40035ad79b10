package dev.omnibus.daemon;

import dev.omnibus.broker.Log;
import dev.omnibus.broker.Bus;
import dev.omnibus.daemon.cli.DaemonOptions;
import dev.omnibus.daemon.config.BusConfig;
import dev.omnibus.daemon.config.ConfigException;
import dev.omnibus.daemon.config.ConfigLoader;
import java.nio.file.Path;

/**
 * SIGHUP and ReloadConfig: re-reads the configuration and hands the bus new settings (policy, limits,
 * service directories); connections stay. A broken new configuration leaves the old one in force and
 * logs why, naming file and line ("Unable to reload configuration: Error in file F, line N: ...", as
 * dbus-daemon). Runs on the bus thread: SIGHUP arrives through {@code EventLoop.onSignal}, which
 * hands the action to the loop, and ReloadConfig is handled by the driver there; the parse is small
 * and the service directories are rescanned in the same turn, so no message sees half a reload.
 */
final class Reloader {
    private final Path configFile;
    private final Bus bus;
    private final String guid;
    private final DaemonOptions opts;
    private final ServiceActivator activator;

    Reloader(Path configFile, Bus bus, String guid, DaemonOptions opts, ServiceActivator activator) {
        this.configFile = configFile;
        this.bus = bus;
        this.guid = guid;
        this.opts = opts;
        this.activator = activator;
    }

    /**
     * Reloads; returns null when the new configuration is in force, else the reason it was refused
     * (the text dbus-daemon's ReloadConfig answers in org.freedesktop.DBus.Error.Failed).
     */
    String reload() {
        BusConfig next;
        try {
            next = ConfigLoader.forThisProcess().loadFile(configFile);
        } catch (ConfigException e) {
            Log.info("Unable to reload configuration: " + e.getMessage());
            return e.getMessage();
        }
        for (String w : next.warnings()) Log.warning(w);
        activator.reconfigure(next);
        bus.reconfigure(Settings.from(next, guid, activator, opts.systemdActivation()));
        Log.info("Reloaded configuration");
        return null;
    }
}
