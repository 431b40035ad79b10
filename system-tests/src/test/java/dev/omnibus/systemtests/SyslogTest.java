package dev.omnibus.systemtests;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Logging to the system log as dbus-daemon 1.14 does: {@code <syslog/>} and {@code --syslog} log to
 * /dev/log and stderr, {@code --syslog-only} to /dev/log alone, {@code --nosyslog} to stderr alone. A
 * policy denial is one datagram {@code <37>Mmm dd HH:MM:SS dbus-daemon[PID]: [system] Rejected send
 * message, ...} (LOG_AUTH|LOG_NOTICE). The daemon runs in a private mount namespace ({@code unshare -m})
 * whose /dev is a tmpfs holding a python3 SOCK_DGRAM receiver at /dev/log, so the host's log is
 * untouched. Needs root (skipped otherwise).
 */
class SyslogTest {

    private static final String CONFIG = """
            <busconfig>
              <type>system</type>
              <listen>unix:path=@DIR@/bus</listen>
              <auth>EXTERNAL</auth>
              @SYSLOG@
              <policy context="default">
                <allow user="*"/>
                <allow send_destination="*" eavesdrop="true"/>
                <allow eavesdrop="true"/>
                <allow own="*"/>
                <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus" send_member="GetId"/>
              </policy>
            </busconfig>
            """;

    /** Fake /dev with the usual device nodes bound back, a receiver on /dev/log, then exec the daemon. */
    private static final String FAKE_DEV = """
            set -e
            D="$1"; shift
            mkdir -p "$D/olddev"
            mount --rbind /dev "$D/olddev"
            mount -t tmpfs tmpfs /dev
            for n in null zero urandom random full tty; do touch /dev/$n; mount --bind "$D/olddev/$n" /dev/$n; done
            ln -s /proc/self/fd /dev/fd
            python3 -c '
            import os, socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.bind("/dev/log"); os.chmod("/dev/log", 0o666)
            open(sys.argv[1] + ".ready", "w").close()
            s.settimeout(30)
            with open(sys.argv[1], "a") as f:
                while True:
                    f.write(s.recv(65536).decode() + "\\n"); f.flush()
            ' "$D/syslog.txt" </dev/null >/dev/null 2>&1 &
            while [ ! -e "$D/syslog.txt.ready" ]; do sleep 0.05; done
            exec "$@"
            """;

    private static final Pattern DENIAL = Pattern.compile(
            "(?m)^<37>[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d dbus-daemon\\[(\\d+)\\]: \\[system\\] Rejected send message, "
                    + "\\d+ matched rules; type=\"method_call\".*member=\"GetId\"");

    private record Logged(String syslog, String stderr, long pid) { }

    private static Logged denyOnce(String syslogElement, String... args) throws Exception {
        assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0, "needs root for unshare -m");
        Path dir = ConfiguredBus.newDir();
        Path script = dir.resolve("fake-dev.sh");
        Files.writeString(script, FAKE_DEV);
        List<String> wrapper = new java.util.ArrayList<>(List.of("unshare", "-m", "--propagation", "private",
                "sh", script.toString(), dir.toString()));
        try (ConfiguredBus bus = ConfiguredBus.start(dir, CONFIG.replace("@SYSLOG@", syslogElement), wrapper, Map.of(),
                List.of(args))) {
            ProcessRun r = bus.driver("GetId");
            assertTrue(r.stderr().contains("AccessDenied"), r.describe());
            Path log = dir.resolve("syslog.txt");
            long deadline = System.nanoTime() + 3_000_000_000L;
            // A datagram is delivered before the reply; give the receiver a moment to write it out.
            while (System.nanoTime() < deadline && !DENIAL.matcher(Files.readString(log)).find()) Thread.sleep(50);
            Thread.sleep(200);
            return new Logged(Files.readString(log), bus.stderr(), bus.pid);
        }
    }

    @Test
    void syslogElementLogsToSyslogAndStderr() throws Exception {
        Logged l = denyOnce("<syslog/>");
        var m = DENIAL.matcher(l.syslog());
        assertTrue(m.find(), "syslog:\n" + l.syslog() + "\n" + l.stderr());
        assertTrue(m.group(1).equals(Long.toString(l.pid())), "pid of the daemon in the ident\n" + l.syslog());
        assertTrue(l.stderr().contains("[system] Rejected send message"), l.stderr());
    }

    @Test
    void syslogOnlyKeepsStderrQuiet() throws Exception {
        Logged l = denyOnce("", "--syslog-only");
        assertTrue(DENIAL.matcher(l.syslog()).find(), "syslog:\n" + l.syslog() + "\n" + l.stderr());
        assertFalse(l.stderr().contains("Rejected send message"), l.stderr());
    }

    @Test
    void syslogOptionAddsSyslogToStderr() throws Exception {
        Logged l = denyOnce("", "--syslog");
        assertTrue(DENIAL.matcher(l.syslog()).find(), "syslog:\n" + l.syslog() + "\n" + l.stderr());
        assertTrue(l.stderr().contains("[system] Rejected send message"), l.stderr());
    }

    @Test
    void nosyslogOverridesTheSyslogElement() throws Exception {
        Logged l = denyOnce("<syslog/>", "--nosyslog");
        assertFalse(l.syslog().contains("Rejected send message"), l.syslog());
        assertTrue(l.stderr().contains("[system] Rejected send message"), l.stderr());
    }
}
