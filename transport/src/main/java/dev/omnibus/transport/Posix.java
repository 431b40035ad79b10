package dev.omnibus.transport;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The few process-level calls the daemon needs outside sockets: ids of this process, closing and
 * unlinking, the user database, dropping privileges, and datagrams to syslog and systemd. All return
 * the result or {@code -errno}; none throws on an expected failure. Stateless; any thread.
 */
public final class Posix {
    private Posix() {}

    public static int getpid() { return Native.getpid(); }

    public static int getuid() { return Native.getuid(); }

    public static int geteuid() { return Native.geteuid(); }

    public static int getgid() { return Native.getgid(); }

    /**
     * getpwnam_r(3) through the system's NSS configuration: {@code {uid, gid}} of the user, or null when
     * there is no such user or the lookup fails. Cold path (start-up, activation).
     *
     * <pre>
     *  struct passwd (LP64): | pw_name* @0 | pw_passwd* @8 | pw_uid u32 @16 | pw_gid u32 @20 | gecos* dir* shell* | = 48
     * </pre>
     */
    public static int[] lookupUser(String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cName = a.allocateFrom(name);
            MemorySegment pwd = a.allocate(48, 8);
            MemorySegment result = a.allocate(java.lang.foreign.ValueLayout.ADDRESS);
            // 16 KiB is ample for one passwd entry (sysconf(_SC_GETPW_R_SIZE_MAX) is 1024 on glibc).
            long bufLen = 16384;
            MemorySegment buf = a.allocate(bufLen);
            int err = Native.getpwnamR(cName, pwd, buf, bufLen, result);
            if (err != 0 || result.get(java.lang.foreign.ValueLayout.ADDRESS, 0).address() == 0) return null;
            return new int[] {pwd.get(java.lang.foreign.ValueLayout.JAVA_INT, 16),
                    pwd.get(java.lang.foreign.ValueLayout.JAVA_INT, 20)};
        }
    }

    /**
     * Becomes {@code uid}/{@code gid} for good, with no supplementary groups, as dbus-daemon does for
     * its {@code <user>}: setgroups(0), setgid, setuid, in that order (each later step needs the
     * privilege the earlier ones still have). glibc applies set*id to every thread of the process.
     * Returns 0, or -errno of the first step that failed.
     */
    public static int changeUser(int uid, int gid) {
        int r = Native.setgroups(0, MemorySegment.NULL);
        if (r < 0) return r;
        r = Native.setgid(gid);
        if (r < 0) return r;
        return Native.setuid(uid);
    }

    /**
     * A new AF_UNIX SOCK_DGRAM socket (close-on-exec, and non-blocking when asked so that a stalled
     * reader such as a busy syslog never blocks the caller), or -errno. {@link java.nio.channels.DatagramChannel}
     * cannot do this: it has no AF_UNIX datagrams.
     */
    public static int unixDatagramSocket(boolean nonBlocking) {
        return Native.socket(Native.AF_UNIX,
                Native.SOCK_DGRAM | Native.SOCK_CLOEXEC | (nonBlocking ? Native.SOCK_NONBLOCK : 0), 0);
    }

    /**
     * sendto(2) of {@code data} as one datagram to the AF_UNIX socket {@code name}: a path, or an
     * abstract name written with a leading '@' (the sd_notify NOTIFY_SOCKET convention). Returns the
     * bytes sent or -errno. Cold path (allocates the address and a copy of the data).
     */
    public static int sendTo(int fd, String name, byte[] data) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = a.allocate(SockAddr.STORAGE, 8);
            int len = name.startsWith("@") ? SockAddr.unixAbstract(sa, name.substring(1)) : SockAddr.unixPath(sa, name);
            if (len < 0) return len;
            MemorySegment buf = a.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, data.length);
            return (int) Native.sendto(fd, buf, data.length, Native.MSG_NOSIGNAL, sa, len);
        }
    }

    /** fcntl(F_DUPFD_CLOEXEC): a new fd (the lowest free >= 3) for the same open file, or -errno. */
    public static int dupCloexec(int fd) { return Native.fcntl(fd, 1030 /* F_DUPFD_CLOEXEC */, 3); }

    /**
     * One write(2) of all of {@code bytes} (cold path: address and pid printing, where harnesses expect a
     * single write); returns the bytes written or -errno.
     */
    public static int write(int fd, byte[] bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
            return (int) Native.write(fd, buf, bytes.length);
        }
    }

    /**
     * Starts linking the system-call handle (the class initialisation of the bindings, the bulk of the
     * transport's start-up cost) on a short-lived daemon thread, so that it overlaps the caller's own
     * start-up work. A thread that needs a system call meanwhile waits for that initialisation to
     * finish, as the JVM does for any class being initialised.
     */
    public static void linkInBackground() {
        Thread.ofPlatform().name("omnibus-link").daemon().start(Native::getpid);
    }

    /**
     * {@code n} bytes from the kernel's random pool (getrandom(2)): for socket names and GUIDs. Not
     * {@code java.security.SecureRandom}, whose provider set-up costs ~15 ms of daemon start-up.
     */
    public static byte[] randomBytes(int n) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(1, n));
            for (long got = 0; got < n; ) {
                long r = Native.getrandom(buf.asSlice(got), n - got);
                if (r == -Errno.EINTR) continue;
                if (r < 0) throw new IllegalStateException("getrandom: " + Errno.name((int) -r));
                got += r;
            }
            return buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        }
    }

    /** close(2) of an fd the caller owns; returns 0 or -errno. */
    public static int close(int fd) { return Native.close(fd); }

    /** unlink(2); returns 0 or -errno. Cold path (allocates the C string). */
    public static int unlink(String path) {
        try (Arena a = Arena.ofConfined()) {
            return Native.unlink(a.allocateFrom(path));
        }
    }

    /** chmod(2); returns 0 or -errno. Cold path. */
    public static int chmod(String path, int mode) {
        try (Arena a = Arena.ofConfined()) {
            return Native.chmod(a.allocateFrom(path), mode);
        }
    }

    /** Sets FD_CLOEXEC on an fd; returns 0 or -errno. */
    public static int setCloseOnExec(int fd) { return Native.setCloseOnExec(fd); }

    /** Sets or clears O_NONBLOCK on an fd; returns 0 or -errno. */
    public static int setNonBlocking(int fd, boolean on) { return Native.setNonBlocking(fd, on); }

    /**
     * pipe2(O_CLOEXEC): returns {@code {readFd, writeFd}}, or {@code {-errno}} on failure. Cold path;
     * used by tests and by activation plumbing.
     */
    public static int[] pipe() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(8);
            int r = Native.pipe2(fds, Native.O_CLOEXEC);
            if (r < 0) return new int[] {r};
            return new int[] {fds.get(java.lang.foreign.ValueLayout.JAVA_INT, 0),
                    fds.get(java.lang.foreign.ValueLayout.JAVA_INT, 4)};
        }
    }
}
