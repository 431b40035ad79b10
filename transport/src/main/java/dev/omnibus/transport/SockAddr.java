package dev.omnibus.transport;

import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * Encodes and decodes {@code struct sockaddr_un / sockaddr_in / sockaddr_in6} in a caller-supplied
 * segment of at least {@link #STORAGE} bytes. Cold path only (listen, connect, getsockname).
 *
 * <pre>
 *  sockaddr_un : | family u16 | sun_path[108] |            (path NUL-terminated; abstract: '\0' + name, no NUL)
 *  sockaddr_in : | family u16 | port u16 BE | addr[4] | zero[8] |
 *  sockaddr_in6: | family u16 | port u16 BE | flowinfo u32 | addr[16] | scope_id u32 |
 * </pre>
 */
final class SockAddr {
    private SockAddr() {}

    /** sizeof(struct sockaddr_storage). */
    static final int STORAGE = 128;

    /** Writes a filesystem sockaddr_un; returns its length, or -ENAMETOOLONG. */
    static int unixPath(MemorySegment sa, String path) { return unix(sa, path, false); }

    /** Writes an abstract sockaddr_un (leading NUL, exact length, as libdbus does); or -ENAMETOOLONG. */
    static int unixAbstract(MemorySegment sa, String name) { return unix(sa, name, true); }

    private static int unix(MemorySegment sa, String name, boolean abstractName) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (b.length + 1 > Native.SUN_PATH_MAX) return -Errno.ENAMETOOLONG;
        sa.fill((byte) 0);
        sa.set(JAVA_SHORT, 0, (short) Native.AF_UNIX);
        // path: bytes at sun_path[0] plus a NUL; abstract: NUL at sun_path[0], bytes, no NUL
        int at = abstractName ? 3 : 2;
        MemorySegment.copy(b, 0, sa, JAVA_BYTE, at, b.length);
        return abstractName ? at + b.length : at + b.length + 1;
    }

    /** Writes a sockaddr_in or sockaddr_in6 for {@code addr:port}; returns its length. */
    static int inet(MemorySegment sa, InetAddress addr, int port) {
        sa.fill((byte) 0);
        byte[] a = addr.getAddress();
        short bePort = (short) port;
        if (addr instanceof Inet4Address) {
            sa.set(JAVA_SHORT, 0, (short) Native.AF_INET);
            sa.set(JAVA_SHORT, 2, Short.reverseBytes(bePort));
            MemorySegment.copy(a, 0, sa, JAVA_BYTE, 4, 4);
            return 16;
        }
        sa.set(JAVA_SHORT, 0, (short) Native.AF_INET6);
        sa.set(JAVA_SHORT, 2, Short.reverseBytes(bePort));
        MemorySegment.copy(a, 0, sa, JAVA_BYTE, 8, 16);
        if (addr instanceof Inet6Address v6 && v6.getScopeId() != 0) {
            sa.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 24, v6.getScopeId());
        }
        return 28;
    }

    static int family(MemorySegment sa) { return sa.get(JAVA_SHORT, 0) & 0xffff; }

    /** Port of a sockaddr_in/in6 in host order. */
    static int port(MemorySegment sa) { return Short.reverseBytes(sa.get(JAVA_SHORT_UNALIGNED, 2)) & 0xffff; }

    /** The IP address of a sockaddr_in/in6. */
    static InetAddress inetAddress(MemorySegment sa) {
        try {
            if (family(sa) == Native.AF_INET) return InetAddress.getByAddress(sa.asSlice(4, 4).toArray(JAVA_BYTE));
            return InetAddress.getByAddress(sa.asSlice(8, 16).toArray(JAVA_BYTE));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen for 4/16 byte arrays
        }
    }

    /** Decodes the sun_path of a sockaddr_un of length {@code len}: the path, or "\0name" if abstract. */
    static String unixName(MemorySegment sa, int len) {
        if (len <= 2) return "";
        byte[] b = sa.asSlice(2, len - 2).toArray(JAVA_BYTE);
        if (b[0] == 0) return "\0" + new String(b, 1, b.length - 1, StandardCharsets.UTF_8);
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }
}
