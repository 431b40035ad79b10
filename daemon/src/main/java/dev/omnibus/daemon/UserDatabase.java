package dev.omnibus.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * User and group names from the system's user database files (/etc/passwd, /etc/group: the
 * "files" NSS source, which is what a Debian system bus resolves its config names through).
 * Numeric names are taken as ids, as dbus-daemon does. Read once per config load; any thread.
 */
final class UserDatabase {
    private final Map<String, Long> users = new HashMap<>();
    private final Map<String, Long> groups = new HashMap<>();

    static UserDatabase load() {
        UserDatabase db = new UserDatabase();
        read(Path.of("/etc/passwd"), db.users);
        read(Path.of("/etc/group"), db.groups);
        return db;
    }

    private static void read(Path file, Map<String, Long> into) {
        try {
            for (String line : Files.readAllLines(file)) {
                String[] f = line.split(":", -1);
                if (f.length < 3 || f[0].startsWith("#")) continue;
                try {
                    into.putIfAbsent(f[0], Long.parseLong(f[2]));
                } catch (NumberFormatException ignored) {
                    // malformed line: skip it as getpwnam would
                }
            }
        } catch (IOException e) {
            // no such database: names do not resolve
        }
    }

    /** The uid of {@code name} (or the number it is), or -1. */
    long uid(String name) { return resolve(name, users); }

    /** The gid of {@code name} (or the number it is), or -1. */
    long gid(String name) { return resolve(name, groups); }

    private static long resolve(String name, Map<String, Long> map) {
        if (name == null) return -1;
        Long v = map.get(name);
        if (v != null) return v;
        if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
            try {
                return Long.parseLong(name);
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    List<String> userNames() { return List.copyOf(users.keySet()); }
}
