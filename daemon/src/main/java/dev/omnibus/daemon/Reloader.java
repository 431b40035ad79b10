package dev.omnibus.daemon;

import dev.omnibus.broker.Bus;
import dev.omnibus.daemon.cli.DaemonOptions;
import dev.omnibus.daemon.config.BusConfig;
import dev.omnibus.daemon.config.ConfigException;
import dev.omnibus.daemon.config.ConfigLoader;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * SIGHUP and ReloadConfig: re-reads the configuration and hands the bus new settings; connections
 * stay. A broken new configuration leaves the old one in force and says why. Runs on the bus thread
 * (the parse is small; service directories are rescanned).
 */
final class Reloader {
    private static final Logger LOG = Logger.getLogger("omnibus");
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

    void reload() {
        BusConfig next;
        try {
            next = ConfigLoader.forThisProcess().loadFile(configFile);
        } catch (ConfigException e) {
            LOG.warning("Unable to reload configuration: " + e.getMessage() + " (keeping the previous configuration)");
            return;
        }
        activator.reconfigure(next);
        bus.reconfigure(Settings.from(next, guid, activator, opts.systemdActivation()));
        LOG.info("Reloaded configuration");
    }
}
