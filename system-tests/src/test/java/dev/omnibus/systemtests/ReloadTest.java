package dev.omnibus.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Reload on SIGHUP and ReloadConfig, as dbus-daemon 1.14 does it: the policy of an {@code <includedir>}
 * file changes under a running bus, and the next message of a client connected before the change is
 * decided by the new rule (AccessDenied) while that connection stays up. A broken configuration keeps
 * the old one in force; dbus-daemon's ReloadConfig then answers org.freedesktop.DBus.Error.Failed
 * with "Error in file F, line N, ...".
 */
class ReloadTest {

    private static final String MAIN = """
            <busconfig>
              <type>system</type>
              <listen>unix:path=@DIR@/bus</listen>
              <auth>EXTERNAL</auth>
              <includedir>@DIR@/policy.d</includedir>
            </busconfig>
            """;

    private static final String DENY_GET_ID = """
              <policy context="default">
                <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus" send_member="GetId"/>
              </policy>
            """;

    /** Calls GetId, waits for a line on stdin, calls GetId again, then shows it is still connected. */
    private static final String CLIENT = """
            import sys, dbus
            b = dbus.bus.BusConnection(sys.argv[1])
            d = b.get_object('org.freedesktop.DBus', '/org/freedesktop/DBus')
            def call():
                try:
                    d.GetId(dbus_interface='org.freedesktop.DBus')
                    return 'allowed'
                except dbus.DBusException as e:
                    return e.get_dbus_name()
            print('first', call(), flush=True)
            sys.stdin.readline()
            print('second', call(), flush=True)
            me = b.get_unique_name()
            print('owner', me == d.GetNameOwner(me, dbus_interface='org.freedesktop.DBus'), flush=True)
            """;

    private static Path writePolicy(Path dir, String... policies) throws Exception {
        Path d = dir.resolve("policy.d");
        Files.createDirectories(d);
        Path f = d.resolve("test.conf");
        Files.writeString(f, "<busconfig>\n" + String.join("", policies) + "</busconfig>\n");
        return f;
    }

    private static boolean getIdDenied(ConfiguredBus bus) throws Exception {
        ProcessRun r = bus.driver("GetId");
        return r.stderr().contains("org.freedesktop.DBus.Error.AccessDenied");
    }

    /** Polls until a fresh client sees the new rule: SIGHUP is asynchronous in both daemons. */
    private static void awaitDenied(ConfiguredBus bus) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!getIdDenied(bus)) {
            assertTrue(System.nanoTime() < deadline, "new policy never took effect\n" + bus.stderr());
            Thread.sleep(100);
        }
    }

    @Test
    void sighupAppliesChangedPolicyFileToExistingConnection() throws Exception {
        Path dir = ConfiguredBus.newDir();
        Path policy = writePolicy(dir, ConfiguredBus.ALLOW_ALL);
        try (ConfiguredBus bus = ConfiguredBus.start(dir, MAIN, List.of(), Map.of())) {
            Process client = bus.client(List.of(BusDaemon.PYTHON, "-c", CLIENT, bus.address))
                    .redirectError(dir.resolve("client.err").toFile()).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
                 Writer in = new OutputStreamWriter(client.getOutputStream(), StandardCharsets.UTF_8)) {
                assertEquals("first allowed", out.readLine(), Files.readString(dir.resolve("client.err")));

                writePolicy(dir, ConfiguredBus.ALLOW_ALL, DENY_GET_ID);
                new ProcessBuilder("kill", "-HUP", Long.toString(bus.pid)).start().waitFor();
                awaitDenied(bus);

                in.write("go\n");
                in.flush();
                assertEquals("second org.freedesktop.DBus.Error.AccessDenied", out.readLine(), bus.stderr());
                assertEquals("owner True", out.readLine(), "the connection stayed up");
            } finally {
                client.destroy();
                client.waitFor(5, TimeUnit.SECONDS);
            }
            assertTrue(Files.exists(policy));
        }
    }

    @Test
    void brokenConfigurationKeepsThePreviousOne() throws Exception {
        Path dir = ConfiguredBus.newDir();
        writePolicy(dir, ConfiguredBus.ALLOW_ALL, DENY_GET_ID);
        try (ConfiguredBus bus = ConfiguredBus.start(dir, MAIN, List.of(), Map.of())) {
            assertTrue(getIdDenied(bus), bus.stderr());
            // The main file broken: ReloadConfig and SIGHUP must both keep the deny rule in force.
            Files.writeString(dir.resolve("bus.conf"), "<busconfig><oops\n");
            bus.driver("ReloadConfig");
            new ProcessBuilder("kill", "-HUP", Long.toString(bus.pid)).start().waitFor();
            Thread.sleep(500);
            assertTrue(getIdDenied(bus), "old policy still in force\n" + bus.stderr());
            assertTrue(bus.process.isAlive(), bus.stderr());
            String log = bus.stderr();
            // The line is where the parser noticed (expat: 1, the JDK parser: 2 at end of input).
            assertTrue(log.contains("Unable to reload configuration: Error in file " + dir.resolve("bus.conf") + ", line "),
                    log);
        }
    }

    @Test
    void reloadConfigOnBrokenConfigurationAnswersFailed() throws Exception {
        Path dir = ConfiguredBus.newDir();
        writePolicy(dir, ConfiguredBus.ALLOW_ALL);
        try (ConfiguredBus bus = ConfiguredBus.start(dir, MAIN, List.of(), Map.of())) {
            Files.writeString(dir.resolve("bus.conf"), "<busconfig><oops\n");
            ProcessRun r = bus.driver("ReloadConfig");
            assertFalse(r.succeeded(), r.describe());
            assertTrue(r.stderr().contains("Error org.freedesktop.DBus.Error.Failed: Error in file "
                    + dir.resolve("bus.conf") + ", line "), r.describe());
        }
    }
}
