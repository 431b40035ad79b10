package dev.omnibus.transport;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A real socket-activated child: systemd-socket-activate passes fd 3 with LISTEN_* set. */
class SystemdActivationTest {
    @TempDir Path dir;

    @Test
    void adoptsTheSocketSystemdPassesAsFd3() throws Exception {
        Path activate = Path.of("/usr/bin/systemd-socket-activate");
        assumeTrue(Files.isExecutable(activate), "systemd-socket-activate not installed");
        Path sock = dir.resolve("activated");
        String javaBin = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(activate.toString(), "-l", sock.toString(), "--fdname=dbus",
                javaBin, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                SystemdChild.class.getName())
                .redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
        try {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!Files.exists(sock)) TestIo.pause(deadline);
            try (StreamSocket c = connectOnceListening(sock, deadline)) {
                c.setBlocking(true);
                StringBuilder got = new StringBuilder();
                try (var a = java.lang.foreign.Arena.ofConfined()) {
                    var buf = a.allocate(256);
                    long n;
                    while ((n = c.read(buf, 0, 256, new FdList())) > 0) {
                        got.append(new String(buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                                StandardCharsets.UTF_8));
                    }
                }
                assertEquals("1 3 UNIX_PATH " + sock + " dbus\n", got.toString(), () -> log());
            }
        } finally {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("log"));
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    /**
     * systemd-socket-activate binds the path before it calls listen(): a connect in between is
     * refused. Waits for the listen (the test is about what the child gets, not that race).
     */
    private static StreamSocket connectOnceListening(Path sock, long deadline) throws Exception {
        while (true) {
            try {
                return StreamSocket.connectUnix(sock);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.ECONNREFUSED) throw e;
                TestIo.pause(deadline);
            }
        }
    }
}
