package dev.omnibus.broker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine id that org.freedesktop.DBus.Peer.GetMachineId reports: /etc/machine-id, else
 * /var/lib/dbus/machine-id (man machine-id), else a fixed id derived from nothing (containers
 * without either file).
 */
final class MachineId {
    private MachineId() {}

    static String read() {
        for (String f : new String[] {"/etc/machine-id", "/var/lib/dbus/machine-id"}) {
            try {
                String id = Files.readString(Path.of(f)).trim();
                if (id.matches("[0-9a-f]{32}")) return id;
            } catch (IOException | RuntimeException e) {
                // try the next
            }
        }
        return "0".repeat(32);
    }
}
