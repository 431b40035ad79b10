package dev.omnibus.systemtests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** gdbus (GLib's GDBus) against the bus: call, introspect, monitor, emit. */
class GdbusTest extends WithBus {


    @Test
    void callGetIdReturnsTupleWithHexId() throws Exception {
        ProcessRun r = bus.run("gdbus", "call", "--address", bus.address(), "--dest", "org.freedesktop.DBus",
                "--object-path", "/org/freedesktop/DBus", "--method", "org.freedesktop.DBus.GetId");
        assertTrue(r.succeeded(), r.describe());
        assertTrue(r.stdout().strip().matches("\\('[0-9a-f]{32}',\\)"), r.describe());
    }

    @Test
    void callToServiceAndErrorName() throws Exception {
        bus.spawn(BusDaemon.python("service.py")).awaitLineStartingWith("READY ", Duration.ofSeconds(30));
        ProcessRun r = bus.run("gdbus", "call", "--session", "--dest", "org.omnibus.Test",
                "--object-path", "/org/omnibus/Test", "--method", "org.omnibus.Test.Echo", "from gdbus");
        assertTrue(r.succeeded(), r.describe());
        assertTrue(r.stdout().strip().equals("('from gdbus',)"), r.describe());
        ProcessRun missing = bus.run("gdbus", "call", "--session", "--dest", "org.omnibus.Missing",
                "--object-path", "/", "--method", "org.omnibus.Missing.Call");
        assertTrue(missing.exitCode() != 0, missing.describe());
        assertTrue(missing.stderr().contains("org.freedesktop.DBus.Error.ServiceUnknown"), missing.describe());
    }

    @Test
    void introspectionOfDriverListsItsMethods() throws Exception {
        ProcessRun r = bus.run("gdbus", "introspect", "--address", bus.address(), "--dest", "org.freedesktop.DBus",
                "--object-path", "/org/freedesktop/DBus");
        assertTrue(r.succeeded(), r.describe());
        String out = r.stdout();
        assertTrue(out.contains("interface org.freedesktop.DBus {"), r.describe());
        for (String method : new String[] {"Hello(", "RequestName(", "ReleaseName(", "ListNames(",
                "NameHasOwner(", "GetNameOwner(", "AddMatch(", "RemoveMatch(", "GetId(",
                "StartServiceByName(", "GetConnectionUnixUser(", "ListActivatableNames("}) {
            assertTrue(out.contains(method), "missing " + method + "\n" + out);
        }
        assertTrue(out.contains("NameOwnerChanged("), "signal NameOwnerChanged\n" + out);
        assertTrue(out.contains("interface org.freedesktop.DBus.Introspectable {"), out);
    }

    @Test
    void monitorSeesSignalOfWatchedName() throws Exception {
        bus.spawn(BusDaemon.python("service.py")).awaitLineStartingWith("READY ", Duration.ofSeconds(30));
        BackgroundProcess monitor = bus.spawn("gdbus", "monitor", "--session", "--dest", "org.omnibus.Test");
        String line = monitor.pokeUntilLine(l -> l.contains("org.omnibus.Test.Pinged"), Duration.ofSeconds(20),
                () -> bus.run("gdbus", "call", "--session", "--dest", "org.omnibus.Test", "--object-path",
                        "/org/omnibus/Test", "--method", "org.omnibus.Test.Emit", "via gdbus"));
        assertTrue(line.contains("/org/omnibus/Test: org.omnibus.Test.Pinged ('via gdbus',)"), line);
    }

    @Test
    void emitIsSeenByAMonitor() throws Exception {
        BackgroundProcess monitor = bus.spawn("dbus-monitor", "--session", "type='signal',member='Emitted'");
        monitor.pokeUntilLine(l -> l.contains("member=Emitted"), Duration.ofSeconds(20), () -> {
            ProcessRun r = bus.run("gdbus", "emit", "--session", "--object-path", "/org/omnibus/G",
                    "--signal", "org.omnibus.G.Emitted", "'from gdbus'", "42");
            assertTrue(r.succeeded(), r.describe());
        });
        monitor.awaitLine(l -> l.contains("string \"from gdbus\""), Duration.ofSeconds(5));
        monitor.awaitLine(l -> l.contains("int32 42"), Duration.ofSeconds(5));
    }
}
