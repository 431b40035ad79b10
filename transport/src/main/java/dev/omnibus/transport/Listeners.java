package dev.omnibus.transport;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Opens {@link Listener}s for every address kind dbus-daemon 1.14 accepts, from structured
 * parameters (the daemon parses the address text). Cold path: each call throws
 * {@link ErrnoException} with the failing call and errno. Any thread.
 *
 * <p>Behaviour matched against dbus-daemon 1.14.10 on Linux:
 * <ul>
 * <li>{@code unix:path}: an existing <em>socket</em> file at the path is unlinked first (even a live
 *     one), any other file makes bind fail with EADDRINUSE; the new socket is chmod 0777; the file is
 *     removed on close.
 * <li>{@code unix:tmpdir} and {@code unix:dir}: both bind a filesystem socket
 *     {@code <dir>/dbus-XXXXXXXXXX} (10 random alphanumerics) and print it as {@code unix:path=}.
 * <li>{@code unix:runtime=yes}: {@code $XDG_RUNTIME_DIR/bus}, like unix:path.
 * <li>{@code tcp}: binds every address {@code bind} (default: host) resolves to in the family; with
 *     port 0 the first bind picks the port and the others reuse it; the printed family is that of
 *     the first socket.
 * </ul>
 */
public final class Listeners {
    private Listeners() {}

