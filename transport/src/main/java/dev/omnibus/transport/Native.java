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
 * The kernel bindings of the transport. Every system call goes through <b>one</b> FFM downcall
 * handle, libc's {@code syscall(2)} ({@code long syscall(long nr, ...)}, linked once with six
 * {@code long} arguments and {@code captureCallState("errno")}), so a failure comes back as
 * {@code -errno} instead of an exception.
 *
 * <p>Why one handle: each distinct FFM function shape costs the JVM a generated stub class plus its
 * method-handle forms at link time (~8 ms each, ~200 ms for the 25 shapes the transport used to link,
 * measured in {@code docs/PERFORMANCE.md}, "start-up and memory"); one shape is linked once, and the
 * JDK's AOT cache then covers it. The few calls that must stay libc functions — {@code set*id}
 * (glibc applies them to every thread of the process; the raw system call changes only the calling
 * thread) and {@code getpwnam_r} (NSS) — sit in {@link Libc}, linked on first use.
 *
 * <p>Every wrapper returns the call's non-negative result, or {@code -errno}. The errno capture
 * buffer is per thread (a {@link ThreadLocal} created once per thread), so the wrappers are safe from
 * any thread and allocate nothing after the first call on a thread. Pointer arguments are native
 * {@link MemorySegment}s the caller preallocated and keeps alive for the call: they are passed by
 * address, so FFM's liveness check of the segment's arena does not apply here.
 *
 * <p>Constants are the Linux values from the kernel uapi headers. System call numbers differ between
 * x86_64 ({@code asm/unistd_64.h}) and the architectures on {@code asm-generic/unistd.h} (aarch64,
 * riscv64); only the *at / 2 / p variants that both tables have are used ({@code unlinkat},
 * {@code fchmodat}, {@code eventfd2}, {@code epoll_pwait}). The epoll_event layout differs too
 * ({@link #EPOLL_EVENT_SIZE}).
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
    /** AT_FDCWD in include/uapi/linux/fcntl.h: *at calls relative to the working directory. */
    private static final long AT_FDCWD = -100;
    /** sizeof(sigset_t) as the kernel wants it for epoll_pwait (_NSIG / 8). */
    private static final long SIGSET_SIZE = 8;

    /** struct epoll_event is packed (12 bytes) on x86_64 only; elsewhere the u64 is 8-aligned (16 bytes). */
    static final boolean PACKED_EPOLL = System.getProperty("os.arch").matches("amd64|x86_64");
    static final int EPOLL_EVENT_SIZE = PACKED_EPOLL ? 12 : 16;
    static final int EPOLL_DATA_OFFSET = PACKED_EPOLL ? 4 : 8;

    // struct msghdr (LP64): name@0 namelen@8 iov@16 iovlen@24 control@32 controllen@40 flags@48, size 56
    static final int MSGHDR_SIZE = 56;
    // struct cmsghdr (LP64): len@0 (size_t) level@8 type@12 data@16
    static final int CMSG_HDR = 16;

    static int cmsgSpace(int dataLen) { return CMSG_HDR + ((dataLen + 7) & ~7); }

    // System call numbers: x86_64 from asm/unistd_64.h, the others from asm-generic/unistd.h.
    private static final boolean X86_64 = PACKED_EPOLL;
    private static final long NR_READ = X86_64 ? 0 : 63;
    private static final long NR_WRITE = X86_64 ? 1 : 64;
    private static final long NR_CLOSE = X86_64 ? 3 : 57;
    private static final long NR_GETPID = X86_64 ? 39 : 172;
    private static final long NR_SOCKET = X86_64 ? 41 : 198;
    private static final long NR_CONNECT = X86_64 ? 42 : 203;
    private static final long NR_SENDTO = X86_64 ? 44 : 206;
    private static final long NR_SENDMSG = X86_64 ? 46 : 211;
    private static final long NR_RECVMSG = X86_64 ? 47 : 212;
    private static final long NR_SHUTDOWN = X86_64 ? 48 : 210;
    private static final long NR_BIND = X86_64 ? 49 : 200;
    private static final long NR_LISTEN = X86_64 ? 50 : 201;
    private static final long NR_GETSOCKNAME = X86_64 ? 51 : 204;
    private static final long NR_SOCKETPAIR = X86_64 ? 53 : 199;
    private static final long NR_SETSOCKOPT = X86_64 ? 54 : 208;
    private static final long NR_GETSOCKOPT = X86_64 ? 55 : 209;
    private static final long NR_FCNTL = X86_64 ? 72 : 25;
    private static final long NR_GETUID = X86_64 ? 102 : 174;
    private static final long NR_GETGID = X86_64 ? 104 : 176;
    private static final long NR_GETEUID = X86_64 ? 107 : 175;
    private static final long NR_EPOLL_CTL = X86_64 ? 233 : 21;
    private static final long NR_UNLINKAT = X86_64 ? 263 : 35;
    private static final long NR_FCHMODAT = X86_64 ? 268 : 53;
    private static final long NR_EPOLL_PWAIT = X86_64 ? 281 : 22;
    private static final long NR_ACCEPT4 = X86_64 ? 288 : 242;
    private static final long NR_EVENTFD2 = X86_64 ? 290 : 19;
    private static final long NR_EPOLL_CREATE1 = X86_64 ? 291 : 20;
    private static final long NR_PIPE2 = X86_64 ? 293 : 59;
    private static final long NR_GETRANDOM = X86_64 ? 318 : 278;
    private static final long NR_SPLICE = X86_64 ? 275 : 76;
    private static final long NR_IOCTL = X86_64 ? 16 : 29;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MemoryLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET =
            CAPTURE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> ERRNO =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    /**
     * {@code long syscall(long nr, ...)} called with seven longs: the kernel reads as many arguments
     * as the call takes and ignores the rest. glibc returns -1 and sets errno for results in
     * [-4095, -1].
     *
     * <p>Linked as a fixed-arity function, not with {@code firstVariadicArg(1)}: on the Linux LP64
     * ABIs integer variadic arguments travel in the same registers as fixed ones (SysV x86_64,
     * AAPCS64, RISC-V), and the one difference on x86_64, %al = number of vector registers, is
     * not read by glibc's syscall(), which only shifts registers. The variadic link costs ~15 ms
     * more at start-up (measured with the AOT cache: 35-46 ms against 20-28 ms).
     */
    private static final FunctionDescriptor SEVEN_LONGS =
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final MethodHandle SYSCALL = linkSevenLongs("syscall");

    /**
     * Links the libc function {@code name} with the same shape as {@code syscall} above: seven
     * {@code long} arguments, a {@code long} result, errno captured. The JDK caches the generated stub
     * per shape, so a further function linked this way costs a symbol lookup, not another stub class
     * (~8-25 ms each at start-up). Only for functions whose parameters and result are integers or
     * pointers: the callee reads the arguments it declares and ignores the rest (integer arguments
     * travel in registers, then on the caller-cleaned stack, on every Linux LP64 ABI), and the result
     * register of a {@code void} function is simply not looked at.
     */
    static MethodHandle linkSevenLongs(String name) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), SEVEN_LONGS, CAPTURE_ERRNO);
    }

    /** Calls a handle from {@link #linkSevenLongs}: its result as is (errno is not looked at). */
    static long callSevenLongs(MethodHandle fn, long a, long b) {
        try {
            return (long) fn.invokeExact(ERRNO.get(), a, b, 0L, 0L, 0L, 0L, 0L);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    private static long sys(long nr, long a, long b, long c, long d, long e, long f) {
        MemorySegment cs = ERRNO.get();
        long r;
        try {
            r = (long) SYSCALL.invokeExact(cs, nr, a, b, c, d, e, f);
        } catch (Throwable t) {
            throw bug(t);
        }
        return r < 0 ? -cs.get(JAVA_INT, ERRNO_OFFSET) : r;
    }

    private static long sys(long nr, long a, long b, long c) { return sys(nr, a, b, c, 0, 0, 0); }

    /** The address of a native segment (NULL is 0). A heap segment here is a bug: its address is not a pointer. */
    private static long p(MemorySegment s) {
        if (!s.isNative()) throw new IllegalArgumentException("heap segment passed to a system call");
        return s.address();
    }

    private static RuntimeException bug(Throwable t) {
        if (t instanceof RuntimeException re) return re;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    static int socket(int domain, int type, int protocol) { return (int) sys(NR_SOCKET, domain, type, protocol); }

    static int socketpair(int domain, int type, int protocol, MemorySegment sv) {
        return (int) sys(NR_SOCKETPAIR, domain, type, protocol, p(sv), 0, 0);
    }

    static int bind(int fd, MemorySegment addr, int len) { return (int) sys(NR_BIND, fd, p(addr), len); }

    static int listen(int fd, int backlog) { return (int) sys(NR_LISTEN, fd, backlog, 0); }

    static int accept4(int fd, MemorySegment addr, MemorySegment addrLen, int flags) {
        return (int) sys(NR_ACCEPT4, fd, p(addr), p(addrLen), flags, 0, 0);
    }

    static int connect(int fd, MemorySegment addr, int len) { return (int) sys(NR_CONNECT, fd, p(addr), len); }

    static int getsockname(int fd, MemorySegment addr, MemorySegment addrLen) {
        return (int) sys(NR_GETSOCKNAME, fd, p(addr), p(addrLen));
    }

    static long recvmsg(int fd, MemorySegment msg, int flags) { return sys(NR_RECVMSG, fd, p(msg), flags); }

    static long sendmsg(int fd, MemorySegment msg, int flags) { return sys(NR_SENDMSG, fd, p(msg), flags); }

    static long read(int fd, MemorySegment buf, long len) { return sys(NR_READ, fd, p(buf), len); }

    static long write(int fd, MemorySegment buf, long len) { return sys(NR_WRITE, fd, p(buf), len); }

    /** write(2) from {@code buf}'s bytes at {@code off} (no slice object on the hot path). */
    static long write(int fd, MemorySegment buf, long off, long len) { return sys(NR_WRITE, fd, p(buf) + off, len); }

    static int shutdown(int fd, int how) { return (int) sys(NR_SHUTDOWN, fd, how, 0); }

    static int close(int fd) { return (int) sys(NR_CLOSE, fd, 0, 0); }

    static int epollCreate1(int flags) { return (int) sys(NR_EPOLL_CREATE1, flags, 0, 0); }

    static int epollCtl(int epfd, int op, int fd, MemorySegment event) {
        return (int) sys(NR_EPOLL_CTL, epfd, op, fd, p(event), 0, 0);
    }

    /** epoll_wait(2) as epoll_pwait with no signal mask (asm-generic has no epoll_wait). */
    static int epollWait(int epfd, MemorySegment events, int max, int timeoutMs) {
        return (int) sys(NR_EPOLL_PWAIT, epfd, p(events), max, timeoutMs, 0, SIGSET_SIZE);
    }

    static int eventfd(int initval, int flags) { return (int) sys(NR_EVENTFD2, initval, flags, 0); }

    static int getsockopt(int fd, int level, int name, MemorySegment val, MemorySegment len) {
        return (int) sys(NR_GETSOCKOPT, fd, level, name, p(val), p(len), 0);
    }

    static int setsockopt(int fd, int level, int name, MemorySegment val, int len) {
        return (int) sys(NR_SETSOCKOPT, fd, level, name, p(val), len, 0);
    }

    static int fcntl(int fd, int cmd, int arg) { return (int) sys(NR_FCNTL, fd, cmd, arg); }

    static int unlink(MemorySegment path) { return (int) sys(NR_UNLINKAT, AT_FDCWD, p(path), 0); }

    static int chmod(MemorySegment path, int mode) { return (int) sys(NR_FCHMODAT, AT_FDCWD, p(path), mode); }

    static int pipe2(MemorySegment fds, int flags) { return (int) sys(NR_PIPE2, p(fds), flags, 0); }

    // splice(2), fcntl(2) F_SETPIPE_SZ, ioctl FIONREAD (asm-generic/ioctls.h; x86_64 and aarch64 alike)
    static final int SPLICE_F_MOVE = 1, SPLICE_F_NONBLOCK = 2;
    static final int F_SETPIPE_SZ = 1031;
    static final int FIONREAD = 0x541B;

    /** splice(2) without offsets (both ends are a pipe or a socket). */
    static long splice(int fdIn, int fdOut, long len, int flags) {
        return sys(NR_SPLICE, fdIn, 0, fdOut, 0, len, flags);
    }

    /** ioctl(2) with an int out-parameter at {@code out}'s bytes at {@code off} (FIONREAD). */
    static int ioctlInt(int fd, long request, MemorySegment out, long off) {
        return (int) sys(NR_IOCTL, fd, request, p(out) + off);
    }

    static long sendto(int fd, MemorySegment buf, long len, int flags, MemorySegment addr, int addrLen) {
        return sys(NR_SENDTO, fd, p(buf), len, flags, p(addr), addrLen);
    }

    /** getrandom(2) without flags: blocks only until the kernel's pool is first initialised at boot. */
    static long getrandom(MemorySegment buf, long len) { return sys(NR_GETRANDOM, p(buf), len, 0); }

    static int getpid() { return (int) sys(NR_GETPID, 0, 0, 0); }

    static int getuid() { return (int) sys(NR_GETUID, 0, 0, 0); }

    static int getgid() { return (int) sys(NR_GETGID, 0, 0, 0); }

    static int geteuid() { return (int) sys(NR_GETEUID, 0, 0, 0); }

    static int setgroups(long size, MemorySegment list) { return Libc.setgroups(size, list); }

    static int setgid(int gid) { return Libc.setgid(gid); }

    static int setuid(int uid) { return Libc.setuid(uid); }

    /** getpwnam_r(3): returns 0 (result pointer set, or NULL when there is no such user) or a positive error number. */
    static int getpwnamR(MemorySegment name, MemorySegment pwd, MemorySegment buf, long bufLen, MemorySegment result) {
        return Libc.getpwnamR(name, pwd, buf, bufLen, result);
    }

    /**
     * The libc functions that are more than their system call, linked when first used (a bus without
     * {@code <user>} never links them): glibc's {@code set*id} change the credentials of every thread
     * (the raw calls only the caller's), and {@code getpwnam_r} consults NSS. Cold paths.
     */
    private static final class Libc {
        private Libc() {}

        private static final SymbolLookup LIBC = LINKER.defaultLookup();

        private static MethodHandle h(String name, ValueLayout ret, MemoryLayout... args) {
            return LINKER.downcallHandle(LIBC.find(name).orElseThrow(),
                    FunctionDescriptor.of(ret, args), Linker.Option.captureCallState("errno"));
        }

        private static final MethodHandle SETGROUPS = h("setgroups", JAVA_INT, JAVA_LONG, ADDRESS);
        private static final MethodHandle SETGID = h("setgid", JAVA_INT, JAVA_INT);
        private static final MethodHandle SETUID = h("setuid", JAVA_INT, JAVA_INT);
        private static final MethodHandle GETPWNAM_R =
                h("getpwnam_r", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);

        private static int ret(int r, MemorySegment cs) { return r < 0 ? -cs.get(JAVA_INT, ERRNO_OFFSET) : r; }

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

        static int getpwnamR(MemorySegment name, MemorySegment pwd, MemorySegment buf, long bufLen, MemorySegment result) {
            MemorySegment cs = ERRNO.get();
            try { return (int) GETPWNAM_R.invokeExact(cs, name, pwd, buf, bufLen, result); } catch (Throwable t) { throw bug(t); }
        }
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
