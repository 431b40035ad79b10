package dev.omnibus.transport;

/**
 * Linux errno values (asm-generic/errno-base.h, asm-generic/errno.h) that callers of the transport
 * test for. Transport calls return them negated ({@code -EAGAIN}); {@link #name(int)} turns either
 * sign into a symbolic name for logs. Stateless; any thread.
 */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1, ENOENT = 2, EINTR = 4, EBADF = 9, EAGAIN = 11, ENOMEM = 12,
            EACCES = 13, EEXIST = 17, ENOTDIR = 20, EINVAL = 22, ENFILE = 23, EMFILE = 24, EPIPE = 32,
            ERANGE = 34, ENAMETOOLONG = 36, ENOTSOCK = 88, EMSGSIZE = 90, ENOPROTOOPT = 92,
            EOPNOTSUPP = 95, EAFNOSUPPORT = 97, EADDRINUSE = 98, EADDRNOTAVAIL = 99, ECONNABORTED = 103,
            ECONNRESET = 104, ENOBUFS = 105, ENOTCONN = 107, ETIMEDOUT = 110, ECONNREFUSED = 111,
            EINPROGRESS = 115;

    /** Symbolic name of an errno (either sign), e.g. {@code "EAGAIN"}; {@code "errno N"} if unknown. */
    public static String name(int errno) {
        int e = Math.abs(errno);
        return switch (e) {
            case EPERM -> "EPERM"; case ENOENT -> "ENOENT"; case EINTR -> "EINTR"; case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN"; case ENOMEM -> "ENOMEM"; case EACCES -> "EACCES"; case EEXIST -> "EEXIST";
            case ENOTDIR -> "ENOTDIR"; case EINVAL -> "EINVAL"; case ENFILE -> "ENFILE"; case EMFILE -> "EMFILE";
            case EPIPE -> "EPIPE"; case ERANGE -> "ERANGE"; case ENAMETOOLONG -> "ENAMETOOLONG";
            case ENOTSOCK -> "ENOTSOCK"; case EMSGSIZE -> "EMSGSIZE"; case ENOPROTOOPT -> "ENOPROTOOPT";
            case EOPNOTSUPP -> "EOPNOTSUPP"; case EAFNOSUPPORT -> "EAFNOSUPPORT"; case EADDRINUSE -> "EADDRINUSE";
            case EADDRNOTAVAIL -> "EADDRNOTAVAIL"; case ECONNABORTED -> "ECONNABORTED";
            case ECONNRESET -> "ECONNRESET"; case ENOBUFS -> "ENOBUFS"; case ENOTCONN -> "ENOTCONN";
            case ETIMEDOUT -> "ETIMEDOUT"; case ECONNREFUSED -> "ECONNREFUSED"; case EINPROGRESS -> "EINPROGRESS";
            default -> "errno " + e;
        };
    }
}
