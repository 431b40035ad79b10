package dev.omnibus.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.omnibus.daemon.cli.DaemonOptions.SyslogMode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SyslogTest {

    @Test
    void formatsLikeGlibcSyslogWithDbusDaemonIdent() {
        assertEquals("<37>Nov  6 09:05:01 dbus-daemon[42]: [system] Rejected send message",
                Syslog.format(37, LocalDateTime.of(2026, 11, 6, 9, 5, 1), 42, "[system] Rejected send message"));
        assertEquals("<30>Dec 24 23:59:59 dbus-daemon[7]: x",
                Syslog.format(30, LocalDateTime.of(2026, 12, 24, 23, 59, 59), 7, "x"));
    }

    @Test
    void sendsOneDatagramToAUnixDatagramSocket() throws Exception {
        Path dir = Files.createTempDirectory("syslog-test");
        Path sock = dir.resolve("log");
        Process rx = new ProcessBuilder("python3", "-c", """
                import socket, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])
                print('BOUND', flush=True); s.settimeout(20)
                print(repr(s.recv(4096).decode()), flush=True)
                """, sock.toString()).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(rx.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("BOUND", out.readLine());
            Syslog log = new Syslog(sock.toString(), 1234);
            assertTrue(log.send(28, "[system] hello"));
            String got = out.readLine();
            assertTrue(got.matches("'<28>[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d dbus-daemon\\[1234\\]: \\[system\\] hello'"), got);
            log.close();
        } finally {
            rx.destroy();
            rx.waitFor(5, TimeUnit.SECONDS);
            Files.deleteIfExists(sock);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void aMissingSyslogDropsTheLineWithoutThrowing() {
        Syslog log = new Syslog("/nonexistent-omnibus/log", 1);
        assertFalse(log.send(30, "lost"));
        assertEquals(1, log.dropped());
        log.close();
    }

    @Test
    void destinationsFollowDbusDaemonOptions() {
        assertArrayEquals(new boolean[] {true, false}, DaemonLog.destinations(SyslogMode.FOLLOW_CONFIG, false));
        assertArrayEquals(new boolean[] {true, true}, DaemonLog.destinations(SyslogMode.FOLLOW_CONFIG, true));
        assertArrayEquals(new boolean[] {true, true}, DaemonLog.destinations(SyslogMode.SYSLOG_AND_STDERR, false));
        assertArrayEquals(new boolean[] {false, true}, DaemonLog.destinations(SyslogMode.SYSLOG_ONLY, false));
        assertArrayEquals(new boolean[] {true, false}, DaemonLog.destinations(SyslogMode.STDERR_ONLY, true));
    }

    @Test
    void denialsAreSecurityAndWarningsAreDaemonWarnings() {
        assertEquals(4 << 3 | 5, DaemonLog.priority(dev.omnibus.broker.Log.Level.INFO, "Rejected send message, 1 matched rules"));
        assertEquals(3 << 3 | 4, DaemonLog.priority(dev.omnibus.broker.Log.Level.WARNING, "x"));
        assertEquals(3 << 3 | 6, DaemonLog.priority(dev.omnibus.broker.Log.Level.INFO, "Reloaded configuration"));
        assertEquals("[system] ", DaemonLog.contextPrefix("system", 0, 1));
        assertEquals("[session uid=1000 pid=5] ", DaemonLog.contextPrefix("session", 1000, 5));
    }
}
