package dev.omnibus.daemon;

import dev.omnibus.broker.Activator;
import dev.omnibus.broker.Bus;
import dev.omnibus.broker.DBusErrors;
import dev.omnibus.daemon.cli.DaemonOptions;
import dev.omnibus.daemon.config.BusConfig;
import dev.omnibus.daemon.config.ServiceDirectory;
import dev.omnibus.daemon.config.ServiceFile;
import dev.omnibus.transport.EventLoop;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Service activation from .service files: knows the files of the configured service directories
 * and starts the program a file names, with the activation environment plus DBUS_STARTER_ADDRESS and
 * DBUS_STARTER_BUS_TYPE. A child that fails (non-zero status or a signal) before its name appears
 * fails the activation with Spawn.ChildExited or Spawn.ChildSignaled, as dbus-daemon reports it.
 *
 * <p>{@link #start} runs on the bus thread; process exits arrive on the JDK's reaper thread and are
 * handed to the bus thread with {@link EventLoop#execute}.
 */
final class ServiceActivator implements Activator {
    private static final Logger LOG = Logger.getLogger("omnibus");

    private final EventLoop loop;
    private final DaemonOptions opts;
    private volatile ServiceDirectory services;
    private List<dev.omnibus.daemon.config.ServiceDirEntry> dirs;
    private String busType;
    private String busAddress = "";

    ServiceActivator(BusConfig config, DaemonOptions opts, EventLoop loop) {
        this.loop = loop;
        this.opts = opts;
        reconfigure(config);
    }

    void reconfigure(BusConfig config) {
        this.busType = config.type();
        this.dirs = config.serviceDirs();
        createTransientDirs();
        rescan();
    }

    void setBusAddress(String address) { this.busAddress = address; }

    @Override
    public List<String> activatableNames() {
        return new ArrayList<>(services.names());
    }

    @Override
    public boolean isActivatable(String name) {
        if (services.find(name) != null) return true;
        // dbus-daemon rescans its service directories when asked for a name it does not know.
        rescan();
        return services.find(name) != null;
    }

    /**
     * dbus-daemon creates the transient service directory ($XDG_RUNTIME_DIR/dbus-1/services, the one
     * with strict naming) at start-up so that systemd and tests can drop files into it.
     */
    private void createTransientDirs() {
        for (dev.omnibus.daemon.config.ServiceDirEntry d : dirs) {
            if (!d.strictNaming()) continue;
            try {
                java.nio.file.Files.createDirectories(d.dir(), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            } catch (IOException | RuntimeException e) {
                LOG.warning("Unable to create transient service directory " + d.dir() + ": " + e.getMessage());
            }
        }
    }

    private void rescan() {
        ServiceDirectory scanned = ServiceDirectory.scan(dirs);
        for (String w : scanned.warnings()) LOG.warning(w);
        this.services = scanned;
    }

    @Override
    public String systemdUnit(String name) {
        ServiceFile file = services.find(name);
        return file == null ? null : file.systemdService();
    }

    @Override
    public void start(Bus bus, String name, Map<String, String> environment) {
        ServiceFile file = services.find(name);
        if (file == null) {
            bus.activationFailed(name, DBusErrors.SERVICE_UNKNOWN,
                    "The name " + name + " was not provided by any .service files");
            return;
        }
        List<String> argv = file.argv();
        ProcessBuilder pb = new ProcessBuilder(argv);
        Map<String, String> env = pb.environment();
        env.putAll(environment);
        env.put("DBUS_STARTER_ADDRESS", busAddress);
        if ("session".equals(busType) || "system".equals(busType)) env.put("DBUS_STARTER_BUS_TYPE", busType);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectOutput(ProcessBuilder.Redirect.INHERIT);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            bus.activationFailed(name, DBusErrors.SPAWN_EXEC_FAILED,
                    "Failed to execute program " + argv.get(0) + ": " + e.getMessage());
            return;
        }
        LOG.info("Activating service name='" + name + "' requested (pid " + p.pid() + ")");
        p.onExit().thenAccept(done -> {
            int status = done.exitValue();
            // A service that forks exits 0 while its child goes on to take the name: keep waiting
            // (until service_start_timeout), as dbus-daemon does.
            if (status == 0) return;
            loop.execute(() -> {
                if (status > 128) {
                    bus.activationFailed(name, DBusErrors.SPAWN_CHILD_SIGNALED,
                            "Process " + name + " received signal " + (status - 128));
                } else {
                    bus.activationFailed(name, DBusErrors.SPAWN_CHILD_EXITED,
                            "Process " + name + " exited with status " + status);
                }
            });
        });
    }

    @SuppressWarnings("unused")
    private DaemonOptions options() { return opts; }
}
