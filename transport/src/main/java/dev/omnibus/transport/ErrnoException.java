package dev.omnibus.transport;

import java.io.IOException;

/**
 * A failed cold-path system call (socket setup: bind, listen, connect, epoll_create1): carries the
 * errno so the daemon can word its message like dbus-daemon ("Failed to bind socket ...: Address
 * already in use"). Hot-path calls return {@code -errno} instead and never throw this.
 */
public final class ErrnoException extends IOException {
    private final int errno;

    public ErrnoException(String what, int errno) {
        super(what + ": " + Errno.name(errno));
        this.errno = Math.abs(errno);
    }

    /** The positive errno value. */
    public int errno() { return errno; }
}
