package dev.omnibus.transport;

/**
 * A listening socket the daemon accepts connections on. Register {@link #fd()} with an
 * {@link EventLoop} for READABLE and call {@link #accept()} until it returns null (edge-triggered).
 * Closing it closes the fd and removes its socket file, if it made one. Loop thread.
 */
public interface Listener extends AutoCloseable {
    int fd();

    /**
     * accept4(SOCK_CLOEXEC|SOCK_NONBLOCK): the next connection, or null when there is none left or
     * accepting failed; then {@link #lastAcceptError()} says which (0 when simply drained).
     */
    StreamSocket accept();

    /**
     * 0 if the last {@link #accept()} returned a socket or found the queue drained, else its -errno
     * (e.g. -EMFILE: connections are still pending, retry after a delay since no new edge comes).
     */
    int lastAcceptError();

    /** What the daemon needs to print this listener's address. */
    BoundAddress address();

    @Override
    void close();
}