    /** listen(2) backlog: SOMAXCONN from sys/socket.h (the kernel caps it at net.core.somaxconn). */
    static final int BACKLOG = 4096;
    private static final int MODE_0777 = 0777;
    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /** {@code unix:path=}: see the class comment for stale-file handling. */
    public static Listener unixPath(Path path) throws ErrnoException {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isOther()) Posix.unlink(path.toString()); // a socket: stale or not, dbus-daemon replaces it
        } catch (IOException absent) {
            // nothing there: the common case
        }
        return bindUnixPath(path);
    }

    private static Listener bindUnixPath(Path path) throws ErrnoException {
        String p = path.toString();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = a.allocate(SockAddr.STORAGE, 8);
            int len = SockAddr.unixPath(sa, p);
            if (len < 0) throw new ErrnoException("Failed to bind socket \"" + p + "\"", len);
            int fd = listenOn(Native.AF_UNIX, sa, len, "\"" + p + "\"");
            Native.chmod(a.allocateFrom(p), MODE_0777);
            return new ListeningSocket(fd, true, BoundAddress.unixPath(p), path);
        }
    }

    /** {@code unix:abstract=name} (name without the leading NUL). */
    public static Listener unixAbstract(String name) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = a.allocate(SockAddr.STORAGE, 8);
            int len = SockAddr.unixAbstract(sa, name);
            if (len < 0) throw new ErrnoException("Failed to bind socket \"" + name + "\"", len);
            int fd = listenOn(Native.AF_UNIX, sa, len, "\"@" + name + "\"");
            return new ListeningSocket(fd, true, BoundAddress.unixAbstract(name), null);
        }
    }

    /** {@code unix:tmpdir=dir}: on Linux dbus-daemon 1.14 binds a random filesystem path in dir. */
    public static Listener unixTmpdir(Path dir) throws ErrnoException { return unixRandom(dir); }

    /** {@code unix:dir=dir}: a random filesystem path in dir. */
    public static Listener unixDir(Path dir) throws ErrnoException { return unixRandom(dir); }

    private static Listener unixRandom(Path dir) throws ErrnoException {
        ErrnoException last = null;
        for (int attempt = 0; attempt < 16; attempt++) {
            StringBuilder name = new StringBuilder("dbus-");
            for (byte b : Posix.randomBytes(10)) name.append(ALNUM.charAt((b & 0xff) % ALNUM.length()));
            try {
                return bindUnixPath(dir.resolve(name.toString()));
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EADDRINUSE) throw e;
                last = e; // never replace a file we did not create: pick another name
            }
        }
        throw last;
    }

    /** {@code unix:runtime=yes}: {@code $XDG_RUNTIME_DIR/bus}; ENOENT if the variable is unset. */
    public static Listener unixRuntime() throws ErrnoException {
        String dir = System.getenv("XDG_RUNTIME_DIR");
        if (dir == null || dir.isEmpty()) throw new ErrnoException("XDG_RUNTIME_DIR is not set", Errno.ENOENT);
        return unixRuntime(Path.of(dir));
    }

    /** {@code unix:runtime=yes} with an explicit runtime directory. */
    public static Listener unixRuntime(Path runtimeDir) throws ErrnoException {
        return unixPath(runtimeDir.resolve("bus"));
    }

    /**
     * {@code tcp:host=,bind=,port=,family=}. {@code host} defaults to "localhost"; {@code bind}
     * (what to bind, "*" = any address) defaults to host; {@code family} is "ipv4", "ipv6" or null
     * (both); {@code port} 0 picks a free port, reported by {@link Listener#address()}.
     */
    public static List<Listener> tcp(String host, String bind, int port, String family) throws ErrnoException {
        if (host == null) host = "localhost";
        if (bind == null) bind = host;
        if (family != null && !family.equals("ipv4") && !family.equals("ipv6")) {
            throw new ErrnoException("Unknown address family " + family, Errno.EAFNOSUPPORT);
        }
        List<InetAddress> addrs = new ArrayList<>();
        try {
            if (bind.equals("*")) {
                if (!"ipv6".equals(family)) addrs.add(InetAddress.getByName("0.0.0.0"));
                if (!"ipv4".equals(family)) addrs.add(InetAddress.getByName("::"));
            } else {
                for (InetAddress a : InetAddress.getAllByName(bind)) {
                    if ("ipv4".equals(family) && !(a instanceof Inet4Address)) continue;
                    if ("ipv6".equals(family) && !(a instanceof Inet6Address)) continue;
                    if (!addrs.contains(a)) addrs.add(a);
                }
            }
        } catch (UnknownHostException e) {
            throw new ErrnoException("Failed to lookup host/port: \"" + bind + "\"", Errno.EADDRNOTAVAIL);
        }
        if (addrs.isEmpty()) throw new ErrnoException("No address for \"" + bind + "\"", Errno.EADDRNOTAVAIL);
        List<Listener> out = new ArrayList<>();
        int fds[] = new int[addrs.size()];
        int bound = 0;
        int chosenPort = port;
        String chosenFamily = null;
        ErrnoException last = null;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = a.allocate(SockAddr.STORAGE, 8);
            MemorySegment len = a.allocate(JAVA_INT);
            for (InetAddress addr : addrs) {
                int salen = SockAddr.inet(sa, addr, chosenPort);
                int fam = SockAddr.family(sa);
                try {
                    int fd = listenOn(fam, sa, salen, addr.getHostAddress() + ":" + chosenPort);
                    len.set(JAVA_INT, 0, SockAddr.STORAGE);
                    Native.getsockname(fd, sa, len);
                    chosenPort = SockAddr.port(sa);
                    if (chosenFamily == null) chosenFamily = fam == Native.AF_INET ? "ipv4" : "ipv6";
                    fds[bound++] = fd;
                } catch (ErrnoException e) {
                    last = e; // like dbus-daemon: fail only if no address at all could be bound
                }
            }
        }
        if (bound == 0) throw last;
        BoundAddress ba = BoundAddress.tcp(host, chosenPort, chosenFamily);
        for (int i = 0; i < bound; i++) out.add(new ListeningSocket(fds[i], false, ba, null));
        return out;
    }

    private static int listenOn(int family, MemorySegment sa, int len, String what) throws ErrnoException {
        int fd = Native.socket(family, Native.SOCK_STREAM | Native.SOCK_CLOEXEC | Native.SOCK_NONBLOCK, 0);
        if (fd < 0) throw new ErrnoException("Failed to open socket", fd);
        if (family != Native.AF_UNIX) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment one = a.allocate(JAVA_INT);
                one.set(JAVA_INT, 0, 1);
                Native.setsockopt(fd, Native.SOL_SOCKET, Native.SO_REUSEADDR, one, 4);
                // a v6 socket must not grab the v4 port too, or binding 0.0.0.0 next would fail
                if (family == Native.AF_INET6) Native.setsockopt(fd, Native.IPPROTO_IPV6, Native.IPV6_V6ONLY, one, 4);
            }
        }
        int r = Native.bind(fd, sa, len);
        if (r < 0) {
            Native.close(fd);
            throw new ErrnoException("Failed to bind socket " + what, r);
        }
        r = Native.listen(fd, BACKLOG);
        if (r < 0) {
            Native.close(fd);
            throw new ErrnoException("Failed to listen on socket " + what, r);
        }
        return fd;
    }

    /**
     * Sockets passed by systemd socket activation (sd_listen_fds(3)): LISTEN_PID must be this
     * process, LISTEN_FDS counts fds from 3, LISTEN_FDNAMES (optional) names them. Each is made
     * non-blocking and close-on-exec. Empty if the variables are absent or meant for another process.
     * The caller should remove LISTEN_* from the environment of children it starts.
     */
    public static List<Listener> systemd() throws ErrnoException {
        return systemd(System.getenv(), Native.getpid(), 3);
    }

    static List<Listener> systemd(Map<String, String> env, int pid, int firstFd) throws ErrnoException {
        String lpid = env.get("LISTEN_PID");
        String lfds = env.get("LISTEN_FDS");
        if (lpid == null || lfds == null) return List.of();
        int n;
        try {
            if (Integer.parseInt(lpid.trim()) != pid) return List.of();
            n = Integer.parseInt(lfds.trim());
        } catch (NumberFormatException e) {
            throw new ErrnoException("Bad LISTEN_PID/LISTEN_FDS", Errno.EINVAL);
        }
        String[] names = env.getOrDefault("LISTEN_FDNAMES", "").split(":", -1);
        List<Listener> out = new ArrayList<>();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = a.allocate(SockAddr.STORAGE, 8);
            MemorySegment len = a.allocate(JAVA_INT);
            for (int i = 0; i < n; i++) {
                int fd = firstFd + i;
                len.set(JAVA_INT, 0, SockAddr.STORAGE);
                int r = Native.getsockname(fd, sa, len);
                if (r < 0) throw new ErrnoException("Inherited fd " + fd + " is not a socket", r);
                Native.setCloseOnExec(fd);
                Native.setNonBlocking(fd, true);
                int fam = SockAddr.family(sa);
                BoundAddress ba;
                if (fam == Native.AF_UNIX) {
                    String name = SockAddr.unixName(sa, len.get(JAVA_INT, 0));
                    ba = name.startsWith("\0") ? BoundAddress.unixAbstract(name.substring(1)) : BoundAddress.unixPath(name);
                } else if (fam == Native.AF_INET || fam == Native.AF_INET6) {
                    ba = BoundAddress.tcp(SockAddr.inetAddress(sa).getHostAddress(), SockAddr.port(sa),
                            fam == Native.AF_INET ? "ipv4" : "ipv6");
                } else {
                    throw new ErrnoException("Inherited fd " + fd + " has address family " + fam, Errno.EAFNOSUPPORT);
                }
                if (i < names.length && !names[i].isEmpty()) ba = ba.withFdName(names[i]);
                // systemd owns the socket file: never unlink it on close
                out.add(new ListeningSocket(fd, fam == Native.AF_UNIX, ba, null));
            }
        }
        return out;
    }
}
