package dev.omnibus.daemon.config;

import java.io.Serial;
import java.nio.file.Path;

/**
 * A configuration or service file the daemon refuses. The message always starts with
 * {@code "Error in file FILE, line N: "} (the prefix dbus-daemon uses for XML syntax errors) followed
 * by dbus-daemon's own wording for the problem where it has one. Cold path; thrown on whichever
 * thread loads configuration (main, or the reload thread).
 */
public final class ConfigException extends Exception {
    @Serial private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final int line;
    private final String detail;

    public ConfigException(Path file, int line, String detail) {
        this(file, line, detail, null);
    }

    public ConfigException(Path file, int line, String detail, Throwable cause) {
        super(format(file, line, detail), cause);
        this.file = file;
        this.line = line;
        this.detail = detail;
    }

    private static String format(Path file, int line, String detail) {
        if (line > 0) {
            return "Error in file " + file + ", line " + line + ": " + detail;
        }
        return "Error in file " + file + ": " + detail;
    }

    /** The file at fault. */
    public Path file() { return file; }

    /** 1-based line of the fault, or 0 when the whole file is at fault (e.g. it cannot be read). */
    public int line() { return line; }

    /** The problem without the file/line prefix. */
    public String detail() { return detail; }
}
