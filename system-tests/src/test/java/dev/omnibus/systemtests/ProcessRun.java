package dev.omnibus.systemtests;

import java.util.List;

/**
 * The outcome of one finished (or timed-out and killed) client command: argv, exit code and the
 * captured output. {@link #describe()} is what a failing assertion prints. Immutable.
 */
public record ProcessRun(List<String> command, int exitCode, String stdout, String stderr, boolean timedOut) {

    public boolean succeeded() {
        return !timedOut && exitCode == 0;
    }

    /** Everything needed to understand a failure, for assertion messages. */
    public String describe() {
        return "command " + command + (timedOut ? " TIMED OUT" : " exited " + exitCode)
                + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
    }
}
