package dev.omnibus.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * sd_notify: with NOTIFY_SOCKET set, the daemon sends READY=1 as one AF_UNIX datagram once its
 * sockets listen, to a filesystem path or to an abstract name written with '@'. The receiver is a
 * python3 SOCK_DGRAM socket standing in for systemd; on receipt the test connects at once, which
 * must succeed (READY=1 means listening).
 */
class SystemdNotifyTest {

    private static final String CONFIG = """
            <busconfig>
              <type>session</type>
              <listen>unix:path=@DIR@/bus</listen>
              <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
            </busconfig>
            """;

    private static final String RECEIVER = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            a = sys.argv[1]
            s.bind('\\0' + a[1:] if a.startswith('@') else a)
            print('BOUND', flush=True)
            s.settimeout(60)
            print(s.recv(4096).decode().replace('\\n', ' '), flush=True)
            """;

    @Test
    void readyIsSentToAnAbstractNotifySocket() throws Exception {
        Path dir = ConfiguredBus.newDir();
        readyArrives(dir, "@omnibus-notify-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    }

    @Test
    void readyIsSentToAPathNotifySocket() throws Exception {
        Path dir = ConfiguredBus.newDir();
        readyArrives(dir, dir.resolve("notify").toString());
    }

    private void readyArrives(Path dir, String socket) throws Exception {
        Process receiver = new ProcessBuilder("python3", "-c", RECEIVER, socket).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("BOUND", out.readLine());
            try (ConfiguredBus bus = ConfiguredBus.start(dir, CONFIG, List.of(), Map.of("NOTIFY_SOCKET", socket))) {
                String got = out.readLine();
                assertTrue(got != null && got.contains("READY=1"), "received " + got + "\n" + bus.stderr());
                ProcessRun id = bus.driver("GetId");
                assertTrue(id.succeeded(), id.describe());
            }
        } finally {
            receiver.destroy();
            receiver.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
