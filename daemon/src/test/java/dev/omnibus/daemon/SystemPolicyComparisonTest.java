package dev.omnibus.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #5's proof: Debian's real /usr/share/dbus-1/system.conf with every system.d file, loaded by
 * the installed dbus-daemon 1.14 and by Omnibus on temporary sockets, and the same table of method
 * calls and name requests sent to both by root and by an unprivileged user this test creates.
 * Every row must get the same outcome; refusals must carry the same AccessDenied text (with the
 * process details and unique names normalised away, as they differ between runs).
 *
 * <p>Black box: real daemons, real dbus-python clients and a dbus-python service owning
 * org.freedesktop.login1 (rich per-method rules) on one connection and org.freedesktop.systemd1 and
 * org.freedesktop.hostname1 on another, answering every call. Needs root, /usr/bin/dbus-daemon and
 * python3-dbus; skipped otherwise.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SystemPolicyComparisonTest {
    private static final String USER = "omnibus-policy";
    private static Path dir;
    private static int uid;
    private static int gid;

    private static final String SERVICE = """
            import sys, dbus, dbus.bus, dbus.lowlevel
            from dbus.mainloop.glib import DBusGMainLoop
            from gi.repository import GLib
            DBusGMainLoop(set_as_default=True)
            def serve(names):
                b = dbus.bus.BusConnection(sys.argv[1])
                for n in names:
                    r = b.request_name(n, dbus.bus.NAME_FLAG_DO_NOT_QUEUE)
                    assert r == dbus.bus.REQUEST_NAME_REPLY_PRIMARY_OWNER, (n, r)
                def answer(conn, msg):
                    if msg.get_type() == dbus.lowlevel.MESSAGE_TYPE_METHOD_CALL and not msg.get_no_reply():
                        conn.send_message(dbus.lowlevel.MethodReturnMessage(msg))
                        return dbus.lowlevel.HANDLER_RESULT_HANDLED
                    return dbus.lowlevel.HANDLER_RESULT_NOT_YET_HANDLED
                b.add_message_filter(answer)
                return b
            conns = [serve(group.split(",")) for group in sys.argv[2].split(";")]
            print("READY", flush=True)
            GLib.MainLoop().run()
            """;

    private static final String CLIENT = """
            import sys, dbus, dbus.bus
            b = dbus.bus.BusConnection(sys.argv[1])
            for line in open(sys.argv[2]):
                f = line.rstrip("\\n").split("|")
                try:
                    if f[0] == "own":
                        b.request_name(f[1], dbus.bus.NAME_FLAG_DO_NOT_QUEUE)
                        b.release_name(f[1])
                    else:
                        dest = b.get_name_owner(f[1][1:]) if f[1].startswith("@") else f[1]
                        iface = f[3] or None
                        fds = int(f[5]) if len(f) > 5 else 0
                        b.call_blocking(dest, f[2], iface, f[4], "h" * fds, tuple(dbus.types.UnixFd(0) for _ in range(fds)), timeout=10)
                    print("ALLOW", flush=True)
                except dbus.exceptions.DBusException as e:
                    if e.get_dbus_name() == "org.freedesktop.DBus.Error.AccessDenied":
                        print("DENY " + e.get_dbus_message().replace("\\n", " "), flush=True)
                    else:
                        print("ERROR " + e.get_dbus_name(), flush=True)
            """;

    /**
     * op|destination|path|interface|member[|fds], or own|name. "@name" = the unique name owning name.
     * Debian's system.conf and system.d, with the service owning login1 on one connection and
     * systemd1 and hostname1 on another.
     */
    private static final List<String> DEBIAN = List.of(
            "call|org.freedesktop.login1|/org/freedesktop/login1|org.freedesktop.login1.Manager|GetSession",
            "call|org.freedesktop.login1|/org/freedesktop/login1|org.freedesktop.login1.Manager|PowerOff",
            "call|org.freedesktop.login1|/org/freedesktop/login1|org.freedesktop.login1.Manager|KillSession",
            "call|org.freedesktop.login1|/org/freedesktop/login1|org.freedesktop.login1.Manager|NoSuchMethod",
            "call|org.freedesktop.login1|/org/freedesktop/login1|org.freedesktop.DBus.Properties|Get",
            "call|org.freedesktop.login1|/org/freedesktop/login1|org.freedesktop.DBus.Properties|Set",
            "call|org.freedesktop.login1|/|org.freedesktop.DBus.Introspectable|Introspect",
            "call|org.freedesktop.login1|/org/freedesktop/login1|org.freedesktop.DBus.Peer|Ping",
            "call|org.freedesktop.login1|/org/freedesktop/login1||GetSession",
            "call|org.freedesktop.login1|/org/freedesktop/login1||Introspect",
            "call|org.freedesktop.login1|/x|com.example.Foo|Bar",
            "call|@org.freedesktop.login1|/org/freedesktop/login1|org.freedesktop.login1.Manager|GetSession",
            "call|@org.freedesktop.login1|/org/freedesktop/login1|org.freedesktop.login1.Manager|KillSession",
            "call|@org.freedesktop.login1|/x|com.example.Foo|Bar",
            "call|org.freedesktop.systemd1|/org/freedesktop/systemd1|org.freedesktop.systemd1.Manager|GetUnit",
            "call|org.freedesktop.systemd1|/org/freedesktop/systemd1|org.freedesktop.systemd1.Manager|StartUnit",
            "call|org.freedesktop.systemd1|/org/freedesktop/systemd1|org.freedesktop.systemd1.Manager|ListUnits",
            "call|org.freedesktop.systemd1|/org/freedesktop/systemd1|org.freedesktop.DBus.Properties|GetAll",
            "call|org.freedesktop.systemd1|/org/freedesktop/systemd1||ListUnits",
            "call|org.freedesktop.hostname1|/org/freedesktop/hostname1|org.freedesktop.hostname1|SetHostname",
            "call|org.freedesktop.hostname1|/x|com.example.Foo|Bar",
            "call|org.freedesktop.DBus|/org/freedesktop/DBus|org.freedesktop.DBus|ListNames",
            "call|org.freedesktop.DBus|/org/freedesktop/DBus|org.freedesktop.DBus|UpdateActivationEnvironment",
            "call|org.freedesktop.DBus|/org/freedesktop/DBus|org.freedesktop.DBus.Debug.Stats|GetStats",
            "call|org.freedesktop.DBus|/org/freedesktop/DBus|org.freedesktop.DBus.Monitoring|NoSuchMethod",
            "call|org.freedesktop.DBus|/org/freedesktop/DBus|org.freedesktop.systemd1.Activator|NoSuchMethod",
            "call|org.freedesktop.DBus|/org/freedesktop/DBus|org.freedesktop.DBus.Introspectable|Introspect",
            "call|org.freedesktop.DBus|/org/freedesktop/DBus|org.freedesktop.DBus.Properties|GetAll",
            "call|org.freedesktop.DBus|/org/freedesktop/DBus|com.example.Foo|Bar",
            "own|org.freedesktop.login1",
            "own|org.freedesktop.locale1",
            "own|org.freedesktop.PolicyKit1",
            "own|org.freedesktop.PackageKit",
            "own|org.freedesktop.network1",
            "own|com.ubuntu.SoftwareProperties",
            "own|com.example.Nobody");

    private static final String DEBIAN_SERVICE = "org.freedesktop.login1;org.freedesktop.systemd1,org.freedesktop.hostname1";

    /**
     * The subtle semantics on a small policy of our own: send_destination_prefix, send_path,
     * min_fds/max_fds, messages without an interface, receive rules on the service's side,
     * own_prefix. LISTEN is replaced by each bus's socket.
     */
    private static final String CUSTOM_CONF = """
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
             "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>system</type>
              <auth>EXTERNAL</auth>
              <listen>LISTEN</listen>
              <policy context="default">
                <allow user="*"/>
                <deny own="*"/>
                <allow own_prefix="com.example.Svc"/>
                <deny send_type="method_call"/>
                <allow send_type="signal"/>
                <allow send_requested_reply="true" send_type="method_return"/>
                <allow send_requested_reply="true" send_type="error"/>
                <allow receive_type="method_call"/>
                <allow receive_type="method_return"/>
                <allow receive_type="error"/>
                <allow receive_type="signal"/>
                <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
                <allow send_destination_prefix="com.example.Svc" send_interface="com.example.Open"/>
                <allow send_destination="com.example.Svc" send_path="/open"/>
                <deny send_destination="com.example.Svc" min_fds="1"/>
                <allow send_destination="com.example.Svc" send_path="/x" send_member="WithFd" max_fds="1"/>
                <deny send_destination="com.example.Svc" send_interface="com.example.Open" send_member="Closed"/>
                <deny receive_interface="com.example.Hidden" receive_type="method_call"/>
              </policy>
              <policy user="root">
                <deny own="com.example.Svc.RootCannot"/>
              </policy>
              <policy user="nosuchuser-omnibus">
                <allow own="com.example.Ignored"/>
              </policy>
            </busconfig>
            """;

    private static final List<String> CUSTOM = List.of(
            "call|com.example.Svc|/x|com.example.Open|Any",
            "call|com.example.Svc.Sub|/x|com.example.Open|Any",
            "call|@com.example.Svc.Sub|/x|com.example.Open|Any",
            "call|com.example.Svc|/x|com.example.Open|Closed",
            "call|com.example.Svc|/open|com.example.Other|M",
            "call|com.example.Svc|/x|com.example.Other|M",
            "call|com.example.Svc.Sub|/open|com.example.Other|M",
            "call|com.example.Svc|/open|com.example.Other|M|1",
            "call|com.example.Svc|/x|com.example.Other|WithFd|1",
            "call|com.example.Svc|/x|com.example.Other|WithFd|2",
            "call|com.example.Svc|/x||WithFd",
            "call|com.example.Svc|/x||Closed",
            "call|com.example.Svc|/open|com.example.Hidden|M",
            "call|com.example.Svc|/open||M",
            "own|com.example.Svc.Other",
            "own|com.example.Svc",
            "own|com.example.SvcOther",
            "own|com.example.Svc.RootCannot",
            "own|com.example.Ignored");

    private static final String CUSTOM_SERVICE = "com.example.Svc;com.example.Svc.Sub";

    @BeforeAll
    static void setUp() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create a user and drop privileges");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dbus-daemon")), "needs dbus-daemon");
        assumeTrue(exit(List.of("/usr/bin/python3", "-c", "import dbus, dbus.mainloop.glib, gi")) == 0, "needs python3-dbus");
        if (exit(List.of("id", "-u", USER)) != 0) {
            assertEquals(0, exit(List.of("useradd", "--system", "--no-create-home", "-s", "/usr/sbin/nologin", USER)));
        }
        uid = Integer.parseInt(run(List.of("id", "-u", USER)).strip());
        gid = Integer.parseInt(run(List.of("id", "-g", USER)).strip());
        dir = Files.createTempDirectory("omnibus-policy", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.writeString(dir.resolve("service.py"), SERVICE);
        Files.writeString(dir.resolve("client.py"), CLIENT);
        Files.write(dir.resolve("debian.table"), DEBIAN);
        Files.write(dir.resolve("custom.table"), CUSTOM);
        String conf = Files.readString(Path.of("/usr/share/dbus-1/system.conf"))
                .replaceAll("<user>[^<]*</user>", "")
                .replace("<fork/>", "")
                .replaceAll("<pidfile>[^<]*</pidfile>", "")
                .replace("<syslog/>", "")
                .replace("<includedir>system.d</includedir>", "<includedir>/usr/share/dbus-1/system.d</includedir>");
        for (String bus : List.of("reference", "omnibus")) {
            Files.writeString(dir.resolve(bus + ".debian.conf"), conf.replaceAll("<listen>[^<]*</listen>",
                    "<listen>unix:path=" + dir.resolve(bus + ".debian.sock") + "</listen>"));
            Files.writeString(dir.resolve(bus + ".custom.conf"),
                    CUSTOM_CONF.replace("LISTEN", "unix:path=" + dir.resolve(bus + ".custom.sock")));
        }
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (dir == null) return;
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(dir);
    }

    @Test
    void debianSystemPolicyDecidesAsDbusDaemonForRootAndAnUnprivilegedUser() throws Exception {
        compare("debian", DEBIAN, DEBIAN_SERVICE);
    }

    @Test
    void prefixPathFdInterfacelessReceiveAndOwnRulesDecideAsDbusDaemon() throws Exception {
        compare("custom", CUSTOM, CUSTOM_SERVICE);
    }

    private static void compare(String scenario, List<String> table, String serviceNames) throws Exception {
        List<String> reference = decisions(List.of("/usr/bin/dbus-daemon"), "reference", scenario, table, serviceNames);
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> omnibus = decisions(List.of(java, "-cp", System.getProperty("java.class.path"),
                "dev.omnibus.daemon.Main"), "omnibus", scenario, table, serviceNames);
        if (Boolean.getBoolean("omnibus.policy.print")) reference.forEach(System.out::println);
        assertEquals(2 * table.size(), reference.size(), "reference answered every row: " + reference);
        assertTrue(reference.stream().anyMatch(s -> s.contains("ALLOW")), "some rows are allowed");
        assertTrue(reference.stream().anyMatch(s -> s.contains("DENY")), "some rows are denied");
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < reference.size(); i++) {
            if (!reference.get(i).equals(omnibus.get(i))) {
                differences.add("dbus-daemon: " + reference.get(i) + "\n    omnibus: " + omnibus.get(i));
            }
        }
        assertEquals(List.of(), differences, String.join("\n", differences));
    }

    /** Runs the service as root and the table as root then as the test user; one line per row. */
    private static List<String> decisions(List<String> daemonCommand, String bus, String scenario,
                                          List<String> table, String serviceNames) throws Exception {
        List<String> cmd = new ArrayList<>(daemonCommand);
        cmd.addAll(List.of("--config-file=" + dir.resolve(bus + "." + scenario + ".conf"), "--nofork", "--print-address"));
        Process daemon = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Process service = null;
        try {
            String address = new BufferedReader(new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertTrue(address != null && address.startsWith("unix:"), bus + " printed its address: " + address);
            service = new ProcessBuilder("/usr/bin/python3", dir.resolve("service.py").toString(), address, serviceNames)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String ready = new BufferedReader(new InputStreamReader(service.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertEquals("READY", ready, bus + ": service owns its names");
            List<String> out = new ArrayList<>();
            String client = dir.resolve("client.py").toString();
            String rows = dir.resolve(scenario + ".table").toString();
            label(out, "root", table, run(List.of("/usr/bin/python3", client, address, rows)));
            label(out, USER, table, run(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups",
                    "/usr/bin/python3", client, address, rows)));
            return out;
        } finally {
            if (service != null) service.destroyForcibly().waitFor();
            daemon.destroy();
            if (!daemon.waitFor(5, TimeUnit.SECONDS)) daemon.destroyForcibly().waitFor();
        }
    }

    private static void label(List<String> out, String who, List<String> table, String lines) {
        String[] l = lines.split("\n");
        for (int i = 0; i < l.length && i < table.size(); i++) {
            out.add(who + " " + table.get(i) + " -> " + normalise(l[i]));
        }
    }

    /** Unique names and process details differ between runs and daemons. */
    static String normalise(String line) {
        return line.replaceAll("\\(uid=\\d+ pid=\\d+ comm=\"[^\"]*\"( label=\"[^\"]*\")?\\)", "(PROCESS)")
                .replaceAll("\":1\\.\\d+\"", "\":1.N\"");
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private static int exit(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor();
    }
}
