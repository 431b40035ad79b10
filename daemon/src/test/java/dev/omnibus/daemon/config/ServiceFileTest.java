package dev.omnibus.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceFileTest {

    private static final Path FILE = Path.of("/svc/org.ex.A.service");

    private static ConfigException fails(String text) {
        return assertThrows(ConfigException.class, () -> ServiceFile.parse(FILE, text));
    }

    @Test
    void parsesEveryKey() throws Exception {
        ServiceFile s = ServiceFile.parse(FILE, """
                # a comment
                [D-BUS Service]
                Name=org.ex.A
                Exec=/usr/bin/a --name "x y"
                User=daemonuser
                SystemdService=a.service
                AssumedAppArmorLabel=/usr/bin/a

                [Other Group]
                Name=ignored.Name
                """);
        assertEquals("org.ex.A", s.name());
        assertEquals("/usr/bin/a --name \"x y\"", s.exec());
        assertEquals(List.of("/usr/bin/a", "--name", "x y"), s.argv());
        assertEquals("daemonuser", s.user());
        assertEquals("a.service", s.systemdService());
        assertEquals("/usr/bin/a", s.assumedAppArmorLabel());
        assertEquals(FILE, s.source());
    }

    @Test
    void optionalKeysMayBeAbsentAndUnknownOrLocalisedKeysAreIgnored() throws Exception {
        ServiceFile s = ServiceFile.parse(FILE, "[D-BUS Service]\nName=org.ex.A\nName[de]=x\nX-Foo=1\nExec=/bin/a\n");
        assertNull(s.user());
        assertNull(s.systemdService());
        assertEquals("org.ex.A", s.name());
    }

    @Test
    void rejectsMissingName() {
        ConfigException e = fails("[D-BUS Service]\nExec=/bin/a\n");
        assertTrue(e.getMessage().startsWith("Error in file /svc/org.ex.A.service"), e.getMessage());
        assertEquals("Service file has no Name key in [D-BUS Service]", e.detail());
    }

    @Test
    void rejectsMissingExec() {
        assertEquals("Service file has no Exec key in [D-BUS Service]", fails("[D-BUS Service]\nName=org.ex.A\n").detail());
    }

    @Test
    void rejectsMissingGroup() {
        assertEquals("Service file has no [D-BUS Service] group", fails("[Other]\nName=org.ex.A\nExec=/bin/a\n").detail());
    }

    @Test
    void rejectsBadLinesNamingTheLine() {
        ConfigException e = fails("[D-BUS Service]\nName=org.ex.A\ngarbage\n");
        assertEquals(3, e.line());
        assertEquals("Error in file /svc/org.ex.A.service, line 3: Invalid line, expected key=value: garbage", e.getMessage());
        assertEquals(1, fails("Name=org.ex.A\n").line());
        assertEquals(2, fails("#c\n[D-BUS Service\n").line());
    }

    @Test
    void rejectsInvalidNameAndExecWithTheirLines() {
        ConfigException e = fails("[D-BUS Service]\nName=not valid!\nExec=/bin/a\n");
        assertEquals(2, e.line());
        ConfigException x = fails("[D-BUS Service]\nName=org.ex.A\nExec=/bin/a 'unterminated\n");
        assertEquals(3, x.line());
        assertTrue(x.detail().startsWith("Cannot parse Exec: Text ended before matching quote"), x.detail());
    }
}
