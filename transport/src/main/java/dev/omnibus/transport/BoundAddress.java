package dev.omnibus.transport;

/**
 * Where a {@link Listener} listens, in the terms the daemon prints an address in:
 * {@code unix:path=}{@link #path}, {@code unix:abstract=}{@link #abstractName}, or
 * {@code tcp:host=}{@link #host}{@code ,port=}{@link #port}{@code ,family=}{@link #family}.
 * Unused fields are null (or 0 for the port). {@link #fdName} is the LISTEN_FDNAMES entry of a
 * socket inherited from systemd, else null. Immutable.
 */
public record BoundAddress(Kind kind, String path, String abstractName, String host, int port, String family,
                           String fdName) {
    public enum Kind { UNIX_PATH, UNIX_ABSTRACT, TCP }

    public static BoundAddress unixPath(String path) {
        return new BoundAddress(Kind.UNIX_PATH, path, null, null, 0, null, null);
    }

    public static BoundAddress unixAbstract(String name) {
        return new BoundAddress(Kind.UNIX_ABSTRACT, null, name, null, 0, null, null);
    }

    public static BoundAddress tcp(String host, int port, String family) {
        return new BoundAddress(Kind.TCP, null, null, host, port, family, null);
    }

    BoundAddress withFdName(String name) {
        return new BoundAddress(kind, path, abstractName, host, port, family, name);
    }
}
