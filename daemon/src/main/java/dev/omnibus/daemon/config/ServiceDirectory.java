package dev.omnibus.daemon.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The activatable services found by scanning service directories in precedence order, as dbus-daemon
 * does: only files ending in {@code .service} are read; a missing directory is skipped; a broken file
 * is skipped with a warning; in a strict-naming directory a file must be named {@code <Name>.service};
 * when two directories provide the same name the earlier directory wins; within one directory the
 * first file in name order wins. Immutable snapshot; build on the reload thread, read anywhere.
 */
public final class ServiceDirectory {
    private final Map<String, ServiceFile> byName;
    private final List<String> warnings;

    private ServiceDirectory(Map<String, ServiceFile> byName, List<String> warnings) {
        this.byName = Collections.unmodifiableMap(byName);
        this.warnings = List.copyOf(warnings);
    }

    /** Scans {@code dirs}, first = highest precedence. */
    public static ServiceDirectory scan(List<ServiceDirEntry> dirs) {
        Map<String, ServiceFile> byName = new TreeMap<>();
        List<String> warnings = new ArrayList<>();
        for (ServiceDirEntry dir : dirs) {
            if (!Files.isDirectory(dir.dir())) {
                continue;
            }
            List<Path> files;
            try (Stream<Path> s = Files.list(dir.dir())) {
                files = s.filter(p -> p.getFileName().toString().endsWith(".service")).sorted().toList();
            } catch (IOException e) {
                warnings.add("Failed to read service directory " + dir.dir() + ": " + e.getMessage());
                continue;
            }
            List<String> seenHere = new ArrayList<>();
            for (Path f : files) {
                ServiceFile sf;
                try {
                    sf = ServiceFile.load(f);
                } catch (ConfigException e) {
                    warnings.add(e.getMessage());
                    continue;
                }
                if (dir.strictNaming() && !f.getFileName().toString().equals(sf.name() + ".service")) {
                    warnings.add("Service file " + f + " provides " + sf.name() + " but must be named "
                            + sf.name() + ".service in " + dir.dir());
                    continue;
                }
                if (seenHere.contains(sf.name())) {
                    warnings.add("Service file " + f + " provides " + sf.name() + " which is already provided in "
                            + dir.dir() + "; ignored");
                    continue;
                }
                seenHere.add(sf.name());
                byName.putIfAbsent(sf.name(), sf); // an earlier directory wins
            }
        }
        return new ServiceDirectory(byName, warnings);
    }

    /** The service file providing {@code name}, or null. */
    public ServiceFile find(String name) {
        return byName.get(name);
    }

    /** All activatable services, ordered by name. */
    public Collection<ServiceFile> services() {
        return byName.values();
    }

    /** Activatable names, sorted (what ListActivatableNames returns besides the bus itself). */
    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    /** Files skipped and why. */
    public List<String> warnings() {
        return warnings;
    }
}
