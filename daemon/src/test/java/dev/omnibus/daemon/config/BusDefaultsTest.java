package dev.omnibus.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BusDefaultsTest {
    @Test
    void wellKnownFilesAndAddresses() {
        assertEquals(Path.of("/usr/share/dbus-1/session.conf"), BusDefaults.configFileFor("session"));
        assertEquals(Path.of("/usr/share/dbus-1/system.conf"), BusDefaults.configFileFor("system"));
        assertNull(BusDefaults.configFileFor("other"));
        assertEquals("unix:path=/var/run/dbus/system_bus_socket", BusDefaults.systemBusAddress(Map.of()));
        assertEquals("unix:path=/x", BusDefaults.systemBusAddress(Map.of("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/x")));
        assertNull(BusDefaults.sessionBusAddress(Map.of("DBUS_SESSION_BUS_ADDRESS", "")));
    }

    @Test
    void sessionDirsDefaultToHomeAndXdgDefaultsWithoutDuplicates() {
        assertEquals(java.util.List.of(Path.of("/h/.local/share/dbus-1/services"),
                        Path.of("/usr/local/share/dbus-1/services"), Path.of("/usr/share/dbus-1/services")),
                StandardServiceDirs.session(Map.of("HOME", "/h")).stream().map(ServiceDirEntry::dir).toList());
    }
}
