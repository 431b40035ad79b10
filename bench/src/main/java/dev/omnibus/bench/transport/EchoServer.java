package dev.omnibus.bench.transport;

import dev.omnibus.transport.Errno;
import dev.omnibus.transport.EventHandler;
import dev.omnibus.transport.EventLoop;
import dev.omnibus.transport.FdList;
import dev.omnibus.transport.Listener;
import dev.omnibus.transport.Listeners;
import dev.omnibus.transport.StreamSocket;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Raw echo server on the transport's {@link EventLoop}: the Java side of
 * {@code bench/scripts/transport-echo.sh}. One loop thread serves every connection, edge-triggered,
 * with a read budget per wake-up (then {@link EventLoop#markReady}) and back-pressure: while an
 * echo is only partly written it stops reading and waits for WRITABLE. Allocates nothing per read.
 *
 * <p>Usage: {@code EchoServer PATH} (unix socket path); SIGTERM/SIGINT stop it.
 */
public final class EchoServer {
    /** Bytes per read: the same 64 KiB as the C baseline server. */
    static final int BUFFER = 64 * 1024;
    /** Reads per wake-up before yielding to other connections. */
    static final int READ_BUDGET = 16;

    private EchoServer() {}

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[0]);
        try (EventLoop loop = new EventLoop(); Listener listener = Listeners.unixPath(path)) {
            loop.onSignal("TERM", loop::stop);
            loop.onSignal("INT", loop::stop);
            loop.register(listener.fd(), EventLoop.READABLE, ev -> {
                StreamSocket s;
                while ((s = listener.accept()) != null) new Echo(loop, s);
            });
            System.out.println("ready " + path);
            System.out.flush();
            loop.run();
        }
    }

    /** One echoed connection; loop thread only. */
    static final class Echo implements EventHandler {
        private final EventLoop loop;
        private final StreamSocket socket;
        private final Arena arena = Arena.ofShared();
        private final MemorySegment buf = arena.allocate(BUFFER, 64);
        private final FdList fds = new FdList();
        private long pendingOff;
        private long pendingEnd;

        Echo(EventLoop loop, StreamSocket socket) {
            this.loop = loop;
            this.socket = socket;
            loop.register(socket.fd(), EventLoop.READABLE | EventLoop.WRITABLE, this);
        }

        @Override
        public void onReady(int events) {
            if (pendingEnd > pendingOff && !flush()) return;
            for (int i = 0; i < READ_BUDGET; i++) {
                long n = socket.read(buf, 0, BUFFER, fds);
                if (n > 0) {
                    fds.closeAll();
                    pendingOff = 0;
                    pendingEnd = n;
                    if (!flush()) return;
                    // A short read drained the socket: any later arrival raises a new edge (every
                    // sk_data_ready wakes epoll), so skip the recvmsg that would only say EAGAIN.
                    if (n < BUFFER) return;
                } else if (n == -Errno.EAGAIN) {
                    return;
                } else {
                    close();
                    return;
                }
            }
            loop.markReady(this);
        }

        /** Writes the pending echo; false if it is not all out (wait for WRITABLE) or the peer is gone. */
        private boolean flush() {
            while (pendingOff < pendingEnd) {
                long w = socket.write(buf, pendingOff, pendingEnd - pendingOff);
                if (w > 0) {
                    pendingOff += w;
                } else {
                    if (w != -Errno.EAGAIN) close();
                    return false;
                }
            }
            return true;
        }

        private void close() {
            if (socket.isClosed()) return;
            loop.unregister(socket.fd());
            socket.close();
            fds.closeAll();
            arena.close();
        }
    }
}
