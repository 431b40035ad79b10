package dev.omnibus.systemtests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A long-running client (a monitor, a service, a soak loop) whose stdout lines are collected as they
 * arrive so that a test can wait for one. Stderr goes to a file, kept for failure messages. Owns the
 * child process and one reader thread; {@link #close()} kills the process (SIGTERM, then SIGKILL).
 * Tests call the methods from their own thread; the line list is guarded by {@code this}.
 */
public final class BackgroundProcess implements AutoCloseable {

    private final List<String> command;
    private final Process process;
    private final Path stderrFile;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    BackgroundProcess(List<String> command, ProcessBuilder builder, Path stderrFile) throws IOException {
        this.command = List.copyOf(command);
        this.stderrFile = stderrFile;
        builder.redirectError(stderrFile.toFile());
        this.process = builder.start();
        this.reader = Thread.ofPlatform().daemon().name("stdout-" + command.getFirst()).start(this::readLines);
    }

    private void readLines() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                synchronized (this) {
                    lines.add(line);
                    notifyAll();
                }
            }
        } catch (IOException e) {
            // The process was killed while we read: the lines so far are what it said.
        }
        synchronized (this) {
            notifyAll();
        }
    }

    /** Waits for a stdout line matching {@code match}; fails the test with all output if none comes. */
    public String awaitLine(Predicate<String> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        synchronized (this) {
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (match.test(lines.get(seen))) {
                        return lines.get(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!reader.isAlive() && seen == lines.size())) {
                    throw new AssertionError("no matching line from " + command + " within " + timeout
                            + "\n" + describe());
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    /** An action repeated while waiting, e.g. emitting a signal until a monitor has subscribed. */
    @FunctionalInterface
    public interface Poke {
        void run() throws Exception;
    }

    /**
     * Runs {@code poke} every 250 ms until a stdout line matches: for monitors, whose subscription
     * becomes active at a moment the test cannot observe. Fails the test on timeout.
     */
    public String pokeUntilLine(Predicate<String> match, Duration timeout, Poke poke) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            poke.run();
            try {
                return awaitLine(match, Duration.ofMillis(250));
            } catch (AssertionError notYet) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    throw new AssertionError("no matching line from " + command + " within " + timeout
                            + "\n" + describe());
                }
            }
        }
    }

    /** Waits for a line starting with {@code prefix}. */
    public String awaitLineStartingWith(String prefix, Duration timeout) {
        return awaitLine(l -> l.startsWith(prefix), timeout);
    }

    /** A snapshot of the stdout lines so far. */
    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** Writes one line to the process's stdin. */
    public void send(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Waits for the process to exit by itself; returns its exit code or fails the test. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(command + " did not exit within " + timeout + "\n" + describe());
        }
        reader.join(timeout.toMillis());
        return process.exitValue();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public String stderr() {
        try {
            return Files.readString(stderrFile);
        } catch (IOException e) {
            return "(stderr unreadable: " + e + ")";
        }
    }

    public String describe() {
        return "--- stdout of " + command + " ---\n" + String.join("\n", lines())
                + "\n--- stderr ---\n" + stderr();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
        reader.join(2000);
    }
}
