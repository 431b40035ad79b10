package dev.omnibus.systemtests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** busctl (systemd's sd-bus) with --address: list, status, call, monitor, tree. */
class BusctlTest extends WithBus {

    private BackgroundProcess service;
    private String serviceUnique;

    @BeforeEach
    void start() throws Exception {
        service = bus.spawn(BusDaemon.python("service.py"));
        serviceUnique = service.awaitLineStartingWith("READY ", Duration.ofSeconds(30)).substring(6);
    }

    private ProcessRun busctl(String... args) throws Exception {
        String[] argv = new String[args.length + 3];
        argv[0] = "busctl";
        argv[1] = "--address=" + bus.address();
        argv[2] = "--no-pager";
        System.arraycopy(args, 0, argv, 3, args.length);
        return bus.run(argv);
    }

    @Test
    void listShowsDriverServiceAndItsPid() throws Exception {
        ProcessRun r = busctl("list", "--no-legend");
        assertTrue(r.succeeded(), r.describe());
        assertTrue(r.stdout().lines().anyMatch(l -> l.startsWith("org.freedesktop.DBus ")), r.describe());
        assertTrue(r.stdout().lines().anyMatch(l -> l.matches("org\\.omnibus\\.Test\\s+" + service.pid() + "\\s.*")),
                "org.omnibus.Test with pid " + service.pid() + "\n" + r.describe());
        assertTrue(r.stdout().lines().anyMatch(l -> l.startsWith(serviceUnique + " ")), r.describe());
    }

    @Test
    void statusOfServiceReportsItsCredentials() throws Exception {
        ProcessRun r = busctl("status", "org.omnibus.Test");
        assertTrue(r.succeeded(), r.describe());
        assertTrue(r.stdout().contains("PID=" + service.pid()), r.describe());
        int uid = (Integer) java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self"), "unix:uid");
        assertTrue(r.stdout().contains("\nUID=" + uid + "\n"), r.describe());
        assertTrue(r.stdout().contains("\nComm=python3\n"), r.describe());
    }

    @Test
    void callReturnsTypedReply() throws Exception {
        ProcessRun r = busctl("call", "org.omnibus.Test", "/org/omnibus/Test", "org.omnibus.Test", "Echo", "s",
                "via busctl");
        assertTrue(r.succeeded(), r.describe());
        assertTrue(r.stdout().strip().equals("s \"via busctl\""), r.describe());
        ProcessRun id = busctl("call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                "GetId");
        assertTrue(id.stdout().strip().matches("s \"[0-9a-f]{32}\""), id.describe());
    }

    @Test
    void monitorSeesServiceSignal() throws Exception {
        BackgroundProcess monitor = bus.spawn("busctl", "--address=" + bus.address(), "monitor", "org.omnibus.Test");
        monitor.pokeUntilLine(l -> l.contains("Member=Pinged"), Duration.ofSeconds(20), () -> busctl("call",
                "org.omnibus.Test", "/org/omnibus/Test", "org.omnibus.Test", "Emit", "s", "via busctl"));
        monitor.awaitLine(l -> l.contains("STRING \"via busctl\""), Duration.ofSeconds(5));
    }

    @Test
    void treeShowsExportedObject() throws Exception {
        ProcessRun r = busctl("tree", "org.omnibus.Test");
        assertTrue(r.succeeded(), r.describe());
        assertTrue(r.stdout().contains("/org/omnibus/Test"), r.describe());
    }
}
