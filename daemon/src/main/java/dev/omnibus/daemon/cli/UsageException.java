package dev.omnibus.daemon.cli;

import java.io.Serial;

/**
 * A command line that dbus-daemon would refuse. The message is the exact text dbus-daemon writes
 * to standard error (without a trailing newline), and {@link #exitCode()} the status it exits with
 * (always 1 in dbus-daemon 1.14). Thrown on the main thread only, before anything is started.
 */
public final class UsageException extends Exception {
    @Serial private static final long serialVersionUID = 1L;

    private final int exitCode;

    public UsageException(String message, int exitCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    /** The process exit status dbus-daemon uses for this error. */
    public int exitCode() {
        return exitCode;
    }
}
