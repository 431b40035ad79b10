package dev.omnibus.daemon;

import dev.omnibus.daemon.cli.DaemonOptions;
import dev.omnibus.daemon.config.BusConfig;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --fork}: a JVM cannot fork(2), so the daemon starts a copy of itself (same JVM command
 * line, {@code --nofork}, in a new session via setsid) that prints its address and pid into a pipe;
 * this parent passes them on to the requested fds and exits only then, as dbus-daemon's parent does.
 * Main thread, before any bus exists.
 */
final class Daemonizer {
    private Daemonizer() {}

    static boolean shouldFork(DaemonOptions opts, BusConfig config) {
        return switch (opts.forkMode()) {
            case ALWAYS -> true;
            case NEVER -> false;
            case FOLLOW_CONFIG -> config.fork();
        };
    }

    static int forkAndWait(String[] args, DaemonOptions opts) {
        List<String> cmd = new ArrayList<>();
        cmd.add("setsid");
        try {
            cmd.addAll(jvmCommandLine());
        } catch (IOException e) {
            System.err.println("Failed to start message bus: cannot read own command line: " + e.getMessage());
            return 1;
        }
        for (String a : args) {
            if (a.equals("--fork") || a.startsWith("--print-address") || a.startsWith("--print-pid")) continue;
            if (a.matches("\\d+")) continue; // a separate fd operand of --print-address/--print-pid
            cmd.add(a);
        }
        cmd.add("--nofork");
        cmd.add("--print-address=1");
        cmd.add("--print-pid=1");
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        try {
            Process child = pb.start();
            BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String address = r.readLine();
            String pid = r.readLine();
            if (address == null || pid == null) {
                System.err.println("Failed to start message bus: the daemon process exited during start-up");
                return 1;
            }
            if (opts.printAddress()) Main.writeToFd(opts.printAddressFd(), address + "\n");
            if (opts.printPid()) Main.writeToFd(opts.printPidFd(), pid + "\n");
            return 0;
        } catch (IOException e) {
            System.err.println("Failed to start message bus: cannot start the daemon process: " + e.getMessage());
            return 1;
        }
    }

    /** This JVM's command line up to and including the main class (from /proc/self/cmdline). */
    private static List<String> jvmCommandLine() throws IOException {
        byte[] raw = Files.readAllBytes(Path.of("/proc/self/cmdline"));
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == 0) {
                parts.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        List<String> out = new ArrayList<>();
        for (String p : parts) {
            out.add(p);
            if (p.equals(Main.class.getName())) break;
        }
        return out;
    }
}
