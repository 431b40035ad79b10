package dev.omnibus.broker.auth;

import dev.omnibus.wire.SaslCookie;
import dev.omnibus.wire.SaslCookieSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The DBUS_COOKIE_SHA1 keyring (spec: "Authentication mechanisms", DBUS_COOKIE_SHA1) of the daemon's
 * user: {@code <home>/.dbus-keyrings/<context>}, one cookie per line {@code id creation_time hex_cookie}.
 *
 * <p>Owns the keyring files under {@code home}. Invariants, from the spec: the directory is mode 0700
 * and is ignored (no cookies) when group or others may access it; the cookie file is only modified
 * while holding {@code <context>.lock} (created with O_CREAT|O_EXCL) and is replaced atomically by
 * rename; cookies created more than {@link #EXPIRE_PAST} ago or more than {@link #EXPIRE_FUTURE} in
 * the future are pruned; a new cookie is made when the newest is older than {@link #NEW_COOKIE_AGE}.
 *
 * <p>The {@code uid} arguments are ignored: like dbus-daemon running as one user, the keyring is the
 * daemon user's, and the client must be able to read it (same user). Blocking file I/O on the calling
 * thread (the bus thread during SASL): cheap files, but a contended lock can wait up to
 * {@link #LOCK_TIMEOUT}. Not thread-safe; other processes are excluded by the lock file.
 */
public final class CookieKeyring implements SaslCookieSource {

    /** Spec: the reference implementation makes a new cookie when the newest is older than 5 minutes. */
    static final Duration NEW_COOKIE_AGE = Duration.ofMinutes(5);
    /** Spec: cookies more than 7 minutes in the past are deleted. */
    static final Duration EXPIRE_PAST = Duration.ofMinutes(7);
    /** Spec: cookies more than 5 minutes in the future are deleted. */
    static final Duration EXPIRE_FUTURE = Duration.ofMinutes(5);
    /**
     * How long to retry the lock before deleting it as stale; libdbus's dbus-keyring.c retries 32 times
     * at 250 ms (8 s). A lock file whose mtime is already older than this is removed at once.
     */
    static final Duration LOCK_TIMEOUT = Duration.ofSeconds(8);
    private static final long LOCK_RETRY_MILLIS = 10;
    /** Cookie bytes; libdbus uses 24 random bytes (48 hex digits). */
    private static final int COOKIE_BYTES = 24;

    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

    private final Path dir;
    private final InstantSource clock;
    private SecureRandom random; // on the first new cookie: its provider set-up is slow

    /** The keyring of the daemon's user ({@code user.home}, i.e. $HOME), on the system clock. */
    public CookieKeyring() {
        this(Path.of(System.getProperty("user.home")), InstantSource.system());
    }

    /** The keyring under {@code home/.dbus-keyrings}, with the given clock (tests move it). */
    public CookieKeyring(Path home, InstantSource clock) {
        this.dir = home.resolve(".dbus-keyrings");
        this.clock = clock;
    }

    /** One line of the keyring file. */
    record Entry(long id, long created, String hex) {
    }

    @Override
    public SaslCookie currentCookie(String context, long uid) {
        if (!isValidContext(context)) {
            return null;
        }
        try {
            if (!ensureDirectory()) {
                return null;
            }
            Path file = dir.resolve(context);
            Path lock = dir.resolve(context + ".lock");
            if (!lock(lock)) {
                return null;
            }
            try {
                long now = clock.instant().getEpochSecond();
                List<Entry> all = load(file);
                List<Entry> kept = new ArrayList<>();
                for (Entry e : all) {
                    if (fresh(e, now)) {
                        kept.add(e);
                    }
                }
                Entry newest = null;
                long maxId = 0;
                for (Entry e : kept) {
                    maxId = Math.max(maxId, e.id());
                    if (newest == null || e.created() > newest.created()) {
                        newest = e;
                    }
                }
                if (newest == null || now - newest.created() > NEW_COOKIE_AGE.toSeconds()) {
                    byte[] secret = new byte[COOKIE_BYTES];
                    if (random == null) random = new SecureRandom();
                    random.nextBytes(secret);
                    newest = new Entry(maxId + 1, now, HexFormat.of().formatHex(secret));
                    kept.add(newest);
                }
                if (!kept.equals(all)) {
                    save(file, kept);
                }
                return new SaslCookie(newest.id(), newest.hex());
            } finally {
                Files.deleteIfExists(lock);
            }
        } catch (IOException e) {
            return null; // no keyring: the mechanism is rejected, the peer may try another
        }
    }

    @Override
    public SaslCookie cookie(String context, long uid, long id) {
        if (!isValidContext(context)) {
            return null;
        }
        try {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || !privateDirectory()) {
                return null;
            }
            long now = clock.instant().getEpochSecond();
            for (Entry e : load(dir.resolve(context))) {
                if (e.id() == id && fresh(e, now)) {
                    return new SaslCookie(e.id(), e.hex());
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean fresh(Entry e, long now) {
        return e.created() >= now - EXPIRE_PAST.toSeconds() && e.created() <= now + EXPIRE_FUTURE.toSeconds();
    }

    /** Spec: non-empty, none of '/', '\\', ' ', '\n', '\r', '\t', '.'. */
    static boolean isValidContext(String context) {
        if (context == null || context.isEmpty()) {
            return false;
        }
        for (int i = 0; i < context.length(); i++) {
            if ("/\\ \n\r\t.".indexOf(context.charAt(i)) >= 0) {
                return false;
            }
        }
        return true;
    }

    /** Creates the directory 0700 if missing; false if it exists but others may access it. */
    private boolean ensureDirectory() throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectories(dir.getParent());
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
            } catch (FileAlreadyExistsException raced) {
                // another server made it: check it below like any existing one
            }
            Files.setPosixFilePermissions(dir, DIR_MODE); // the umask may have narrowed nothing but be sure
        }
        return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && privateDirectory();
    }

    private boolean privateDirectory() throws IOException {
        Set<PosixFilePermission> p = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        EnumSet<PosixFilePermission> others = EnumSet.of(
                PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
        others.retainAll(p);
        return others.isEmpty();
    }

    /** Takes the O_EXCL lock file, retrying, and breaking a lock older than {@link #LOCK_TIMEOUT}. */
    private boolean lock(Path lock) throws IOException {
        long deadline = System.nanoTime() + LOCK_TIMEOUT.toNanos();
        while (true) {
            try {
                Files.createFile(lock, PosixFilePermissions.asFileAttribute(FILE_MODE)); // O_CREAT|O_EXCL
                return true;
            } catch (FileAlreadyExistsException held) {
                boolean stale;
                try {
                    FileTime t = Files.getLastModifiedTime(lock, LinkOption.NOFOLLOW_LINKS);
                    stale = clock.millis() - t.toMillis() > LOCK_TIMEOUT.toMillis()
                            || System.nanoTime() > deadline;
                } catch (NoSuchFileException released) {
                    continue;
                }
                if (stale) {
                    Files.deleteIfExists(lock); // spec: servers may delete a stale lock
                    continue;
                }
                try {
                    Thread.sleep(LOCK_RETRY_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }

    /** Reads the cookie file; malformed lines are skipped (as libdbus does), duplicate ids keep the first. */
    static List<Entry> load(Path file) throws IOException {
        List<Entry> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException none) {
            return out;
        } catch (java.nio.charset.MalformedInputException garbage) {
            return out;
        }
        next:
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f.length != 3 || f[2].isEmpty() || !f[2].chars().allMatch(CookieKeyring::isHex)) {
                continue;
            }
            try {
                long id = Long.parseLong(f[0]);
                long created = Long.parseLong(f[1]);
                if (id < 0) {
                    continue;
                }
                for (Entry e : out) {
                    if (e.id() == id) {
                        continue next;
                    }
                }
                out.add(new Entry(id, created, f[2]));
            } catch (NumberFormatException bad) {
                // skip the line
            }
        }
        return out;
    }

    private static boolean isHex(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** Spec: resave atomically through a temporary file that is renamed over the old one. */
    private void save(Path file, List<Entry> entries) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Entry e : entries) {
            sb.append(e.id()).append(' ').append(e.created()).append(' ').append(e.hex()).append('\n');
        }
        Path tmp = Files.createTempFile(dir, file.getFileName() + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(FILE_MODE));
        try {
            Files.writeString(tmp, sb, StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
