package dev.omnibus.daemon.config;

import java.nio.file.Path;

/**
 * One directory searched for {@code .service} activation files, in precedence order within
 * {@link BusConfig#serviceDirs()}.
 *
 * @param dir          the directory (absolute)
 * @param strictNaming true when a file must be named exactly {@code <Name>.service} (dbus-daemon does
 *                     this only for $XDG_RUNTIME_DIR/dbus-1/services)
 * @param watched      whether dbus-daemon would watch the directory for changes (all but the runtime dir)
 */
public record ServiceDirEntry(Path dir, boolean strictNaming, boolean watched) {
    /** A plain {@code <servicedir>}: lax naming, watched. */
    public static ServiceDirEntry plain(Path dir) {
        return new ServiceDirEntry(dir, false, true);
    }
}
