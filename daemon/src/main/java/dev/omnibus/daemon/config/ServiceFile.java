package dev.omnibus.daemon.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One D-Bus activation file ({@code *.service}, D-Bus specification "Message Bus Starting Services"):
 * a desktop-entry-style file whose {@code [D-BUS Service]} group gives Name= (the well-known name),
 * Exec= (the command line, already split into {@link #argv()}), and optionally User= (system bus),
 * SystemdService= and AssumedAppArmorLabel=. Blank lines and lines starting with '#' are comments,
 * other groups and unknown or localised keys are ignored, a repeated key keeps its last value.
 * Immutable; any thread.
 *
 * @param name                 the well-known bus name the file activates
 * @param exec                 Exec= as written
 * @param argv                 Exec= split by {@link ExecLine}
 * @param user                 User= or null
 * @param systemdService       SystemdService= or null
 * @param assumedAppArmorLabel AssumedAppArmorLabel= or null
 * @param source               the file
 */
public record ServiceFile(String name, String exec, List<String> argv, String user, String systemdService,
                          String assumedAppArmorLabel, Path source) {

    /** The group dbus-daemon reads. */
    public static final String GROUP = "D-BUS Service";

    /** Reads and parses {@code file}. */
    public static ServiceFile load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file, 0, "Failed to open \"" + file + "\": " + e.getMessage(), e);
        }
        return parse(file, text);
    }

    /** Parses {@code text} as the content of {@code file}; errors name file and line. */
    public static ServiceFile parse(Path file, String text) throws ConfigException {
        Map<String, String> values = new HashMap<>();
        Map<String, Integer> lines = new HashMap<>();
        String group = null;
        boolean sawGroup = false;
        String[] rows = text.split("\n", -1);
        for (int i = 0; i < rows.length; i++) {
            int lineNo = i + 1;
            String line = rows[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[")) {
                if (!line.endsWith("]") || line.length() < 3) {
                    throw new ConfigException(file, lineNo, "Invalid group header: " + line);
                }
                group = line.substring(1, line.length() - 1);
                if (group.equals(GROUP)) {
                    if (sawGroup) {
                        throw new ConfigException(file, lineNo, "Duplicate group [" + GROUP + "]");
                    }
                    sawGroup = true;
                }
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException(file, lineNo, "Invalid line, expected key=value: " + line);
            }
            if (group == null) {
                throw new ConfigException(file, lineNo, "Key \"" + line.substring(0, eq).strip()
                        + "\" appears before any group header");
            }
            String key = line.substring(0, eq).strip();
            if (!validKey(key)) {
                throw new ConfigException(file, lineNo, "Invalid key name \"" + key + "\"");
            }
            if (group.equals(GROUP)) {
                values.put(key, line.substring(eq + 1).strip());
                lines.put(key, lineNo);
            }
        }
        if (!sawGroup) {
            throw new ConfigException(file, 0, "Service file has no [" + GROUP + "] group");
        }
        String name = values.get("Name");
        if (name == null || name.isEmpty()) {
            throw new ConfigException(file, lines.getOrDefault("Name", 0), "Service file has no Name key in [" + GROUP + "]");
        }
        if (!validBusName(name)) {
            throw new ConfigException(file, lines.get("Name"), "Name \"" + name + "\" is not a valid well-known bus name");
        }
        String exec = values.get("Exec");
        if (exec == null || exec.isEmpty()) {
            throw new ConfigException(file, lines.getOrDefault("Exec", 0), "Service file has no Exec key in [" + GROUP + "]");
        }
        ExecLine.Result argv = ExecLine.parse(exec);
        if (!argv.ok()) {
            throw new ConfigException(file, lines.get("Exec"), "Cannot parse Exec: " + argv.error());
        }
        return new ServiceFile(name, exec, argv.argv(), values.get("User"), values.get("SystemdService"),
                values.get("AssumedAppArmorLabel"), file);
    }

    /** Desktop-entry keys: letters, digits and '-', optionally a [locale] suffix. */
    private static boolean validKey(String key) {
        int end = key.indexOf('[');
        String base = end < 0 ? key : key.substring(0, end);
        if (base.isEmpty()) {
            return false;
        }
        for (int i = 0; i < base.length(); i++) {
            char c = base.charAt(i);
            if (!(c < 128 && (Character.isLetterOrDigit(c) || c == '-'))) {
                return false;
            }
        }
        return end < 0 || key.endsWith("]");
    }

    /**
     * Well-known bus name rules (D-Bus specification, "Bus names"): at most 255 characters, two or
     * more dot-separated elements of [A-Za-z0-9_-], none empty and none starting with a digit.
     */
    static boolean validBusName(String s) {
        if (s.length() > 255 || s.isEmpty() || s.startsWith(":")) {
            return false;
        }
        String[] parts = s.split("\\.", -1);
        if (parts.length < 2) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || Character.isDigit(p.charAt(0))) {
                return false;
            }
            for (int i = 0; i < p.length(); i++) {
                char c = p.charAt(i);
                if (!(c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '-'))) {
                    return false;
                }
            }
        }
        return true;
    }
}
