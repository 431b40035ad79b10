package dev.omnibus.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code --fork} as init scripts and harnesses use it: started with stdin, stdout and stderr closed,
 * the launching process exits 0 once the bus listens, after writing the address and pid to the fds
 * asked for; the bus goes on in the background and serves.
 */
class ForkTest {

    @Test
    void forkWithStandardFdsClosedPrintsAddressAndServes() throws Exception {
        Path dir = ConfiguredBus.newDir();
        Path conf = dir.resolve("bus.conf");
        Files.writeString(conf, """
                <busconfig>
                  <type>session</type>
                  <listen>unix:path=%s</listen>
                  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
                </busconfig>
                """.formatted(dir.resolve("bus")));
        String daemon = DaemonUnderTest.current().executable().toString();
        Process sh = new ProcessBuilder("sh", "-c", "exec '" + daemon + "' --config-file=" + conf
                + " --fork --print-address=3 --print-pid=4 3>addr 4>pid <&- >&- 2>&-")
                .directory(dir.toFile()).start();
        assertTrue(sh.waitFor(60, TimeUnit.SECONDS), "the launching process did not exit");
        assertEquals(0, sh.exitValue());
        String address = Files.readString(dir.resolve("addr")).strip();
        long pid = Long.parseLong(Files.readString(dir.resolve("pid")).strip());
        try {
            assertTrue(address.startsWith("unix:path=" + dir.resolve("bus")), address);
            assertTrue(ProcessHandle.of(pid).isPresent(), "the bus runs on as pid " + pid);
            Process send = new ProcessBuilder("dbus-send", "--bus=" + address, "--print-reply",
                    "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.GetId")
                    .redirectErrorStream(true).start();
            String out = new String(send.getInputStream().readAllBytes());
            assertTrue(send.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, send.exitValue(), out);
            // (dbus-daemon's GetId is not the address's guid: each listener has its own.)
            assertTrue(out.matches("(?s).*string \"[0-9a-f]{32}\".*"), "GetId answered: " + out);
        } finally {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
            for (int i = 0; i < 100 && ProcessHandle.of(pid).isPresent(); i++) Thread.sleep(50);
            for (String f : List.of("addr", "pid", "bus.conf", "bus")) Files.deleteIfExists(dir.resolve(f));
            Files.deleteIfExists(dir);
        }
    }
}
