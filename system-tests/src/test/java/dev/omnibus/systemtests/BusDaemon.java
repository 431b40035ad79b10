package dev.omnibus.systemtests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * One running bus daemon ({@link DaemonUnderTest}) in a private temp directory: a session-like
 * config (listen on {@code unix:path=<dir>/bus}, EXTERNAL auth, allow-all policy, a servicedir
 * {@code <dir>/services} for activation, optional {@code <limit>}s), started with
 * {@code --config-file=... --nofork --print-address}. Also runs client commands against it with the
 * bus address in {@code DBUS_SESSION_BUS_ADDRESS}.
 *
 * <p>{@link #close()} is part of the test: it sends SIGTERM and asserts exit status 0 and that the
 * socket file is gone. The daemon's stderr is kept in {@code <dir>/daemon.stderr} and quoted in
 * failure messages. Used by one test thread at a time.
 */
public final class BusDaemon implements AutoCloseable {

    /** The dbus-python interpreter: dbus-python is installed for the system python only. */
    public static final String PYTHON = "/usr/bin/python3";

    /** Time allowed for the daemon to print its address; a cold JVM on a busy 2-core box is slow. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** Default time for one client command. */
    public static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);

    private final DaemonUnderTest daemon;
    private final Path dir;
    private final Path socket;
    private final Path serviceDir;
    private final Path stderrFile;
    private final Process process;
    private final String address;
    private final List<BackgroundProcess> spawned = new ArrayList<>();
    private boolean closed;

    private BusDaemon(DaemonUnderTest daemon, Path dir, Process process, String address) {
        this.daemon = daemon;
        this.dir = dir;
        this.socket = dir.resolve("bus");
        this.serviceDir = dir.resolve("services");
        this.stderrFile = dir.resolve("daemon.stderr");
        this.process = process;
        this.address = address;
    }

    /** Starts the selected daemon with the default limits. */
    public static BusDaemon start() throws IOException, InterruptedException {
        return start(Map.of());
    }

    /** Starts the selected daemon; {@code limits} become {@code <limit name="k">v</limit>}. */
    public static BusDaemon start(Map<String, String> limits) throws IOException, InterruptedException {
        DaemonUnderTest daemon = DaemonUnderTest.current();
        Path dir = Files.createTempDirectory("omnibus-st");
        Files.createDirectories(dir.resolve("services"));
        Path config = dir.resolve("bus.conf");
        Files.writeString(config, config(dir, limits));
        ProcessBuilder builder = new ProcessBuilder(daemon.executable().toString(),
                "--config-file=" + config, "--nofork", "--print-address")
                .directory(dir.toFile())
                .redirectError(dir.resolve("daemon.stderr").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        cleanEnvironment(builder.environment(), dir);
        Process process = builder.start();
        CompletableFuture<String> firstLine = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("daemon-stdout").start(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                firstLine.complete(in.readLine());
                while (in.readLine() != null) {
                    // Drain so the daemon never blocks on a full pipe.
                }
            } catch (IOException e) {
                firstLine.completeExceptionally(e);
            }
        });
        String address;
        try {
            address = firstLine.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new AssertionError("daemon printed no address within " + START_TIMEOUT + ": "
                    + e + "\n" + Files.readString(dir.resolve("daemon.stderr")), e);
        }
        BusDaemon bus = new BusDaemon(daemon, dir, process, address);
        if (address == null || !address.startsWith("unix:")) {
            process.destroyForcibly();
            throw new AssertionError("daemon printed no unix address but '" + address + "'\n" + bus.stderr());
        }
        bus.awaitConnectable();
        return bus;
    }

    private static String config(Path dir, Map<String, String> limits) {
        StringBuilder xml = new StringBuilder("""
                <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
                 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
                <busconfig>
                  <type>session</type>
                """);
        xml.append("  <listen>unix:path=").append(dir.resolve("bus")).append("</listen>\n");
        xml.append("  <auth>EXTERNAL</auth>\n");
        xml.append("  <servicedir>").append(dir.resolve("services")).append("</servicedir>\n");
        xml.append("""
                  <policy context="default">
                    <allow send_destination="*" eavesdrop="true"/>
                    <allow eavesdrop="true"/>
                    <allow own="*"/>
                  </policy>
                """);
        limits.forEach((name, value) -> xml.append("  <limit name=\"").append(name).append("\">")
                .append(value).append("</limit>\n"));
        xml.append("</busconfig>\n");
        return xml.toString();
    }

    /** No session bus of the caller's, no X11 autolaunch: clients must only see this bus. */
    private static void cleanEnvironment(Map<String, String> env, Path dir) {
        env.remove("DBUS_SESSION_BUS_ADDRESS");
        env.remove("DBUS_STARTER_ADDRESS");
        env.remove("DBUS_STARTER_BUS_TYPE");
        env.remove("DISPLAY");
        env.put("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=" + dir.resolve("no-system-bus"));
        env.put("XDG_RUNTIME_DIR", dir.toString());
        env.put("LC_ALL", "C.UTF-8");
    }

    private void awaitConnectable() throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("daemon exited " + process.exitValue() + "\n" + stderr());
            }
            try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                return;
            } catch (IOException e) {
                last = e;
                Thread.sleep(20);
            }
        }
        throw new AssertionError("socket " + socket + " never accepted: " + last + "\n" + stderr());
    }

    public String address() {
        return address;
    }

    public Path socket() {
        return socket;
    }

    public Path serviceDir() {
        return serviceDir;
    }

    /** The private temp directory (config, socket, services, logs). */
    public Path dir() {
        return dir;
    }

    public DaemonUnderTest daemon() {
        return daemon;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String stderr() {
        try {
            return "--- daemon stderr ---\n" + Files.readString(stderrFile);
        } catch (IOException e) {
            return "(daemon stderr unreadable: " + e + ")";
        }
    }

    /** Runs a client command with the default timeout. */
    public ProcessRun run(String... command) throws IOException, InterruptedException {
        return run(CLIENT_TIMEOUT, command);
    }

    /** Runs a client command against this bus, killing it after {@code timeout}. */
    public ProcessRun run(Duration timeout, String... command) throws IOException, InterruptedException {
        return runIn(timeout, Map.of(), command);
    }

    /** Runs a client command with extra environment variables. */
    public ProcessRun runIn(Duration timeout, Map<String, String> env, String... command)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder builder = clientBuilder(List.of(command))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().putAll(env);
        Process p = builder.start();
        boolean finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        return new ProcessRun(List.of(command), finished ? p.exitValue() : -1,
                Files.readString(out), Files.readString(err), !finished);
    }

    /** Runs a client command and returns its raw stdout bytes (for binary output). */
    public byte[] runForBytes(Duration timeout, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "bin", ".out");
        ProcessBuilder builder = clientBuilder(List.of(command))
                .redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = builder.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        return Files.readAllBytes(out);
    }

    /** Starts a long-running client (monitor, service); it is killed at the latest by {@link #close()}. */
    public BackgroundProcess spawn(String... command) throws IOException {
        Path err = Files.createTempFile(dir, "bg", ".err");
        BackgroundProcess bg = new BackgroundProcess(List.of(command), clientBuilder(List.of(command)), err);
        spawned.add(bg);
        return bg;
    }

    private ProcessBuilder clientBuilder(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        cleanEnvironment(builder.environment(), dir);
        builder.environment().put("DBUS_SESSION_BUS_ADDRESS", address);
        return builder;
    }

    /** Writes {@code <serviceDir>/<name>.service} with the given Exec line. */
    public Path writeService(String name, String exec) throws IOException {
        Path file = serviceDir.resolve(name + ".service");
        Files.writeString(file, "[D-BUS Service]\nName=" + name + "\nExec=" + exec + "\n");
        return file;
    }

    /** The path of a test resource (scripts under src/test/resources). */
    public static Path resource(String name) {
        try {
            var url = BusDaemon.class.getResource("/" + name);
            if (url == null) {
                throw new IllegalArgumentException("no test resource " + name);
            }
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code /usr/bin/python3 <script> args...} for a script under src/test/resources/python. */
    public static String[] python(String script, String... args) {
        String[] argv = new String[args.length + 2];
        argv[0] = PYTHON;
        argv[1] = resource("python/" + script).toString();
        System.arraycopy(args, 0, argv, 2, args.length);
        return argv;
    }

    /**
     * Stops the clients, then the daemon with SIGTERM, and asserts a clean exit: status 0 and the
     * socket file removed.
     */
    @Override
    public void close() throws IOException, InterruptedException {
        if (closed) {
            return;
        }
        closed = true;
        for (BackgroundProcess bg : spawned.reversed()) {
            bg.close();
        }
        try {
            if (!process.isAlive()) {
                throw new AssertionError("daemon died during the test, exit " + process.exitValue()
                        + "\n" + stderr());
            }
            process.destroy(); // SIGTERM
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("daemon ignored SIGTERM for 20 s\n" + stderr());
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("daemon exited " + process.exitValue() + " on SIGTERM\n" + stderr());
            }
            if (Files.exists(socket)) {
                throw new AssertionError("daemon left its socket " + socket + " behind\n" + stderr());
            }
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // Leftovers in /tmp are harmless; the assertion that matters was made above.
        }
    }

    @Override
    public String toString() {
        return daemon.name() + " at " + address + " (pid " + process.pid() + ")";
    }
}
