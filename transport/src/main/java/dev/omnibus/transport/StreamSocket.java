package dev.omnibus.transport;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A connected, non-blocking stream socket (AF_UNIX or TCP) with allocation-free I/O.
 *
 * <p>Owns its fd (closed exactly once by {@link #close()}), the peer's pidfd if one was asked for, and a
 * native block reused by every call:
 * <pre>
 *  @0    struct msghdr (56)
 *  @64   struct iovec  (16)          single-buffer reads and writes
 *  @80   rx control    (RX_CONTROL)  room for SCM_RIGHTS x SCM_MAX_FD + SCM_CREDENTIALS
 *  @...  tx control    (TX_CONTROL)  room for SCM_RIGHTS x SCM_MAX_FD
 * </pre>
 * Blocking follows the fd's O_NONBLOCK (set for accepted, connected and paired sockets;
 * {@link #setBlocking} clears it for clients that want to block), so no call passes MSG_DONTWAIT.
 * Thread: one thread at a time (the loop thread for accepted sockets); not thread-safe.
 */
public final class StreamSocket implements AutoCloseable {
    /**
     * Returned by {@link #read} when the kernel truncated the control data (MSG_CTRUNC): some fds
     * were lost, the ones that did arrive are already closed, the bytes of that read are discarded.
     * The stream can no longer be trusted; the caller should drop the peer.
     */
    public static final long FDS_TRUNCATED = -100_000;

    private static final int MSG = 0, IOV = 64, RX = 80;
    private static final int RX_CONTROL = Native.cmsgSpace(4 * Native.SCM_MAX_FD) + Native.cmsgSpace(12);
    private static final int TX = RX + RX_CONTROL;
    private static final int TX_CONTROL = Native.cmsgSpace(4 * Native.SCM_MAX_FD);
    private static final int BLOCK = TX + TX_CONTROL;

    private final int fd;
    private final boolean unix;
    /** msghdr, iovec and cmsg space for this socket, from malloc: freed by close(). */
    private final MemorySegment block;
    private final MemorySegment msg;
    private final long blockAddr;
    private PeerCredentials credentials;
    private boolean closed;
    private int rxControl = RX_CONTROL;

    StreamSocket(int fd, boolean unix) {
        this.fd = fd;
        this.unix = unix;
        this.block = NativeMemory.malloc(BLOCK);
        block.fill((byte) 0); // msghdr fields not set per call (name, flags) must read as zero
        this.msg = block.asSlice(MSG, Native.MSGHDR_SIZE);
        this.blockAddr = block.address();
    }

    public int fd() { return fd; }

    /** True for AF_UNIX sockets: fd passing and credentials are possible. */
    public boolean isUnix() { return unix; }

    public boolean isClosed() { return closed; }

    /**
     * recvmsg into {@code dst[off, off+len)} (a native segment). Received fds are appended to
     * {@code fdsOut} and owned by the caller from then on. Returns the bytes read (&gt;0), 0 at EOF,
     * -errno ({@code -EAGAIN} once drained, {@code -ECONNRESET} when the peer reset), or
     * {@link #FDS_TRUNCATED}.
     */
    public long read(MemorySegment dst, long off, long len, FdList fdsOut) {
        if (closed) return -Errno.EBADF;
        if (off < 0 || len <= 0 || off + len > dst.byteSize()) throw new IndexOutOfBoundsException();
        if (!dst.isNative()) throw new IllegalArgumentException("the kernel can only fill a native segment");
        block.set(JAVA_LONG, IOV, dst.address() + off);
        block.set(JAVA_LONG, IOV + 8, len);
        prepareMsg(blockAddr + IOV, 1, blockAddr + RX, rxControl);
        long n;
        do {
            n = Native.recvmsg(fd, msg, Native.MSG_CMSG_CLOEXEC);
        } while (n == -Errno.EINTR);
        if (n < 0) return n;
        long controlLen = msg.get(JAVA_LONG, 40);
        int flags = msg.get(JAVA_INT, 48);
        int before = fdsOut.size();
        if (controlLen > 0) collectFds(controlLen, fdsOut);
        if ((flags & Native.MSG_CTRUNC) != 0) {
            fdsOut.closeFrom(before);
            return FDS_TRUNCATED;
        }
        return n;
    }

    private void collectFds(long controlLen, FdList fdsOut) {
        long p = 0;
        while (p + Native.CMSG_HDR <= controlLen) {
            long cmsgLen = block.get(JAVA_LONG, RX + p);
            if (cmsgLen < Native.CMSG_HDR || p + cmsgLen > controlLen) break;
            int level = block.get(JAVA_INT, RX + p + 8);
            int type = block.get(JAVA_INT, RX + p + 12);
            if (level == Native.SOL_SOCKET && type == Native.SCM_RIGHTS) {
                int n = (int) ((cmsgLen - Native.CMSG_HDR) / 4);
                for (int i = 0; i < n; i++) fdsOut.add(block.get(JAVA_INT, RX + p + Native.CMSG_HDR + 4L * i));
            }
            p += (cmsgLen + 7) & ~7L;
        }
    }

    /**
     * sendmsg gather write of the pending entries of {@code iov}; if {@code fdCount > 0} the first
     * {@code fdCount} entries of {@code fds} go with the first byte (SCM_RIGHTS). The bytes written
     * are consumed from {@code iov}, so calling again resumes a partial write; once any byte was
     * written the fds were sent and must not be sent again (the caller still owns and closes its
     * copies). Returns bytes written (&gt;0) or -errno: {@code -EAGAIN} when the kernel buffer is
     * full (wait for WRITABLE), {@code -EPIPE}/{@code -ECONNRESET} when the peer is gone. Never
     * raises SIGPIPE (MSG_NOSIGNAL).
     */
    public long write(IoVecs iov, int[] fds, int fdCount) {
        if (closed) return -Errno.EBADF;
        if (iov.count() == 0) return 0;
        long ctl = 0;
        int ctlLen = 0;
        if (fdCount > 0) {
            if (!unix || fdCount > Native.SCM_MAX_FD) return -Errno.EINVAL;
            block.set(JAVA_LONG, TX, Native.CMSG_HDR + 4L * fdCount);
            block.set(JAVA_INT, TX + 8, Native.SOL_SOCKET);
            block.set(JAVA_INT, TX + 12, Native.SCM_RIGHTS);
            for (int i = 0; i < fdCount; i++) block.set(JAVA_INT, TX + Native.CMSG_HDR + 4L * i, fds[i]);
            ctl = blockAddr + TX;
            ctlLen = Native.cmsgSpace(4 * fdCount);
        }
        prepareMsg(iov.firstAddress(), Math.min(iov.count(), Native.IOV_MAX), ctl, ctlLen);
        long n;
        do {
            n = Native.sendmsg(fd, msg, Native.MSG_NOSIGNAL);
        } while (n == -Errno.EINTR);
        if (n > 0) iov.consume(n);
        return n;
    }

    /**
     * Bytes waiting in the socket's receive queue (ioctl FIONREAD), or -errno. Tells a splice that
     * stopped whether the socket ran dry or the pipe filled up.
     */
    public long pendingInput() {
        if (closed) return -Errno.EBADF;
        int r = Native.ioctlInt(fd, Native.FIONREAD, block, RX);
        return r < 0 ? r : block.get(JAVA_INT, RX);
    }

    /** Plain write of {@code src[off, off+len)} (native) without fds; bytes written or -errno. */
    public long write(MemorySegment src, long off, long len) {
        if (closed) return -Errno.EBADF;
        if (off < 0 || len < 0 || off + len > src.byteSize()) throw new IndexOutOfBoundsException();
        if (!src.isNative()) throw new IllegalArgumentException("the kernel can only read a native segment");
        if (len == 0) return 0;
        block.set(JAVA_LONG, IOV, src.address() + off);
        block.set(JAVA_LONG, IOV + 8, len);
        prepareMsg(blockAddr + IOV, 1, 0, 0);
        long n;
        do {
            n = Native.sendmsg(fd, msg, Native.MSG_NOSIGNAL);
        } while (n == -Errno.EINTR);
        return n;
    }

    private void prepareMsg(long iovAddr, int iovLen, long control, int controlLen) {
        msg.set(JAVA_LONG, 0, 0L);
        msg.set(JAVA_INT, 8, 0);
        msg.set(JAVA_LONG, 16, iovAddr);
        msg.set(JAVA_LONG, 24, iovLen);
        msg.set(JAVA_LONG, 32, control);
        msg.set(JAVA_LONG, 40, controlLen);
        msg.set(JAVA_INT, 48, 0);
    }

    /**
     * The peer's credentials, read from the kernel on the first call (cold path, but once per
     * connection) and cached: SO_PEERCRED, SO_PEERGROUPS, SO_PEERSEC (null if no LSM label). TCP
     * sockets return {@link PeerCredentials#UNKNOWN}.
     *
     * <p>The option values land in the receive-control area of this socket's own block (no read
     * is in progress during the call), so no arena is opened per connection; only a group list or
     * label longer than that scratch (ERANGE) takes a temporary arena. An option the kernel does
     * not know (ENOPROTOOPT: SO_PEERSEC without an LSM that labels sockets) is not asked for again
     * by any socket of this process.
     */
    public PeerCredentials peerCredentials() {
        if (credentials != null) return credentials;
        if (!unix || closed) return credentials = PeerCredentials.UNKNOWN;
        MemorySegment len = block.asSlice(CRED_LEN, 4);
        MemorySegment cred = block.asSlice(CRED_UCRED, 12);
        len.set(JAVA_INT, 0, 12);
        int r = Native.getsockopt(fd, Native.SOL_SOCKET, Native.SO_PEERCRED, cred, len);
        int pid = r < 0 ? -1 : cred.get(JAVA_INT, 0);
        int uid = r < 0 ? -1 : cred.get(JAVA_INT, 4);
        int gid = r < 0 ? -1 : cred.get(JAVA_INT, 8);
        int[] groups = peerGroups(len);
        String label = noPeerSec ? null : peerLabel(len);
        return credentials = new PeerCredentials(pid, uid, gid, groups, label);
    }

    /**
     * A pidfd of the peer process (SO_PEERPIDFD, Linux 6.5+): the process that connected, without pid
     * reuse races. Created on the first call and closed with this socket (dup it to keep it longer);
     * -1 for TCP, on older kernels, or once that process is gone. Not fetched with the credentials:
     * a pidfd is a file the kernel creates and tears down, and few peers are ever asked for theirs
     * (GetConnectionCredentials).
     */
    public int peerPidfd() {
        if (pidfd != PIDFD_UNREAD) return pidfd;
        pidfd = -1;
        if (!unix || closed || noPeerPidfd) return pidfd;
        MemorySegment len = block.asSlice(CRED_LEN, 4);
        MemorySegment pidfdSeg = block.asSlice(CRED_PIDFD, 4);
        len.set(JAVA_INT, 0, 4);
        int r = Native.getsockopt(fd, Native.SOL_SOCKET, Native.SO_PEERPIDFD, pidfdSeg, len);
        if (r == -Errno.ENOPROTOOPT) noPeerPidfd = true;
        // No FD_CLOEXEC to set: the kernel makes every pidfd close-on-exec.
        if (r == 0) pidfd = pidfdSeg.get(JAVA_INT, 0);
        return pidfd;
    }

    private static final int PIDFD_UNREAD = -2;
    private int pidfd = PIDFD_UNREAD;

    // Credential scratch inside the rx control area (offsets into the block).
    private static final int CRED_LEN = RX, CRED_UCRED = RX + 8, CRED_PIDFD = RX + 24, CRED_BUF = RX + 32;
    /** Scratch for the group list or the label: 64 groups or a 256-byte label without ERANGE. */
    private static final int CRED_BUF_SIZE = 256;

    static {
        if (CRED_BUF + CRED_BUF_SIZE > RX + RX_CONTROL) throw new AssertionError("credential scratch overflows rx control");
    }

    /** Set once the kernel answered ENOPROTOOPT; a benign race: every thread would learn the same. */
    private static boolean noPeerPidfd, noPeerSec;

    private int[] peerGroups(MemorySegment len) {
        MemorySegment buf = block.asSlice(CRED_BUF, CRED_BUF_SIZE);
        len.set(JAVA_INT, 0, CRED_BUF_SIZE);
        int r = Native.getsockopt(fd, Native.SOL_SOCKET, Native.SO_PEERGROUPS, buf, len);
        if (r == -Errno.ERANGE) {
            try (Arena a = Arena.ofConfined()) {
                buf = a.allocate(Math.max(4, len.get(JAVA_INT, 0)), 4);
                len.set(JAVA_INT, 0, (int) buf.byteSize());
                r = Native.getsockopt(fd, Native.SOL_SOCKET, Native.SO_PEERGROUPS, buf, len);
                return r < 0 ? new int[0] : buf.asSlice(0, len.get(JAVA_INT, 0)).toArray(JAVA_INT);
            }
        }
        return r < 0 ? new int[0] : buf.asSlice(0, len.get(JAVA_INT, 0)).toArray(JAVA_INT);
    }

    private String peerLabel(MemorySegment len) {
        MemorySegment sec = block.asSlice(CRED_BUF, CRED_BUF_SIZE);
        len.set(JAVA_INT, 0, CRED_BUF_SIZE);
        int r = Native.getsockopt(fd, Native.SOL_SOCKET, Native.SO_PEERSEC, sec, len);
        if (r == -Errno.ENOPROTOOPT) noPeerSec = true;
        if (r == -Errno.ERANGE) {
            try (Arena a = Arena.ofConfined()) {
                sec = a.allocate(Math.max(1, len.get(JAVA_INT, 0)));
                len.set(JAVA_INT, 0, (int) sec.byteSize());
                r = Native.getsockopt(fd, Native.SOL_SOCKET, Native.SO_PEERSEC, sec, len);
                return r < 0 ? null : label(sec, len.get(JAVA_INT, 0));
            }
        }
        return r < 0 ? null : label(sec, len.get(JAVA_INT, 0));
    }

    private static String label(MemorySegment sec, int n) {
        while (n > 0 && sec.get(JAVA_BYTE, n - 1) == 0) n--; // the label may carry its NUL
        return n > 0 ? new String(sec.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8) : null;
    }

    /** Tests only: shrinks the receive control buffer so MSG_CTRUNC can be provoked. */
    void limitReceiveControl(int bytes) { rxControl = Math.min(RX_CONTROL, bytes); }

    /** Switches O_NONBLOCK (client sockets that want blocking I/O); 0 or -errno. */
    public int setBlocking(boolean blocking) { return Native.setNonBlocking(fd, !blocking); }

    /** shutdown(SHUT_WR): the peer sees EOF after the queued bytes. Returns 0 or -errno. */
    public int shutdownOutput() { return closed ? -Errno.EBADF : Native.shutdown(fd, Native.SHUT_WR); }

    /** Closes the fd (and the peer pidfd, if read) exactly once; later calls do nothing. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Native.close(fd);
        if (pidfd >= 0) Native.close(pidfd);
        NativeMemory.free(block);
    }

    @Override
    public String toString() { return "StreamSocket[fd=" + fd + (unix ? ",unix" : ",tcp") + (closed ? ",closed]" : "]"); }

    // ---- client side (cold path) ----

    /** Connects to a filesystem unix socket; the result is non-blocking. */
    public static StreamSocket connectUnix(Path path) throws ErrnoException {
        return connectUnix(path.toString(), false);
    }

    /** Connects to an abstract unix socket (name without the leading NUL); non-blocking result. */
    public static StreamSocket connectAbstract(String name) throws ErrnoException {
        return connectUnix(name, true);
    }

    private static StreamSocket connectUnix(String name, boolean abstractName) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = a.allocate(SockAddr.STORAGE, 8);
            int len = abstractName ? SockAddr.unixAbstract(sa, name) : SockAddr.unixPath(sa, name);
            if (len < 0) throw new ErrnoException("connect " + name, len);
            return connect(Native.AF_UNIX, sa, len, "unix " + (abstractName ? "abstract=" : "path=") + name);
        }
    }

    /** Connects to {@code host:port} (first resolved address that accepts); non-blocking result. */
    public static StreamSocket connectTcp(String host, int port) throws ErrnoException {
        InetAddress[] addrs;
        try {
            addrs = InetAddress.getAllByName(host);
        } catch (java.net.UnknownHostException e) {
            throw new ErrnoException("resolve " + host, Errno.EADDRNOTAVAIL);
        }
        ErrnoException last = null;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = a.allocate(SockAddr.STORAGE, 8);
            for (InetAddress addr : addrs) {
                int len = SockAddr.inet(sa, addr, port);
                try {
                    return connect(SockAddr.family(sa), sa, len, "tcp " + addr.getHostAddress() + ":" + port);
                } catch (ErrnoException e) {
                    last = e;
                }
            }
        }
        throw last;
    }

    private static StreamSocket connect(int family, MemorySegment sa, int len, String what) throws ErrnoException {
        int fd = Native.socket(family, Native.SOCK_STREAM | Native.SOCK_CLOEXEC, 0);
        if (fd < 0) throw new ErrnoException("socket", fd);
        int r;
        do {
            r = Native.connect(fd, sa, len);
        } while (r == -Errno.EINTR);
        if (r == 0) r = Native.setNonBlocking(fd, true);
        if (r < 0) {
            Native.close(fd);
            throw new ErrnoException("connect " + what, r);
        }
        return new StreamSocket(fd, family == Native.AF_UNIX);
    }

    /** A connected AF_UNIX socketpair, both ends non-blocking and close-on-exec. */
    public static StreamSocket[] pair() throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sv = a.allocate(8, 4);
            int r = Native.socketpair(Native.AF_UNIX, Native.SOCK_STREAM | Native.SOCK_NONBLOCK | Native.SOCK_CLOEXEC, 0, sv);
            if (r < 0) throw new ErrnoException("socketpair", r);
            return new StreamSocket[] {new StreamSocket(sv.get(JAVA_INT, 0), true), new StreamSocket(sv.get(JAVA_INT, 4), true)};
        }
    }
}
