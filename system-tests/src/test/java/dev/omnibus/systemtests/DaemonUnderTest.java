package dev.omnibus.systemtests;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which bus daemon the system tests drive, chosen by the system property {@code omnibus.test.daemon}:
 * {@code dbus-daemon} runs {@code /usr/bin/dbus-daemon} (the reference), {@code omnibus} (the default)
 * runs {@code ${omnibus.root}/bin/omnibus-daemon}. Both take dbus-daemon's command line, so every
 * test is written once and proven against the reference. Immutable; read from any thread.
 */
public record DaemonUnderTest(String name, Path executable) {

    /** The daemon selected for this JVM. */
    public static DaemonUnderTest current() {
        String name = System.getProperty("omnibus.test.daemon", "omnibus");
        return switch (name) {
            case "dbus-daemon" -> new DaemonUnderTest(name, Path.of("/usr/bin/dbus-daemon"));
            case "omnibus" -> new DaemonUnderTest(name, root().resolve("bin/omnibus-daemon"));
            default -> throw new IllegalArgumentException(
                    "omnibus.test.daemon must be dbus-daemon or omnibus, not " + name);
        };
    }

    /** The repository root, passed by the module's pom as {@code omnibus.root}. */
    public static Path root() {
        String root = System.getProperty("omnibus.root");
        if (root != null) {
            return Path.of(root).toAbsolutePath().normalize();
        }
        // Run from an IDE without the pom's properties: the working directory is the module.
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("bin")) ? here : here.getParent();
    }

    public boolean isOmnibus() {
        return name.equals("omnibus");
    }
}
