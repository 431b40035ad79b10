package dev.omnibus.systemtests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * dbus-run-session starting the daemon under test as a session bus for one command, with the
 * standard session config and with dbus-run-session's --config-file.
 */
class DbusRunSessionTest {

    private static ProcessRun runSession(List<String> extra) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("omnibus-rs");
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        var argv = new java.util.ArrayList<>(List.of("dbus-run-session",
                "--dbus-daemon=" + DaemonUnderTest.current().executable()));
        argv.addAll(extra);
        argv.addAll(List.of("--", "dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus", "org.freedesktop.DBus.ListNames"));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("DBUS_SESSION_BUS_ADDRESS");
        pb.environment().put("XDG_RUNTIME_DIR", dir.toString());
        Process p = pb.start();
        boolean done = p.waitFor(Duration.ofSeconds(60).toMillis(), TimeUnit.MILLISECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        return new ProcessRun(argv, done ? p.exitValue() : -1, Files.readString(out), Files.readString(err), !done);
    }

    @Test
    void listNamesInsideRunSession() throws Exception {
        ProcessRun r = runSession(List.of());
        assertTrue(r.succeeded(), r.describe());
        assertTrue(r.stdout().contains("string \"org.freedesktop.DBus\""), r.describe());
    }

    @Test
    void listNamesInsideRunSessionWithConfigFile() throws Exception {
        Path config = Files.createTempFile("omnibus-rs", ".conf");
        Files.writeString(config, """
                <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
                 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
                <busconfig>
                  <type>session</type>
                  <listen>unix:tmpdir=/tmp</listen>
                  <auth>EXTERNAL</auth>
                  <policy context="default">
                    <!-- without a receive rule dbus-daemon refuses even the reply to Hello -->
                    <allow send_destination="*"/>
                    <allow receive_sender="*"/>
                    <allow own="*"/>
                  </policy>
                </busconfig>
                """);
        ProcessRun r = runSession(List.of("--config-file=" + config));
        Files.delete(config);
        assertTrue(r.succeeded(), r.describe());
        assertTrue(r.stdout().contains("string \"org.freedesktop.DBus\""), r.describe());
    }
}
