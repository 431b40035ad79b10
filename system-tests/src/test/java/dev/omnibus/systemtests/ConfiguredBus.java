package dev.omnibus.systemtests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A daemon ({@link DaemonUnderTest}) started on a configuration the test writes in full (system-bus
 * tests need {@code <type>system</type>}, {@code <user>}, {@code <includedir>}, {@code <syslog/>},
 * which {@link BusDaemon}'s fixed session config has not), optionally behind a wrapper command (e.g.
 * {@code unshare}), with {@code --nofork --print-address=1 --print-pid=1}. The address must come; a
 * missing pid line (a start-up failure after binding) is left for the test to examine. The string
 * {@code @DIR@} in the config stands for the private temp directory.
 * Clients run with the bus address as both DBUS_SYSTEM_BUS_ADDRESS and DBUS_SESSION_BUS_ADDRESS.
 * {@link #close()} sends SIGTERM and waits; it does not assert (a bus that dropped to another user
 * cannot remove its socket file, as dbus-daemon cannot). Used by one test thread.
 */
final class ConfiguredBus implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    /** A default-context policy that lets every user connect, send, eavesdrop and own any name. */
    static final String ALLOW_ALL = """
              <policy context="default">
                <allow user="*"/>
                <allow send_destination="*" eavesdrop="true"/>
                <allow eavesdrop="true"/>
                <allow own="*"/>
              </policy>
            """;

    final Path dir;
    final Process process;
    final String address;
    final long pid;
    private final Path stderrFile;

    private ConfiguredBus(Path dir, Process process, String address, long pid) {
        this.dir = dir;
        this.process = process;
        this.address = address;
        this.pid = pid;
        this.stderrFile = dir.resolve("daemon.stderr");
    }

    /** A fresh world-readable temp directory (a bus that drops to nobody must still reach its files). */
    static Path newDir() throws IOException {
        Path dir = Files.createTempDirectory("omnibus-sys");
        dir.toFile().setReadable(true, false);
        dir.toFile().setExecutable(true, false);
        return dir;
    }

    /** Starts the daemon on {@code configXml} in {@code dir}; extra environment in {@code env}. */
    static ConfiguredBus start(Path dir, String configXml, List<String> wrapper, Map<String, String> env)
            throws IOException, InterruptedException {
        return start(dir, configXml, wrapper, env, List.of());
    }

    /** As {@link #start(Path, String, List, Map)} with extra daemon arguments after the standard ones. */
    static ConfiguredBus start(Path dir, String configXml, List<String> wrapper, Map<String, String> env,
            List<String> extraArgs) throws IOException, InterruptedException {
        Path config = dir.resolve("bus.conf");
        Files.writeString(config, configXml.replace("@DIR@", dir.toString()));
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.add(DaemonUnderTest.current().executable().toString());
        cmd.add("--config-file=" + config);
        cmd.add("--nofork");
        cmd.add("--print-address=1");
        cmd.add("--print-pid=1");
        cmd.addAll(extraArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectError(dir.resolve("daemon.stderr").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().remove("DBUS_SESSION_BUS_ADDRESS");
        pb.environment().remove("NOTIFY_SOCKET");
        pb.environment().put("LC_ALL", "C.UTF-8");
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<String[]> lines = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("daemon-stdout").start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                lines.complete(new String[] {in.readLine(), in.readLine()});
                while (in.readLine() != null) {
                    // drain
                }
            } catch (IOException e) {
                lines.completeExceptionally(e);
            }
        });
        String[] got;
        try {
            got = lines.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new AssertionError("no address: " + e + "\n" + Files.readString(dir.resolve("daemon.stderr")), e);
        }
        if (got[0] == null) {
            p.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("daemon printed no address and pid; exit "
                    + (p.isAlive() ? "none" : p.exitValue()) + "\n" + Files.readString(dir.resolve("daemon.stderr")));
        }
        // No pid line: the daemon failed after binding (e.g. an unknown <user>); the test looks at it.
        return new ConfiguredBus(dir, p, got[0], got[1] == null ? p.pid() : Long.parseLong(got[1].strip()));
    }

    /** Runs a client with the bus as system and session bus; stdin from /dev/null. */
    ProcessRun run(String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = client(List.of(command)).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Process p = pb.start();
        boolean done = p.waitFor(BusDaemon.CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (!done) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        return new ProcessRun(List.of(command), done ? p.exitValue() : -1, Files.readString(out), Files.readString(err), !done);
    }

    ProcessBuilder client(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().put("DBUS_SYSTEM_BUS_ADDRESS", address);
        pb.environment().put("DBUS_SESSION_BUS_ADDRESS", address);
        pb.environment().remove("DISPLAY");
        pb.environment().put("LC_ALL", "C.UTF-8");
        return pb;
    }

    /** {@code dbus-send --system --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.METHOD args}. */
    ProcessRun driver(String method, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("dbus-send", "--system", "--print-reply",
                "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus." + method));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    String stderr() {
        try {
            return "--- daemon stderr ---\n" + Files.readString(stderrFile);
        } catch (IOException e) {
            return "(daemon stderr unreadable: " + e + ")";
        }
    }

    /** Sends SIGTERM to the daemon (not to a wrapper) and waits for the process to end. */
    @Override
    public void close() throws IOException, InterruptedException {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
