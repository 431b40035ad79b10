package dev.omnibus.transport;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ListenersTest {
    @TempDir Path dir;

    /** Connects, exchanges a byte each way, checks the accepted socket's kind. */
    private static void roundTrip(Listener l, StreamSocket client) {
        try (client; StreamSocket server = TestIo.acceptWithin(l)) {
            TestIo.writeFully(client, "c".getBytes(StandardCharsets.UTF_8));
            assertEquals("c", new String(TestIo.readFully(server, 1, new FdList()), StandardCharsets.UTF_8));
            TestIo.writeFully(server, "s".getBytes(StandardCharsets.UTF_8));
            assertEquals("s", new String(TestIo.readFully(client, 1, new FdList()), StandardCharsets.UTF_8));
            assertEquals(client.isUnix(), server.isUnix());
        }
        assertNull(l.accept(), "drained");
        assertEquals(0, l.lastAcceptError());
    }

    @Test
    void unixPathAcceptsAndRemovesItsSocketFileOnClose() throws Exception {
        Path p = dir.resolve("bus");
        Listener l = Listeners.unixPath(p);
        assertEquals(BoundAddress.unixPath(p.toString()), l.address());
        assertEquals("rwxrwxrwx", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
        roundTrip(l, StreamSocket.connectUnix(p));
        l.close();
        assertFalse(Files.exists(p));
    }

    @Test
    void unixPathReplacesAStaleSocketFileButNotARegularFile() throws Exception {
        Path p = dir.resolve("stale");
        Listener old = Listeners.unixPath(p);
        Listeners.unixPath(p).close(); // replaced the live one's file, as dbus-daemon does, then removed it
        old.close();
        Path stale = dir.resolve("stale2");
        // a socket file nobody listens on, as a crashed daemon leaves behind:
        int fd = Native.socket(Native.AF_UNIX, Native.SOCK_STREAM | Native.SOCK_CLOEXEC, 0);
        try (var a = java.lang.foreign.Arena.ofConfined()) {
            var sa = a.allocate(SockAddr.STORAGE, 8);
            assertEquals(0, Native.bind(fd, sa, SockAddr.unixPath(sa, stale.toString())));
        }
        Posix.close(fd);
        assertTrue(Files.exists(stale));
        try (Listener l = Listeners.unixPath(stale)) {
            roundTrip(l, StreamSocket.connectUnix(stale));
        }
        Path regular = dir.resolve("regular");
        Files.writeString(regular, "not a socket");
        ErrnoException e = assertThrows(ErrnoException.class, () -> Listeners.unixPath(regular));
        assertEquals(Errno.EADDRINUSE, e.errno());
        assertEquals("not a socket", Files.readString(regular));
    }

    @Test
    void closeDoesNotRemoveAFileThatReplacedOurs() throws Exception {
        Path p = dir.resolve("bus");
        Listener l = Listeners.unixPath(p);
        Files.delete(p);
        Files.writeString(p, "someone else's");
        l.close();
        assertEquals("someone else's", Files.readString(p));
    }

    @Test
    void unixAbstractAccepts() throws Exception {
        String name = "omnibus-test-" + ProcessHandle.current().pid() + "-abs";
        try (Listener l = Listeners.unixAbstract(name)) {
            assertEquals(BoundAddress.unixAbstract(name), l.address());
            roundTrip(l, StreamSocket.connectAbstract(name));
            assertThrows(ErrnoException.class, () -> Listeners.unixAbstract(name));
        }
    }

    @Test
    void tmpdirAndDirBindARandomPathInTheDirectory() throws Exception {
        try (Listener t = Listeners.unixTmpdir(dir); Listener d = Listeners.unixDir(dir)) {
            for (Listener l : List.of(t, d)) {
                BoundAddress a = l.address();
                assertEquals(BoundAddress.Kind.UNIX_PATH, a.kind());
                Path p = Path.of(a.path());
                assertEquals(dir, p.getParent());
                assertTrue(p.getFileName().toString().matches("dbus-[A-Za-z0-9]{10}"), p.toString());
                roundTrip(l, StreamSocket.connectUnix(p));
            }
            assertNotEquals(t.address().path(), d.address().path());
        }
    }

    @Test
    void runtimeBindsBusInTheRuntimeDirectory() throws Exception {
        try (Listener l = Listeners.unixRuntime(dir)) {
            assertEquals(dir.resolve("bus").toString(), l.address().path());
            roundTrip(l, StreamSocket.connectUnix(dir.resolve("bus")));
        }
        assertFalse(Files.exists(dir.resolve("bus")));
    }

    @Test
    void tcpPortZeroPicksAFreePortAndReportsIt() throws Exception {
        List<Listener> ls = Listeners.tcp("localhost", null, 0, "ipv4");
        try {
            BoundAddress a = ls.getFirst().address();
            assertEquals("localhost", a.host());
            assertEquals("ipv4", a.family());
            assertTrue(a.port() > 0);
            roundTrip(ls.getFirst(), StreamSocket.connectTcp("127.0.0.1", a.port()));
        } finally {
            ls.forEach(Listener::close);
        }
    }

    @Test
    void tcpBindAnyOnBothFamiliesSharesOnePort() throws Exception {
        List<Listener> ls = Listeners.tcp("localhost", "*", 0, null);
        try {
            int port = ls.getFirst().address().port();
            for (Listener l : ls) assertEquals(port, l.address().port());
            roundTrip(ls.getFirst(), StreamSocket.connectTcp("127.0.0.1", port));
            if (ls.size() == 2) roundTrip(ls.get(1), StreamSocket.connectTcp("::1", port));
        } finally {
            ls.forEach(Listener::close);
        }
    }

    @Test
    void tcpIpv6FamilyBindsLoopback6() throws Exception {
        List<Listener> ls;
        try {
            ls = Listeners.tcp("::1", null, 0, "ipv6");
        } catch (ErrnoException e) {
            org.junit.jupiter.api.Assumptions.abort("no IPv6 here: " + e.getMessage());
            return;
        }
        try {
            assertEquals("ipv6", ls.getFirst().address().family());
            roundTrip(ls.getFirst(), StreamSocket.connectTcp("::1", ls.getFirst().address().port()));
        } finally {
            ls.forEach(Listener::close);
        }
    }

    @Test
    void systemdSocketsAreAdoptedWithTheirNamesAndAddresses() throws Exception {
        // Stand-ins for fds 3.. of a socket-activated process: two listeners opened in a row get
        // consecutive fds when nothing else opens one in between (checked below).
        Path p = dir.resolve("sd");
        Listener a = Listeners.unixPath(p);
        String abs = "omnibus-test-sd-" + ProcessHandle.current().pid();
        Listener b = Listeners.unixAbstract(abs);
        org.junit.jupiter.api.Assumptions.assumeTrue(b.fd() == a.fd() + 1, "fds not consecutive");
        int pid = Native.getpid();
        assertEquals(List.of(), Listeners.systemd(Map.of("LISTEN_PID", "1", "LISTEN_FDS", "2"), pid, a.fd()));
        List<Listener> ls = Listeners.systemd(
                Map.of("LISTEN_PID", Integer.toString(pid), "LISTEN_FDS", "2", "LISTEN_FDNAMES", "dbus.socket:extra"),
                pid, a.fd());
        assertEquals(2, ls.size());
        assertEquals(BoundAddress.unixPath(p.toString()).withFdName("dbus.socket"), ls.get(0).address());
        assertEquals(BoundAddress.unixAbstract(abs).withFdName("extra"), ls.get(1).address());
        roundTrip(ls.get(0), StreamSocket.connectUnix(p));
        roundTrip(ls.get(1), StreamSocket.connectAbstract(abs));
        ls.forEach(Listener::close); // closes the fds; a and b must not close them again
        assertTrue(Files.exists(p), "an inherited socket file belongs to systemd");
        Files.delete(p);
    }
}
