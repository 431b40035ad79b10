package dev.omnibus.transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The one {@link Listener} implementation: a listening fd plus, for filesystem sockets, the path and
 * inode it created, so {@link #close()} unlinks the file only if it is still ours (another daemon
 * may have replaced it). Closed exactly once. Loop thread.
 */
final class ListeningSocket implements Listener {
    private final int fd;
    private final boolean unix;
    private final BoundAddress address;
    private final Path ownedFile;
    private final Object ownedInode;
    private int lastError;
    private boolean closed;

    ListeningSocket(int fd, boolean unix, BoundAddress address, Path ownedFile) {
        this.fd = fd;
        this.unix = unix;
        this.address = address;
        this.ownedFile = ownedFile;
        this.ownedInode = ownedFile == null ? null : inode(ownedFile);
    }

    private static Object inode(Path p) {
        try {
            return Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    @Override
    public int fd() { return fd; }

    @Override
    public StreamSocket accept() {
        if (closed) {
            lastError = -Errno.EBADF;
            return null;
        }
        while (true) {
            int c = Native.accept4(fd, java.lang.foreign.MemorySegment.NULL, java.lang.foreign.MemorySegment.NULL,
                    Native.SOCK_CLOEXEC | Native.SOCK_NONBLOCK);
            if (c >= 0) {
                lastError = 0;
                return new StreamSocket(c, unix);
            }
            // accept(2): a connection that died in the queue, or a signal, is not a listener failure.
            if (c == -Errno.EINTR || c == -Errno.ECONNABORTED) continue;
            lastError = c == -Errno.EAGAIN ? 0 : c;
            return null;
        }
    }

    @Override
    public int lastAcceptError() { return lastError; }

    @Override
    public BoundAddress address() { return address; }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Native.close(fd);
        if (ownedFile != null) {
            Object now = inode(ownedFile);
            if (now != null && now.equals(ownedInode)) Posix.unlink(ownedFile.toString());
        }
    }

    @Override
    public String toString() { return "Listener[fd=" + fd + "," + address + "]"; }
}
