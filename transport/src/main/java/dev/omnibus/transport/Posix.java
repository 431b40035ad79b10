package dev.omnibus.transport;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The few process-level calls the daemon needs outside sockets: ids of this process, closing and
 * unlinking. All return the result or {@code -errno}; none throws on an expected failure.
 * Stateless; any thread.
 */
public final class Posix {
    private Posix() {}

    public static int getpid() { return Native.getpid(); }

    public static int getuid() { return Native.getuid(); }

    public static int geteuid() { return Native.geteuid(); }

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
