package dev.omnibus.transport;

import java.lang.foreign.MemorySegment;

/**
 * A kernel pipe that carries bytes from one socket to another without passing through user space:
 * {@link #fillFrom} splices bytes from a socket's receive queue into the pipe, {@link #drainTo}
 * splices them on into another socket. AF_UNIX stream sockets hand over the pages of their buffers
 * (Linux 6.5 and later send spliced pages without copying), so a large message body crosses the
 * process as page references, not as two copies.
 *
 * <p>The pipe counts the bytes it holds ({@link #held()}). Both ends are non-blocking and
 * close-on-exec. Not thread-safe: one owner at a time (the bus thread).
 */
public final class SplicePipe implements AutoCloseable {
    private final int readFd;
    private final int writeFd;
    private long held;
    private boolean closed;

    private SplicePipe(int readFd, int writeFd) {
        this.readFd = readFd;
        this.writeFd = writeFd;
    }

    /**
     * A new pipe sized to hold at least {@code capacity} bytes (F_SETPIPE_SZ), or null when no pipe
     * can be had (out of fds, or the size refused: /proc/sys/fs/pipe-max-size, the per-user pipe
     * limits).
     */
    public static SplicePipe open(int capacity) {
        int[] fds = Posix.pipe();
        if (fds.length == 1) return null;
        SplicePipe p = new SplicePipe(fds[0], fds[1]);
        if (Native.fcntl(fds[0], Native.F_SETPIPE_SZ, capacity) < capacity
                || Posix.setNonBlocking(fds[0], true) < 0 || Posix.setNonBlocking(fds[1], true) < 0) {
            p.close();
            return null;
        }
        return p;
    }

    /** Bytes in the pipe. */
    public long held() { return held; }

    /**
     * Moves up to {@code max} bytes from {@code socket}'s receive queue into the pipe. Returns the
     * bytes moved (&gt;0), 0 at end of stream, or -errno: -EAGAIN when the socket has nothing or
     * the pipe is full ({@link StreamSocket#pendingInput} tells which). File descriptors that came
     * with spliced bytes are closed by the kernel, not received.
     */
    public long fillFrom(StreamSocket socket, long max) {
        long n;
        do {
            n = Native.splice(socket.fd(), writeFd, max, Native.SPLICE_F_MOVE | Native.SPLICE_F_NONBLOCK);
        } while (n == -Errno.EINTR);
        if (n > 0) held += n;
        return n;
    }

    /**
     * Copies {@code src[off, off+len)} (a native segment) into the pipe, behind what it holds.
     * Returns the bytes written (less than {@code len} only when the pipe is nearly full) or -errno.
     */
    public long fillFrom(MemorySegment src, long off, long len) {
        if (off < 0 || len < 0 || off + len > src.byteSize()) throw new IndexOutOfBoundsException();
        if (!src.isNative()) throw new IllegalArgumentException("the kernel can only read a native segment");
        if (len == 0) return 0;
        long n;
        do {
            n = Native.write(writeFd, src, off, len);
        } while (n == -Errno.EINTR);
        if (n > 0) held += n;
        return n;
    }

    /**
     * Moves up to {@code max} of the held bytes into {@code socket}. Returns the bytes moved (&gt;0)
     * or -errno (-EAGAIN when the socket's send buffer is full, -EPIPE when the peer is gone; the JVM
     * ignores SIGPIPE).
     */
    public long drainTo(StreamSocket socket, long max) {
        long want = Math.min(max, held);
        if (want == 0) return 0;
        long n;
        do {
            n = Native.splice(readFd, socket.fd(), want, Native.SPLICE_F_MOVE | Native.SPLICE_F_NONBLOCK);
        } while (n == -Errno.EINTR);
        if (n > 0) held -= n;
        return n;
    }

    /**
     * Copies up to {@code len} held bytes into {@code dst[off, off+len)} (a native segment), taking
     * them out of the pipe: the way back when spliced bytes must be looked at after all. Returns the
     * bytes read or -errno.
     */
    public long readInto(MemorySegment dst, long off, long len) {
        if (off < 0 || len < 0 || off + len > dst.byteSize()) throw new IndexOutOfBoundsException();
        long want = Math.min(len, held);
        if (want == 0) return 0;
        long n;
        do {
            n = Native.read(readFd, dst.asSlice(off, want), want);
        } while (n == -Errno.EINTR);
        if (n > 0) held -= n;
        return n;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Posix.close(readFd);
        Posix.close(writeFd);
        held = 0;
    }
}
