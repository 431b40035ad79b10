package dev.omnibus.broker.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.omnibus.wire.SaslCookie;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CookieKeyringTest {
    static final String CTX = "org_freedesktop_general";

    /** A clock the test moves by hand. */
    static final class Clock implements InstantSource {
        Instant now = Instant.ofEpochSecond(1_700_000_000L);

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void createsPrivateDirectoryAndFileWithOneCookie(@TempDir Path home) throws Exception {
        Clock clock = new Clock();
        CookieKeyring k = new CookieKeyring(home, clock);
        SaslCookie c = k.currentCookie(CTX, 0);
        assertNotNull(c);
        Path dir = home.resolve(".dbus-keyrings");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(CTX))));
        List<String> lines = Files.readAllLines(dir.resolve(CTX));
        assertEquals(List.of(c.id() + " " + clock.now.getEpochSecond() + " " + c.hexValue()), lines);
        assertTrue(c.hexValue().matches("[0-9a-f]{48}"), c.hexValue());
        assertFalse(Files.exists(dir.resolve(CTX + ".lock")), "lock released");
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary files left behind");
        }
    }

    @Test
    void reusesTheNewestCookieForFiveMinutesThenAddsOne(@TempDir Path home) {
        Clock clock = new Clock();
        CookieKeyring k = new CookieKeyring(home, clock);
        SaslCookie first = k.currentCookie(CTX, 0);
        clock.now = clock.now.plusSeconds(300);
        assertEquals(first, k.currentCookie(CTX, 0));
        clock.now = clock.now.plusSeconds(1);
        SaslCookie second = k.currentCookie(CTX, 0);
        assertNotEquals(first, second);
        assertNotEquals(first.id(), second.id());
        assertEquals(first, k.cookie(CTX, 0, first.id()), "the old one still verifies for a while");
    }

    @Test
    void cookiesOlderThanSevenMinutesExpire(@TempDir Path home) throws Exception {
        Clock clock = new Clock();
        CookieKeyring k = new CookieKeyring(home, clock);
        SaslCookie first = k.currentCookie(CTX, 0);
        clock.now = clock.now.plusSeconds(7 * 60 + 1);
        assertNull(k.cookie(CTX, 0, first.id()));
        SaslCookie next = k.currentCookie(CTX, 0);
        assertEquals(1, Files.readAllLines(home.resolve(".dbus-keyrings").resolve(CTX)).size(), "pruned");
        assertEquals(next, k.cookie(CTX, 0, next.id()));
    }

    @Test
    void cookiesFarInTheFutureArePruned(@TempDir Path home) throws Exception {
        Path dir = Files.createDirectory(home.resolve(".dbus-keyrings"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Clock clock = new Clock();
        long future = clock.now.getEpochSecond() + 301;
        Files.writeString(dir.resolve(CTX), "5 " + future + " abcd\nnot a line\n6 x ff\n");
        CookieKeyring k = new CookieKeyring(home, clock);
        assertNull(k.cookie(CTX, 0, 5));
        SaslCookie c = k.currentCookie(CTX, 0);
        assertEquals(1, c.id());
        assertEquals(1, Files.readAllLines(dir.resolve(CTX)).size());
    }

    @Test
    void readsCookiesWrittenByOthers(@TempDir Path home) throws Exception {
        Path dir = Files.createDirectory(home.resolve(".dbus-keyrings"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Clock clock = new Clock();
        Files.writeString(dir.resolve(CTX), "1534590091 " + clock.now.getEpochSecond() + " b48aaf07cd6a\n");
        CookieKeyring k = new CookieKeyring(home, clock);
        assertEquals(new SaslCookie(1534590091, "b48aaf07cd6a"), k.cookie(CTX, 0, 1534590091));
        assertEquals(new SaslCookie(1534590091, "b48aaf07cd6a"), k.currentCookie(CTX, 0));
        assertNull(k.cookie(CTX, 0, 2));
    }

    @Test
    void ignoresADirectoryOthersCanRead(@TempDir Path home) throws Exception {
        Path dir = Files.createDirectory(home.resolve(".dbus-keyrings"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        CookieKeyring k = new CookieKeyring(home, new Clock());
        assertNull(k.currentCookie(CTX, 0));
        assertFalse(Files.exists(dir.resolve(CTX)));
    }

    @Test
    void breaksAStaleLock(@TempDir Path home) throws Exception {
        Path dir = Files.createDirectory(home.resolve(".dbus-keyrings"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Clock clock = new Clock();
        Path lock = Files.createFile(dir.resolve(CTX + ".lock"));
        Files.setLastModifiedTime(lock, FileTime.from(clock.now.minusSeconds(60)));
        assertNotNull(new CookieKeyring(home, clock).currentCookie(CTX, 0));
        assertFalse(Files.exists(lock));
    }

    @Test
    void refusesInvalidContexts(@TempDir Path home) {
        CookieKeyring k = new CookieKeyring(home, new Clock());
        for (String bad : new String[] {"", "a/b", "..", "a b", "a.b", "a\\b", "a\tb"}) {
            assertNull(k.currentCookie(bad, 0), bad);
            assertNull(k.cookie(bad, 0, 1), bad);
        }
    }
}
