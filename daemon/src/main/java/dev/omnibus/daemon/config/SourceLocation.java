package dev.omnibus.daemon.config;

import java.nio.file.Path;

/** Where a configuration item was written: file and 1-based line. Immutable; any thread. */
public record SourceLocation(Path file, int line) {
    @Override
    public String toString() {
        return file + ":" + line;
    }
}
