package dev.omnibus.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code <user>} and {@code <pidfile>} on a bus started as root, as dbus-daemon 1.14 does them: the
 * sockets are bound and the pid file written as root, then the process becomes the user with no
 * supplementary groups; the driver reports the new uid for itself. An unknown user stops the start-up
 * with "Could not get UID and GID for username". Needs root (skipped otherwise).
 */
class SystemBusUserTest {

    private static String config(String user) {
        return "<busconfig>\n  <type>system</type>\n  <user>" + user + "</user>\n"
                + "  <pidfile>@DIR@/bus.pid</pidfile>\n  <listen>unix:path=@DIR@/bus</listen>\n  <auth>EXTERNAL</auth>\n"
                + ConfiguredBus.ALLOW_ALL + "</busconfig>\n";
    }

    @Test
    void becomesConfiguredUserAfterBindingAndWritingThePidFile() throws Exception {
        assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0, "needs root");
        Path dir = ConfiguredBus.newDir();
        try (ConfiguredBus bus = ConfiguredBus.start(dir, config("nobody"), List.of(), Map.of())) {
            ProcessRun r = bus.driver("GetConnectionUnixUser", "string:org.freedesktop.DBus");
            assertTrue(r.stdout().contains("uint32 65534"), r.describe() + "\n" + bus.stderr());

            List<String> status = Files.readAllLines(Path.of("/proc/" + bus.pid + "/status"));
            assertTrue(status.contains("Uid:\t65534\t65534\t65534\t65534"), status.toString());
            assertTrue(status.contains("Gid:\t65534\t65534\t65534\t65534"), status.toString());
            assertTrue(status.stream().anyMatch(l -> l.matches("Groups:\\s*")), "no supplementary groups: " + status);

            Path pidFile = dir.resolve("bus.pid");
            assertEquals(bus.pid + "\n", Files.readString(pidFile));
            // Written before the switch: it belongs to root.
            assertEquals("root", Files.readAttributes(pidFile, PosixFileAttributes.class).owner().getName());

            // Still serving after the switch: a second client is accepted and named.
            ProcessRun id = bus.driver("GetId");
            assertTrue(id.succeeded(), id.describe());
        }
    }

    @Test
    void unknownUserIsAStartupErrorNamingTheUser() throws Exception {
        assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0, "needs root");
        Path dir = ConfiguredBus.newDir();
        try (ConfiguredBus bus = ConfiguredBus.start(dir, config("omnibus-no-such-user"), List.of(), Map.of())) {
            assertTrue(bus.process.waitFor(30, TimeUnit.SECONDS), "daemon still running\n" + bus.stderr());
            assertEquals(1, bus.process.exitValue(), bus.stderr());
            assertTrue(bus.stderr().contains(
                    "Failed to start message bus: Could not get UID and GID for username \"omnibus-no-such-user\""),
                    bus.stderr());
        }
    }
}
