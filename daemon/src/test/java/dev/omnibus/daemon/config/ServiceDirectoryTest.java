package dev.omnibus.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceDirectoryTest {

    @TempDir Path dir;

    private Path svc(String d, String file, String name, String exec) throws Exception {
        Path p = Files.createDirectories(dir.resolve(d)).resolve(file);
        Files.writeString(p, "[D-BUS Service]\nName=" + name + "\nExec=" + exec + "\n");
        return p;
    }

    @Test
    void firstDirectoryWinsOnDuplicateNames() throws Exception {
        Path a1 = svc("one", "org.ex.A.service", "org.ex.A", "/bin/first");
        svc("two", "org.ex.A.service", "org.ex.A", "/bin/second");
        svc("two", "org.ex.B.service", "org.ex.B", "/bin/b");
        ServiceDirectory sd = ServiceDirectory.scan(List.of(ServiceDirEntry.plain(dir.resolve("one")),
                ServiceDirEntry.plain(dir.resolve("two"))));
        assertEquals(List.of("org.ex.A", "org.ex.B"), sd.names());
        assertEquals(List.of("/bin/first"), sd.find("org.ex.A").argv());
        assertEquals(a1, sd.find("org.ex.A").source());
        assertTrue(sd.warnings().isEmpty(), sd.warnings().toString());
    }

    @Test
    void skipsBrokenAndNonServiceFilesAndMissingDirectories() throws Exception {
        svc("one", "good.service", "org.ex.Good", "/bin/g");
        Files.writeString(dir.resolve("one/broken.service"), "[D-BUS Service]\nExec=/bin/x\n");
        Files.writeString(dir.resolve("one/readme.txt"), "[D-BUS Service]\nName=org.ex.Txt\nExec=/bin/x\n");
        ServiceDirectory sd = ServiceDirectory.scan(List.of(ServiceDirEntry.plain(dir.resolve("missing")),
                ServiceDirEntry.plain(dir.resolve("one"))));
        assertEquals(List.of("org.ex.Good"), sd.names(), "lax naming outside the runtime dir");
        assertEquals(1, sd.warnings().size());
        assertTrue(sd.warnings().get(0).contains("broken.service"), sd.warnings().get(0));
    }

    @Test
    void strictDirectoryNeedsExactFileNames() throws Exception {
        svc("rt", "wrong.service", "org.ex.W", "/bin/w");
        svc("rt", "org.ex.R.service", "org.ex.R", "/bin/r");
        ServiceDirectory sd = ServiceDirectory.scan(List.of(new ServiceDirEntry(dir.resolve("rt"), true, false)));
        assertEquals(List.of("org.ex.R"), sd.names());
        assertEquals(1, sd.warnings().size());
    }

    @Test
    void sameNameTwiceInOneDirectoryKeepsTheFirstByFileName() throws Exception {
        svc("one", "a.service", "org.ex.A", "/bin/a1");
        svc("one", "b.service", "org.ex.A", "/bin/a2");
        ServiceDirectory sd = ServiceDirectory.scan(List.of(ServiceDirEntry.plain(dir.resolve("one"))));
        assertEquals(List.of("/bin/a1"), sd.find("org.ex.A").argv());
        assertEquals(1, sd.warnings().size());
    }

    @Test
    void scansTheRealSystemServiceDirectories() {
        ServiceDirectory sd = ServiceDirectory.scan(StandardServiceDirs.system());
        for (ServiceFile f : sd.services()) {
            assertTrue(ServiceFile.validBusName(f.name()), f.name());
            assertTrue(!f.argv().isEmpty());
        }
    }
}
