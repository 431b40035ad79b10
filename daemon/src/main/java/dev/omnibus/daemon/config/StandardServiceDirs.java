package dev.omnibus.daemon.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The directories {@code <standard_session_servicedirs/>} and {@code <standard_system_servicedirs/>}
 * stand for, computed as dbus-daemon 1.14 on Unix does (dbus-daemon(1)), from an explicit environment
 * so tests can vary it. Stateless; any thread.
 */
public final class StandardServiceDirs {
    private StandardServiceDirs() {}

    /** dbus's compile-time ${datadir} on Debian. */
    static final String DATADIR = "/usr/share";

    /** XDG Base Directory default for XDG_DATA_DIRS. */
    static final String DEFAULT_XDG_DATA_DIRS = "/usr/local/share/:/usr/share/";

    /**
     * Session service directories, highest precedence first: $XDG_RUNTIME_DIR/dbus-1/services (strict
     * naming, not watched) if set; $XDG_DATA_HOME/dbus-1/services (default ~/.local/share);
     * each of $XDG_DATA_DIRS + /dbus-1/services (default /usr/local/share:/usr/share);
     * ${datadir}/dbus-1/services. Duplicates are dropped, keeping the first.
     */
    public static List<ServiceDirEntry> session(Map<String, String> env) {
        List<ServiceDirEntry> out = new ArrayList<>();
        String runtime = env.get("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isEmpty()) {
            addUnique(out, new ServiceDirEntry(Path.of(runtime, "dbus-1", "services").normalize(), true, false));
        }
        String dataHome = env.get("XDG_DATA_HOME");
        if (dataHome == null || dataHome.isEmpty()) {
            String home = env.get("HOME");
            if (home == null || home.isEmpty()) {
                home = System.getProperty("user.home");
            }
            dataHome = home + "/.local/share";
        }
        addUnique(out, ServiceDirEntry.plain(Path.of(dataHome, "dbus-1", "services").normalize()));
        String dataDirs = env.get("XDG_DATA_DIRS");
        if (dataDirs == null || dataDirs.isEmpty()) {
            dataDirs = DEFAULT_XDG_DATA_DIRS;
        }
        for (String d : dataDirs.split(":")) {
            if (!d.isEmpty()) {
                addUnique(out, ServiceDirEntry.plain(Path.of(d, "dbus-1", "services").normalize()));
            }
        }
        addUnique(out, ServiceDirEntry.plain(Path.of(DATADIR, "dbus-1", "services")));
        return List.copyOf(out);
    }

    /**
     * System service directories, highest precedence first: /usr/local/share/dbus-1/system-services,
     * /usr/share/dbus-1/system-services, ${datadir}/dbus-1/system-services (same as the previous on
     * Debian, so dropped), /lib/dbus-1/system-services.
     */
    public static List<ServiceDirEntry> system() {
        List<ServiceDirEntry> out = new ArrayList<>();
        addUnique(out, ServiceDirEntry.plain(Path.of("/usr/local/share/dbus-1/system-services")));
        addUnique(out, ServiceDirEntry.plain(Path.of("/usr/share/dbus-1/system-services")));
        addUnique(out, ServiceDirEntry.plain(Path.of(DATADIR, "dbus-1", "system-services")));
        addUnique(out, ServiceDirEntry.plain(Path.of("/lib/dbus-1/system-services")));
        return List.copyOf(out);
    }

    /** Appends unless a directory with the same path is already listed (first wins, as in dbus-daemon). */
    static void addUnique(List<ServiceDirEntry> list, ServiceDirEntry e) {
        for (ServiceDirEntry x : list) {
            if (x.dir().equals(e.dir())) {
                return;
            }
        }
        list.add(e);
    }
}
