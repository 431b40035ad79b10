package dev.omnibus.daemon;

import dev.omnibus.broker.Log;
import dev.omnibus.broker.Activator;
import dev.omnibus.broker.Bus;
import dev.omnibus.broker.DBusErrors;
import dev.omnibus.daemon.cli.DaemonOptions;
import dev.omnibus.daemon.config.BusConfig;
import dev.omnibus.daemon.config.ServiceDirectory;
import dev.omnibus.daemon.config.ServiceFile;
import dev.omnibus.transport.EventLoop;
import dev.omnibus.transport.Posix;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Service activation from .service files: knows the files of the configured service directories
 * and starts the program a file names, with the activation environment plus DBUS_STARTER_ADDRESS and
 * DBUS_STARTER_BUS_TYPE. A child that fails (non-zero status or a signal) before its name appears
 * fails the activation with Spawn.ChildExited or Spawn.ChildSignaled, as dbus-daemon reports it.
 *
 * <p>Who the child runs as, on a bus of type system: with {@code <servicehelper>} configured, the
 * helper is run as {@code helper NAME} (dbus-daemon's way: the setuid dbus-daemon-launch-helper reads
 * the file itself and becomes its User=, which also works after the bus dropped to its own
 * {@code <user>}); without a helper, a bus still running as root runs the Exec line through
 * {@code setpriv --reuid --regid --init-groups} (util-linux) as the file's User= (ProcessBuilder
 * cannot setuid, and a JVM cannot fork; dbus-daemon would run it as root). On the system bus a file in
 * a standard system service directory must be named after its service ({@code NAME.service}), as the
 * launch helper requires; others are ignored with a warning.
 *
 * <p>{@link #start} runs on the bus thread; process exits arrive on the JDK's reaper thread and are
 * handed to the bus thread with {@link EventLoop#execute}.
 */
final class ServiceActivator implements Activator {

    private final EventLoop loop;
    private final DaemonOptions opts;
    private volatile ServiceDirectory services;
    /** util-linux's setpriv(1): sets uid, gid and groups, then execs; what a JVM cannot do between fork and exec. */
    static final String SETPRIV = "/usr/bin/setpriv";

    private List<dev.omnibus.daemon.config.ServiceDirEntry> dirs;
    private java.nio.file.Path serviceHelper;
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
        this.serviceHelper = config.serviceHelper();
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
        if (find(name) != null) return true;
        // dbus-daemon rescans its service directories when asked for a name it does not know.
        rescan();
        return find(name) != null;
    }

    /**
     * The file for {@code name}, or null. On the system bus a file in one of the standard system
     * service directories (where the launch helper looks) must be named {@code name.service}; a plain
     * {@code <servicedir>} is not checked, as dbus-daemon 1.14 does not check it.
     */
    private ServiceFile find(String name) {
        ServiceFile file = services.find(name);
        if (file == null || !"system".equals(busType) || file.source() == null
                || file.source().getFileName().toString().equals(name + ".service")
                || !isStandardSystemDir(file.source().getParent())) {
            return file;
        }
        Log.warning("Ignoring " + file.source() + ": a system service file must be named " + name + ".service");
        return null;
    }

    private static boolean isStandardSystemDir(java.nio.file.Path dir) {
        for (dev.omnibus.daemon.config.ServiceDirEntry e : dev.omnibus.daemon.config.StandardServiceDirs.system()) {
            if (e.dir().equals(dir)) return true;
        }
        return false;
    }

    /**
     * The command line that starts {@code file} as the right user, or null with the activation
     * already failed (unknown User=).
     */
    private List<String> commandLine(Bus bus, ServiceFile file) {
        boolean system = "system".equals(busType);
        if (system && serviceHelper != null) return List.of(serviceHelper.toString(), file.name());
        if (!system || file.user() == null || Posix.geteuid() != 0) return file.argv();
        int[] ids = Posix.lookupUser(file.user());
        if (ids == null) {
            bus.activationFailed(file.name(), DBusErrors.SPAWN_FILE_INVALID,
                    "Could not get UID and GID for username \"" + file.user() + "\"");
            return null;
        }
        if (ids[0] == 0) return file.argv();
        List<String> argv = new ArrayList<>(List.of(SETPRIV, "--reuid=" + Integer.toUnsignedString(ids[0]),
                "--regid=" + Integer.toUnsignedString(ids[1]), "--init-groups", "--"));
        argv.addAll(file.argv());
        return argv;
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
                Log.warning("Unable to create transient service directory " + d.dir() + ": " + e.getMessage());
            }
        }
    }

    private void rescan() {
        ServiceDirectory scanned = ServiceDirectory.scan(dirs);
        for (String w : scanned.warnings()) Log.warning(w);
        this.services = scanned;
    }

    @Override
    public String systemdUnit(String name) {
        ServiceFile file = find(name);
        return file == null ? null : file.systemdService();
    }

    @Override
    public void start(Bus bus, String name, Map<String, String> environment) {
        ServiceFile file = find(name);
        if (file == null) {
            bus.activationFailed(name, DBusErrors.SERVICE_UNKNOWN,
                    "The name " + name + " was not provided by any .service files");
            return;
        }
        List<String> argv = commandLine(bus, file);
        if (argv == null) return;
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
        Log.info("Activating service name='" + name + "' requested (pid " + p.pid() + ")");
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
