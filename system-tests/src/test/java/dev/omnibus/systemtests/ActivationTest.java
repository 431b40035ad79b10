package dev.omnibus.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/**
 * Service activation from .service files in the bus's servicedir. Error names and texts as
 * dbus-daemon 1.14.10 gives them: exit 1 -> Spawn.ChildExited "Process NAME exited with status 1";
 * a missing executable -> Spawn.ExecFailed "Failed to execute program NAME: No such file or
 * directory"; killed by a signal -> Spawn.ChildSignaled "Process NAME received signal 9".
 */
class ActivationTest extends WithBus {


    private String pythonService(String name) {
        return BusDaemon.PYTHON + " " + BusDaemon.resource("python/service.py") + " " + name;
    }

    private ProcessRun driver(String method, String... args) throws Exception {
        String[] argv = new String[5 + args.length];
        argv[0] = "dbus-send";
        argv[1] = "--session";
        argv[2] = "--print-reply";
        argv[3] = "--dest=org.freedesktop.DBus";
        argv[4] = "/org/freedesktop/DBus";
        String[] full = new String[argv.length + 1];
        System.arraycopy(argv, 0, full, 0, 5);
        full[5] = "org.freedesktop.DBus." + method;
        System.arraycopy(args, 0, full, 6, args.length);
        return bus.run(full);
    }

    @Test
    void callToActivatableNameStartsTheService() throws Exception {
        bus.writeService("org.omnibus.Activated", pythonService("org.omnibus.Activated"));
        ProcessRun r = bus.run("dbus-send", "--session", "--print-reply", "--dest=org.omnibus.Activated",
                "/org/omnibus/Test", "org.omnibus.Test.Echo", "string:auto-started");
        assertTrue(r.succeeded(), r.describe() + "\n" + bus.stderr());
        assertTrue(r.stdout().contains("string \"auto-started\""), r.describe());
        // dbus-daemon rescans the servicedir when a name is unknown, not on ListActivatableNames:
        // the file written after start is listed only after that rescan.
        ProcessRun listed = driver("ListActivatableNames");
        assertTrue(listed.stdout().contains("string \"org.omnibus.Activated\""), listed.describe());
        ProcessRun has = driver("NameHasOwner", "string:org.omnibus.Activated");
        assertTrue(has.stdout().contains("boolean true"), has.describe());
        bus.run("dbus-send", "--session", "--dest=org.omnibus.Activated", "/org/omnibus/Test",
                "org.omnibus.Test.Quit");
    }

    @Test
    void bashScriptServiceIsActivated() throws Exception {
        Path script = bus.dir().resolve("claim.sh");
        // gdbus call with a name request is not possible, so the script execs the python service:
        // what matters is that Exec runs through a shell script with the starter environment.
        Files.writeString(script, "#!/bin/bash\n[ -n \"$DBUS_STARTER_ADDRESS\" ] || exit 9\nexec "
                + pythonService("org.omnibus.Scripted") + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        bus.writeService("org.omnibus.Scripted", script.toString());
        ProcessRun r = bus.run("dbus-send", "--session", "--print-reply", "--dest=org.omnibus.Scripted",
                "/org/omnibus/Test", "org.omnibus.Test.Echo", "string:scripted");
        assertTrue(r.stdout().contains("string \"scripted\""), r.describe() + "\n" + bus.stderr());
    }

    @Test
    void startServiceByNameReturnsStartedThenAlreadyRunning() throws Exception {
        bus.writeService("org.omnibus.Started", pythonService("org.omnibus.Started"));
        ProcessRun first = driver("StartServiceByName", "string:org.omnibus.Started", "uint32:0");
        assertTrue(first.succeeded(), first.describe() + "\n" + bus.stderr());
        assertTrue(first.stdout().contains("uint32 1"), "DBUS_START_REPLY_SUCCESS\n" + first.describe());
        ProcessRun second = driver("StartServiceByName", "string:org.omnibus.Started", "uint32:0");
        assertTrue(second.stdout().contains("uint32 2"), "DBUS_START_REPLY_ALREADY_RUNNING\n" + second.describe());
    }

    @Test
    void failingServiceGivesChildExited() throws Exception {
        bus.writeService("org.omnibus.Fail", "/bin/false");
        ProcessRun r = bus.run("dbus-send", "--session", "--print-reply", "--dest=org.omnibus.Fail", "/",
                "org.omnibus.Fail.Call");
        assertEquals(1, r.exitCode(), r.describe());
        assertEquals("Error org.freedesktop.DBus.Error.Spawn.ChildExited: Process org.omnibus.Fail exited with status 1",
                r.stderr().strip());
        ProcessRun start = driver("StartServiceByName", "string:org.omnibus.Fail", "uint32:0");
        assertTrue(start.stderr().startsWith("Error org.freedesktop.DBus.Error.Spawn.ChildExited"), start.describe());
    }

    @Test
    void missingExecutableGivesExecFailed() throws Exception {
        bus.writeService("org.omnibus.Gone", bus.dir().resolve("no-such-program").toString());
        ProcessRun r = bus.run("dbus-send", "--session", "--print-reply", "--dest=org.omnibus.Gone", "/",
                "org.omnibus.Gone.Call");
        assertTrue(r.stderr().startsWith("Error org.freedesktop.DBus.Error.Spawn.ExecFailed"), r.describe());
    }

    @Test
    void killedServiceGivesChildSignaled() throws Exception {
        bus.writeService("org.omnibus.Killed", "/bin/sh -c \"kill -9 $$\"");
        ProcessRun r = bus.run("dbus-send", "--session", "--print-reply", "--dest=org.omnibus.Killed", "/",
                "org.omnibus.Killed.Call");
        assertEquals("Error org.freedesktop.DBus.Error.Spawn.ChildSignaled: Process org.omnibus.Killed received signal 9",
                r.stderr().strip());
    }

    @Test
    void unknownNameIsServiceUnknownWithoutServiceFile() throws Exception {
        ProcessRun r = driver("StartServiceByName", "string:org.omnibus.NotThere", "uint32:0");
        assertEquals("Error org.freedesktop.DBus.Error.ServiceUnknown: The name org.omnibus.NotThere was not "
                + "provided by any .service files", r.stderr().strip());
    }
}
