package dev.omnibus.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * dbus-python (libdbus + GLib main loop): a service (service.py) exporting an object with methods
 * and a signal, and a client (client.py) whose scenario output is asserted line by line.
 */
class DbusPythonTest extends WithBus {


    @BeforeEach
    void start() throws Exception {
        bus.spawn(BusDaemon.python("service.py")).awaitLineStartingWith("READY ", Duration.ofSeconds(30));
    }

    private List<String> client(String scenario) throws Exception {
        ProcessRun r = bus.run(BusDaemon.python("client.py", scenario));
        assertTrue(r.succeeded(), r.describe() + "\n" + bus.stderr());
        return r.stdout().lines().toList();
    }

    @Test
    void clientCallsServiceMethod() throws Exception {
        assertEquals(List.of("echo hello omnibus", "owner True"), client("call"));
    }

    @Test
    void clientReceivesServiceSignal() throws Exception {
        assertEquals(List.of("signal ping-1"), client("signal"));
    }

    @Test
    void fileDescriptorPassesThroughBus() throws Exception {
        assertEquals(List.of("fd through a pipe"), client("fd"));
    }

    @Test
    void byteArraysOfEverySizeRoundTripByteExact() throws Exception {
        // Up to 3 MiB each way; Omnibus splices the large ones through kernel pipes.
        assertEquals(List.of("bytes 30 of 30"), client("bytes"));
        if (DaemonUnderTest.current().isOmnibus()) {
            ProcessRun stats = bus.run("dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus", "org.freedesktop.DBus.Debug.Stats.GetStats");
            assertTrue(stats.succeeded(), stats.describe());
            var spliced = java.util.regex.Pattern.compile("\"SplicedMessages\"\\s+variant\\s+uint32 (\\d+)")
                    .matcher(stats.stdout());
            assertTrue(spliced.find(), stats.stdout());
            // Calls and replies of 100 KB and more cannot all have been read in one go.
            assertTrue(Integer.parseInt(spliced.group(1)) >= 12, "spliced: " + spliced.group(1));
        }
    }

    @Test
    void errorNamesForNoReplyUnknownServiceAndMethod() throws Exception {
        assertEquals(List.of("noreply org.freedesktop.DBus.Error.NoReply",
                "unknown org.freedesktop.DBus.Error.ServiceUnknown",
                "nomethod org.freedesktop.DBus.Error.UnknownMethod"), client("errors"));
    }

    @Test
    void credentialsDescribeTheCallerIncludingAPidfd() throws Exception {
        List<String> seen = client("credentials");
        // dbus-daemon 1.14 has no ProcessFD; Omnibus passes the SO_PEERPIDFD it read for the caller.
        String pidfd = DaemonUnderTest.current().isOmnibus() ? "pidfd self" : "pidfd absent";
        assertEquals(List.of("uid self", "pid self", "gid listed", pidfd), seen);
    }

    @Test
    void nameOwnerChangedOnAcquisitionAndDisconnect() throws Exception {
        List<String> seen = client("nameowner");
        assertTrue(seen.contains("noc org.omnibus.Ephemeral none other"), seen.toString());
        assertTrue(seen.contains("noc org.omnibus.Ephemeral other none"), seen.toString());
        assertTrue(seen.contains("noc unique other none"), seen.toString());
        assertTrue(seen.indexOf("noc org.omnibus.Ephemeral other none") < seen.indexOf("noc unique other none"),
                "the well-known name is released before the unique name goes: " + seen);
    }
}
