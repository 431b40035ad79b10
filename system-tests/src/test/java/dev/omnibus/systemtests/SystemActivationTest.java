package dev.omnibus.systemtests;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Activation on a bus of type system started as root, driven by gdbus: a call to an activatable name
 * starts the service; a service that exits 1 gives Spawn.ChildExited; one that never takes its name
 * gives TimedOut within service_start_timeout (2 s here). With User= and no {@code <servicehelper>},
 * Omnibus runs the service as that user (dbus-daemon would run it as root: that case is Omnibus only).
 */
class SystemActivationTest {

    private static final String CONFIG = """
            <busconfig>
              <type>system</type>
              <listen>unix:path=@DIR@/bus</listen>
              <auth>EXTERNAL</auth>
              <servicedir>@DIR@/services</servicedir>
              <limit name="service_start_timeout">2000</limit>
            """ + ConfiguredBus.ALLOW_ALL + "</busconfig>\n";

    private static ConfiguredBus start(String name, String exec, String user) throws Exception {
        assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0, "needs root");
        Path dir = ConfiguredBus.newDir();
        Path services = Files.createDirectories(dir.resolve("services"));
        Files.writeString(services.resolve(name + ".service"), "[D-BUS Service]\nName=" + name + "\nExec=" + exec + "\n"
                + (user == null ? "" : "User=" + user + "\n"));
        return ConfiguredBus.start(dir, CONFIG, List.of(), Map.of());
    }

    private static ProcessRun gdbusCall(ConfiguredBus bus, String name) throws Exception {
        return bus.run("gdbus", "call", "--system", "--dest", name, "--object-path", "/org/omnibus/Test",
                "--method", "org.omnibus.Test.Echo", "hello");
    }

    private static String service(String name) {
        return BusDaemon.PYTHON + " " + BusDaemon.resource("python/service.py") + " " + name;
    }

    @Test
    void callStartsTheServiceAsItsUser() throws Exception {
        assumeTrue(DaemonUnderTest.current().isOmnibus(), "dbus-daemon without a servicehelper ignores User=");
        try (ConfiguredBus bus = start("org.omnibus.SysUser", service("org.omnibus.SysUser"), "nobody")) {
            ProcessRun r = gdbusCall(bus, "org.omnibus.SysUser");
            assertTrue(r.stdout().contains("('hello',)"), r.describe() + "\n" + bus.stderr());
            ProcessRun uid = bus.driver("GetConnectionUnixUser", "string:org.omnibus.SysUser");
            assertTrue(uid.stdout().contains("uint32 65534"), uid.describe());
            bus.run("dbus-send", "--system", "--dest=org.omnibus.SysUser", "/org/omnibus/Test", "org.omnibus.Test.Quit");
        }
    }

    @Test
    void callStartsTheServiceWithoutUser() throws Exception {
        try (ConfiguredBus bus = start("org.omnibus.SysPlain", service("org.omnibus.SysPlain"), null)) {
            ProcessRun r = gdbusCall(bus, "org.omnibus.SysPlain");
            assertTrue(r.stdout().contains("('hello',)"), r.describe() + "\n" + bus.stderr());
            bus.run("dbus-send", "--system", "--dest=org.omnibus.SysPlain", "/org/omnibus/Test", "org.omnibus.Test.Quit");
        }
    }

    @Test
    void failingServiceGivesChildExited() throws Exception {
        try (ConfiguredBus bus = start("org.omnibus.SysFails", "/bin/sh -c 'exit 1'", null)) {
            ProcessRun r = gdbusCall(bus, "org.omnibus.SysFails");
            assertFalse(r.succeeded(), r.describe());
            assertTrue(r.stderr().contains("org.freedesktop.DBus.Error.Spawn.ChildExited"), r.describe());
            assertTrue(r.stderr().contains("exited with status 1"), r.describe());
        }
    }

    @Test
    void hangingServiceTimesOutWithinServiceStartTimeout() throws Exception {
        try (ConfiguredBus bus = start("org.omnibus.SysHangs", "/bin/sleep 30", null)) {
            long t0 = System.nanoTime();
            ProcessRun r = gdbusCall(bus, "org.omnibus.SysHangs");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertFalse(r.succeeded(), r.describe());
            assertTrue(r.stderr().contains("org.freedesktop.DBus.Error.TimedOut"), r.describe());
            assertTrue(ms < 10_000, "answered after " + ms + " ms, service_start_timeout is 2000");
        }
    }
}
