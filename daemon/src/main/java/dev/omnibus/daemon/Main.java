package dev.omnibus.daemon;

import dev.omnibus.broker.Log;
import dev.omnibus.broker.Bus;
import dev.omnibus.broker.BusSettings;
import dev.omnibus.daemon.cli.DaemonOptions;
import dev.omnibus.daemon.cli.UsageException;
import dev.omnibus.daemon.config.BusConfig;
import dev.omnibus.daemon.config.BusDefaults;
import dev.omnibus.daemon.config.ConfigException;
import dev.omnibus.daemon.config.ConfigLoader;
import dev.omnibus.transport.ErrnoException;
import dev.omnibus.transport.EventLoop;
import dev.omnibus.transport.Listener;
import dev.omnibus.transport.Posix;
import dev.omnibus.wire.Guid;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code omnibus-daemon}: dbus-daemon's command line in front of an Omnibus bus. Parses the
 * options and the configuration, binds the listen addresses, prints the address and pid where
 * asked, then runs the bus on this (main) thread until SIGTERM or SIGINT. SIGHUP reloads.
 *
 * <p>Exit status: 0 after a clean shutdown (SIGTERM included), 1 for a usage or configuration error
 * or when an address cannot be listened on — as dbus-daemon.
 */
public final class Main {
    // First, before anything else of start-up: the FFM system-call stub is linked on another core
    // while logging, the options and the configuration are set up here (~30 ms of start-up).
    static {
        Posix.linkInBackground();
    }


    private Main() {}

    public static void main(String[] args) {
        int status = run(args);
        System.out.flush();
        System.err.flush();
        // halt: the JVM's shutdown would otherwise turn a SIGTERM into exit status 143.
        Runtime.getRuntime().halt(status);
    }

    static int run(String[] args) {
        DaemonOptions opts;
        try {
            opts = DaemonOptions.parse(args);
        } catch (UsageException e) {
            System.err.println(e.getMessage());
            return DaemonOptions.USAGE_EXIT_CODE;
        }
        switch (opts.action()) {
            case PRINT_VERSION -> {
                System.out.print(DaemonOptions.versionText(Version.VERSION));
                return 0;
            }
            case PRINT_INTROSPECTION -> {
                System.out.print(Bus.driverIntrospection());
                return 0;
            }
            default -> { }
        }
        Path configFile = switch (opts.configSource()) {
            case FILE -> Path.of(opts.configFile());
            case SESSION -> BusDefaults.SESSION_CONFIG_FILE;
            case SYSTEM -> BusDefaults.SYSTEM_CONFIG_FILE;
            case NONE -> null;
        };
        if (configFile == null) {
            System.err.println("No configuration file specified.");
            System.err.println(DaemonOptions.USAGE);
            return 1;
        }
        BusConfig config;
        try {
            config = ConfigLoader.forThisProcess().loadFile(configFile);
        } catch (ConfigException e) {
            System.err.println("Failed to start message bus: " + e.getMessage());
            return 1;
        }
        DaemonLog.install(config.type(), opts, config.syslog());
        for (String w : config.warnings()) Log.warning(w);

        if (Daemonizer.shouldFork(opts, config)) {
            return Daemonizer.forkAndWait(args, opts);
        }

        List<String> addresses = opts.address() != null ? List.of(opts.address()) : config.listen();
        List<Listener> listeners;
        try {
            listeners = ListenAddresses.bind(addresses);
        } catch (ListenAddresses.ListenException e) {
            System.err.println("Failed to start message bus: " + e.getMessage());
            return 1;
        }

        String guid = Guid.random().hex();
        List<String> printed = new ArrayList<>();
        for (Listener l : listeners) printed.add(ListenAddresses.connectAddress(l, guid));
        String address = String.join(";", printed);

        // dbus-daemon's order: sockets bound, pid file written (still as root, so that it can go in
        // /run), address printed, <user> takes over, pid printed; then the bus serves.
        Path pidFile = opts.writePidFile() && config.pidFile() != null ? config.pidFile() : null;
        if (pidFile != null && !writePidFile(pidFile)) return 1;
        if (opts.printAddress()) writeToFd(opts.printAddressFd(), address + "\n");
        String userError = DaemonUser.become(config.user());
        if (userError != null) {
            System.err.println("Failed to start message bus: " + userError);
            return 1;
        }
        // After the switch, as dbus-daemon: a bus that cannot become its user prints no pid.
        if (opts.printPid()) writeToFd(opts.printPidFd(), Posix.getpid() + "\n");

        EventLoop loop;
        try {
            loop = new EventLoop();
        } catch (ErrnoException e) {
            System.err.println("Failed to start message bus: " + e.getMessage());
            return 1;
        }
        ServiceActivator activator = new ServiceActivator(config, opts, loop);
        BusSettings settings = Settings.from(config, guid, activator, opts.systemdActivation());
        Bus bus = new Bus(loop, settings);
        Reloader reloader = new Reloader(configFile, bus, guid, opts, activator);
        bus.onReload(reloader::reload);
        for (Listener l : listeners) bus.listen(l);
        activator.setBusAddress(address);
        SystemdNotify.ready();

        loop.onSignal("TERM", loop::stop);
        loop.onSignal("INT", loop::stop);
        loop.onSignal("HUP", () -> reloader.reload());
        loop.setErrorHandler((handler, t) -> Log.error("internal error in " + handler + ": " + t));
        Log.debug(() -> "listening on " + address);
        loop.run();

        bus.close();
        if (pidFile != null) {
            // After <user> took over, the pid file's directory may not be ours any more (dbus-daemon
            // leaves it behind silently then); say so, once.
            int r = Posix.unlink(pidFile.toString());
            if (r < 0 && r != -dev.omnibus.transport.Errno.ENOENT) {
                Log.warning("could not remove pid file " + pidFile + ": " + dev.omnibus.transport.Errno.name(r));
            }
        }
        return 0;
    }

    /**
     * Writes {@code text} in a single write(2) and, for an fd other than stdout/stderr, closes it:
     * harnesses such as dbus-run-session read the address until end-of-file.
     */
    static void writeToFd(int fd, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (fd == DaemonOptions.STDOUT_FD) {
            System.out.print(text);
            System.out.flush();
            return;
        }
        int r = Posix.write(fd, bytes);
        if (r < 0) Log.warning("could not write to fd " + fd + ": errno " + (-r));
        if (fd > 2) Posix.close(fd);
    }

    /**
     * Writes the pid file as dbus-daemon does (decimal pid and a newline); a failure stops the start-up
     * ("Failed to start message bus: ..."), as in dbus-daemon.
     */
    private static boolean writePidFile(Path pidFile) {
        try {
            Files.writeString(pidFile, Posix.getpid() + "\n");
            return true;
        } catch (IOException e) {
            System.err.println("Failed to start message bus: Failed to open \"" + pidFile + "\": " + e.getMessage());
            return false;
        }
    }
}
