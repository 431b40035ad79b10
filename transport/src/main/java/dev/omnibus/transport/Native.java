package dev.omnibus.transport;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libc bindings of the transport: one downcall handle per system call, each linked with
 * {@code captureCallState("errno")} so a failure comes back as {@code -errno} instead of an exception.
 *
 * <p>Every wrapper returns the call's non-negative result, or {@code -errno} when the call returned
 * -1. The errno capture buffer is per thread (a {@link ThreadLocal} created once per thread), so the
 * wrappers are safe from any thread and allocate nothing after the first call on a thread.
 * Pointer arguments are native {@link MemorySegment}s the caller preallocated.
 *
 * <p>Constants are the Linux x86_64/aarch64 values from the kernel uapi headers (they agree on
 * both architectures except the epoll_event layout, handled by {@link #EPOLL_EVENT_SIZE}).
 */
final class Native {
    private Native() {}

    // socket(2), socket(7), unix(7), ip(7), ipv6(7)
    static final int AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10;
    static final int SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1, IPPROTO_IPV6 = 41, IPV6_V6ONLY = 26;
    static final int SO_REUSEADDR = 2, SO_ERROR = 4, SO_SNDBUF = 7, SO_RCVBUF = 8, SO_PASSCRED = 16,
            SO_PEERCRED = 17, SO_PEERSEC = 31, SO_PEERGROUPS = 59, SO_PEERPIDFD = 77;
    static final int SCM_RIGHTS = 1, SCM_CREDENTIALS = 2;
    static final int MSG_CTRUNC = 0x8, MSG_DONTWAIT = 0x40, MSG_NOSIGNAL = 0x4000, MSG_CMSG_CLOEXEC = 0x40000000;
    static final int SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2;
    /** SCM_MAX_FD in include/net/scm.h: the most fds one sendmsg may carry. */
    static final int SCM_MAX_FD = 253;
    /** UIO_MAXIOV (IOV_MAX) in include/uapi/linux/uio.h: the most iovec entries one sendmsg takes. */
    static final int IOV_MAX = 1024;
    /** sizeof(sockaddr_un.sun_path) in unix(7). */
    static final int SUN_PATH_MAX = 108;

    // epoll(7), eventfd(2), fcntl(2)
    static final int EPOLL_CLOEXEC = 0x80000;
    static final int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
    static final int EPOLLIN = 0x1, EPOLLOUT = 0x4, EPOLLERR = 0x8, EPOLLHUP = 0x10, EPOLLRDHUP = 0x2000,
            EPOLLET = 1 << 31;
    static final int EFD_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800;
    static final int F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, FD_CLOEXEC = 1, O_NONBLOCK = 0x800,
            O_CLOEXEC = 0x80000;

    /** struct epoll_event is packed (12 bytes) on x86_64 only; elsewhere the u64 is 8-aligned (16 bytes). */
    static final boolean PACKED_EPOLL = System.getProperty("os.arch").matches("amd64|x86_64");
    static final int EPOLL_EVENT_SIZE = PACKED_EPOLL ? 12 : 16;
    static final int EPOLL_DATA_OFFSET = PACKED_EPOLL ? 4 : 8;

    // struct msghdr (LP64): name@0 namelen@8 iov@16 iovlen@24 control@32 controllen@40 flags@48, size 56
    static final int MSGHDR_SIZE = 56;
    // struct cmsghdr (LP64): len@0 (size_t) level@8 type@12 data@16
    static final int CMSG_HDR = 16;

    static int cmsgSpace(int dataLen) { return CMSG_HDR + ((dataLen + 7) & ~7); }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final MemoryLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET =
            CAPTURE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> ERRNO =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    private static MethodHandle h(String name, ValueLayout ret, MemoryLayout... args) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(),
                FunctionDescriptor.of(ret, args), Linker.Option.captureCallState("errno"));
    }

    private static MethodHandle plain(String name, ValueLayout ret) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), FunctionDescriptor.of(ret));
    }

    private static final MethodHandle SOCKET = h("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle SOCKETPAIR = h("socketpair", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle BIND = h("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle LISTEN = h("listen", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle ACCEPT4 = h("accept4", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
    private static final MethodHandle CONNECT = h("connect", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle GETSOCKNAME = h("getsockname", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle RECVMSG = h("recvmsg", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle SENDMSG = h("sendmsg", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle READ = h("read", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle WRITE = h("write", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle SHUTDOWN = h("shutdown", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle CLOSE = h("close", JAVA_INT, JAVA_INT);
    private static final MethodHandle EPOLL_CREATE1 = h("epoll_create1", JAVA_INT, JAVA_INT);
    private static final MethodHandle EPOLL_CTL = h("epoll_ctl", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle EPOLL_WAIT = h("epoll_wait", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final MethodHandle EVENTFD = h("eventfd", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle GETSOCKOPT = h("getsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle SETSOCKOPT = h("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle FCNTL = LINKER.downcallHandle(LIBC.find("fcntl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2), Linker.Option.captureCallState("errno"));
    private static final MethodHandle UNLINK = h("unlink", JAVA_INT, ADDRESS);
    private static final MethodHandle CHMOD = h("chmod", JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle PIPE2 = h("pipe2", JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle SENDTO = h("sendto", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle SETGROUPS = h("setgroups", JAVA_INT, JAVA_LONG, ADDRESS);
    private static final MethodHandle SETGID = h("setgid", JAVA_INT, JAVA_INT);
    private static final MethodHandle SETUID = h("setuid", JAVA_INT, JAVA_INT);
    private static final MethodHandle GETPWNAM_R =
            h("getpwnam_r", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
    private static final MethodHandle GETUID = plain("getuid", JAVA_INT);
    private static final MethodHandle GETGID = plain("getgid", JAVA_INT);
    private static final MethodHandle GETEUID = plain("geteuid", JAVA_INT);
    private static final MethodHandle GETPID = plain("getpid", JAVA_INT);

    private static int errno(MemorySegment cs) { return cs.get(JAVA_INT, ERRNO_OFFSET); }

    private static int ret(int r, MemorySegment cs) { return r < 0 ? -errno(cs) : r; }

    private static long ret(long r, MemorySegment cs) { return r < 0 ? -errno(cs) : r; }

    private static RuntimeException bug(Throwable t) {
        if (t instanceof RuntimeException re) return re;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    static int socket(int domain, int type, int protocol) {
        MemorySegment cs = ERRNO.get();
        try { return ret((int) SOCKET.invokeExact(cs, domain, type, protocol), cs); } catch (Throwable t) { throw bug(t); }
    }

    static int socketpair(int domain, int type, int protocol, MemorySegment sv) {
        MemorySegment cs = ERRNO.get();
        try { return ret((int) SOCKETPAIR.invokeExact(cs, domain, type, protocol, sv), cs); } catch (Throwable t) { throw bug(t); }
    }

    static int bind(int fd, MemorySegment addr, int len) {
        MemorySegment cs = ERRNO.get();
        try { return ret((int) BIND.invokeExact(cs, fd, addr, len), cs); } catch (Throwable t) { throw bug(t); }
    }

    static int listen(int fd, int backlog) {
        MemorySegment cs = ERRNO.get();
        try { return ret((int) LISTEN.invokeExact(cs, fd, backlog), cs); } catch (Throwable t) { throw bug(t); }
    }

    static int accept4(int fd, MemorySegment addr, MemorySegment addrLen, int flags) {
        MemorySegment cs = ERRNO.get();
        try { return ret((int) ACCEPT4.invokeExact(cs, fd, addr, addrLen, flags), cs); } catch (Throwable t) { throw bug(t); }
    }

    static int connect(int fd, MemorySegment addr, int len) {
        MemorySegment cs = ERRNO.get();
        try { return ret((int) CONNECT.invokeExact(cs, fd, addr, len), cs); } catch (Throwable t) { throw bug(t); }
    }

    static int getsockname(int fd, MemorySegment addr, MemorySegment addrLen) {
        MemorySegment cs = ERRNO.get();
        try { return ret((int) GETSOCKNAME.invokeExact(cs, fd, addr, addrLen), cs); } catch (Throwable t) { throw bug(t); }
    }

    static long recvmsg(int fd, MemorySegment msg, int flags) {
        MemorySegment cs = ERRNO.get();
        try { return ret((long) RECVMSG.invokeExact(cs, fd, msg, flags), cs); } catch (Throwable t) { throw bug(t); }
    }

    static long sendmsg(int fd, MemorySegment msg, int flags) {
        MemorySegment cs = ERRNO.get();
        try { return ret((long) SENDMSG.invokeExact(cs, fd, msg, flags), cs); } catch (Throwable t) { throw bug(t); }
    }

    static long read(int fd, MemorySegment buf, long len) {
        MemorySegment cs = ERRNO.get();
        try { return ret((long) READ.invokeExact(cs, fd, buf, len), cs); } catch (Throwable t) { throw bug(t); }
    }

    static long write(int fd, MemorySegment buf, long len) {
        MemorySegment cs = ERRNO.get();
        try { return ret((long) WRITE.invokeExact(cs, fd, buf, len), cs); } catch (Throwable t) { throw bug(t); }
    }

    static int shutdown(int fd, int how) {
        MemorySegment cs = ERRNO.get();
        try { return ret((int) SHUTDOWN.invokeExact(cs, fd, how), cs); } catch (Throwable t) { throw bug(t); }
    }

    static int close(int fd) {
        MemorySegment cs = ERRNO.get();
        try { return ret((int) CLOSE.invokeExact(cs, fd), cs); } catch (Throwable t) { throw bug(t); }
    }

    static int epollCreate1(int flags) {
        MemorySegment cs = ERRNO.get();
        try { return ret((int) EPOLL_CREATE1.invokeExact(cs, flags), cs); } catch (Throwable t) { throw bug(t); }
    }

    static int epollCtl(int epfd, int op, int fd, MemorySegment event) {
        MemorySegment cs = ERRNO.get();
        try { return ret((int) EPOLL_CTL.invokeExact(cs, epfd, op, fd, event), cs); } catch (Throwable t) { throw bug(t); }
    }

    static int epollWait(int epfd, MemorySegment events, int max, int timeoutMs) {
        MemorySegment cs = ERRNO.get();
        try { return ret((int) EPOLL_WAIT.invokeExact(cs, epfd, events, max, timeoutMs), cs); } catch (Throwable t) { throw bug(t); }
    }

    static int eventfd(int initval, int flags) {
        MemorySegment cs = ERRNO.get();
        try { return ret((int) EVENTFD.invokeExact(cs, initval, flags), cs); } catch (Throwable t) { throw bug(t); }
    }

    static int getsockopt(int fd, int level, int name, MemorySegment val, MemorySegment len) {
        MemorySegment cs = ERRNO.get();
        try { return ret((int) GETSOCKOPT.invokeExact(cs, fd, level, name, val, len), cs); } catch (Throwable t) { throw bug(t); }
    }

    static int setsockopt(int fd, int level, int name, MemorySegment val, int len) {
        MemorySegment cs = ERRNO.get();
        try { return ret((int) SETSOCKOPT.invokeExact(cs, fd, level, name, val, len), cs); } catch (Throwable t) { throw bug(t); }
    }

    static int fcntl(int fd, int cmd, int arg) {
        MemorySegment cs = ERRNO.get();
        try { return ret((int) FCNTL.invokeExact(cs, fd, cmd, arg), cs); } catch (Throwable t) { throw bug(t); }
    }

    static int unlink(MemorySegment path) {
        MemorySegment cs = ERRNO.get();
        try { return ret((int) UNLINK.invokeExact(cs, path), cs); } catch (Throwable t) { throw bug(t); }
    }

    static int chmod(MemorySegment path, int mode) {
        MemorySegment cs = ERRNO.get();
        try { return ret((int) CHMOD.invokeExact(cs, path, mode), cs); } catch (Throwable t) { throw bug(t); }
    }

    static int pipe2(MemorySegment fds, int flags) {
        MemorySegment cs = ERRNO.get();
        try { return ret((int) PIPE2.invokeExact(cs, fds, flags), cs); } catch (Throwable t) { throw bug(t); }
    }

    static long sendto(int fd, MemorySegment buf, long len, int flags, MemorySegment addr, int addrLen) {
        MemorySegment cs = ERRNO.get();
        try { return ret((long) SENDTO.invokeExact(cs, fd, buf, len, flags, addr, addrLen), cs); } catch (Throwable t) { throw bug(t); }
    }

    static int setgroups(long size, MemorySegment list) {
        MemorySegment cs = ERRNO.get();
        try { return ret((int) SETGROUPS.invokeExact(cs, size, list), cs); } catch (Throwable t) { throw bug(t); }
    }

    static int setgid(int gid) {
        MemorySegment cs = ERRNO.get();
        try { return ret((int) SETGID.invokeExact(cs, gid), cs); } catch (Throwable t) { throw bug(t); }
    }

    static int setuid(int uid) {
        MemorySegment cs = ERRNO.get();
        try { return ret((int) SETUID.invokeExact(cs, uid), cs); } catch (Throwable t) { throw bug(t); }
    }

    /** getpwnam_r(3): returns 0 (result pointer set, or NULL when there is no such user) or a positive error number. */
    static int getpwnamR(MemorySegment name, MemorySegment pwd, MemorySegment buf, long bufLen, MemorySegment result) {
        MemorySegment cs = ERRNO.get();
        try { return (int) GETPWNAM_R.invokeExact(cs, name, pwd, buf, bufLen, result); } catch (Throwable t) { throw bug(t); }
    }

    static int getgid() {
        try { return (int) GETGID.invokeExact(); } catch (Throwable t) { throw bug(t); }
    }

    static int getuid() {
        try { return (int) GETUID.invokeExact(); } catch (Throwable t) { throw bug(t); }
    }

    static int geteuid() {
        try { return (int) GETEUID.invokeExact(); } catch (Throwable t) { throw bug(t); }
    }

    static int getpid() {
        try { return (int) GETPID.invokeExact(); } catch (Throwable t) { throw bug(t); }
    }

    /** Sets or clears O_NONBLOCK; returns 0 or -errno. */
    static int setNonBlocking(int fd, boolean on) {
        int fl = fcntl(fd, F_GETFL, 0);
        if (fl < 0) return fl;
        int want = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
        return want == fl ? 0 : Math.min(0, fcntl(fd, F_SETFL, want));
    }

    /** Sets FD_CLOEXEC; returns 0 or -errno. */
    static int setCloseOnExec(int fd) {
        int fl = fcntl(fd, F_GETFD, 0);
        if (fl < 0) return fl;
        return (fl & FD_CLOEXEC) != 0 ? 0 : Math.min(0, fcntl(fd, F_SETFD, fl | FD_CLOEXEC));
    }
}
