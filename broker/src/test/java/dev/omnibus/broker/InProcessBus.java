package dev.omnibus.broker;

import dev.omnibus.transport.EventLoop;
import dev.omnibus.transport.ErrnoException;
import dev.omnibus.transport.Listeners;
import dev.omnibus.transport.Posix;
import dev.omnibus.wire.Guid;
import dev.omnibus.wire.SaslServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A real {@link Bus} on a real {@link EventLoop} thread, listening on a unix socket in a fresh
 * temporary directory: what the broker tests connect {@link TestClient}s to.
 *
 * <p>All bus calls go through the loop ({@link #onLoop}). Anything a handler, timer or command throws
 * on the loop thread is recorded, and {@link #close()} fails the test if there was any: nothing a
 * client sends may make the bus thread throw. The test thread owns this object.
 */
final class InProcessBus implements AutoCloseable {
    final Path dir;
    final Path socket;
    final EventLoop loop;
    final Bus bus;
    private final Thread thread;
    private final List<Throwable> loopErrors = new CopyOnWriteArrayList<>();

    private InProcessBus(BusLimits limits, Policy policy) {
        try {
            dir = Files.createTempDirectory("omnibus-broker-test");
            socket = dir.resolve("bus");
            loop = new EventLoop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        loop.setErrorHandler((where, t) -> loopErrors.add(t));
        long euid = Posix.geteuid();
        bus = new Bus(loop, new BusSettings("session", Guid.random().hex(), limits,
                EnumSet.of(SaslServer.Mechanism.EXTERNAL), false, euid, policy == null ? Policy.sessionDefault(euid) : policy,
                Activator.NONE, false));
        try {
            bus.listen(Listeners.unixPath(socket));
        } catch (ErrnoException e) {
            loop.close();
            throw new AssertionError(e);
        }
        thread = Thread.ofPlatform().name("test-bus").daemon().start(loop::run);
    }

    /** A session bus (Debian's session.conf limits). */
    static InProcessBus start() { return new InProcessBus(BusLimits.session(), null); }

    static InProcessBus start(BusLimits limits) { return new InProcessBus(limits, null); }

    /** A bus with session limits and {@code policy} instead of session.conf's. */
    static InProcessBus start(Policy policy) { return new InProcessBus(BusLimits.session(), policy); }

    TestClient client() { return TestClient.registered(socket); }

    TestClient clientWithFds() { return TestClient.registered(socket, true); }

    /** Runs {@code f} on the bus thread and returns its result (bus state is only readable there). */
    <T> T onLoop(Function<Bus, T> f) {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(f.apply(bus));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("bus thread did not answer", e);
        }
    }

    /** Authenticated connections the bus counts now. */
    int connections() { return onLoop(Bus::connectionCount); }

    /** Connections still in SASL. */
    int incomplete() { return onLoop(Bus::incompleteCount); }

    /** Bytes the bus holds in the outbound queue of the peer with this unique name (":1.<id>"). */
    long queuedBytes(String uniqueName) {
        int id = Integer.parseInt(uniqueName.substring(uniqueName.lastIndexOf('.') + 1));
        return onLoop(b -> b.peer(id).connection.out.pendingBytes());
    }

    /** Capacities of the input and output buffers the bus holds for the peer with this unique name. */
    long[] bufferCapacities(String uniqueName) {
        int id = Integer.parseInt(uniqueName.substring(uniqueName.lastIndexOf('.') + 1));
        return onLoop(b -> {
            Connection c = b.peer(id).connection;
            return new long[] {c.inputCapacity(), c.out.capacity()};
        });
    }

    /** Messages the bus forwarded with a spliced body so far. */
    long splicedBodies() { return onLoop(b -> b.splicedBodies); }

    /** Pipes the bus has open for splicing (in use or spare). */
    int pipesOpen() { return onLoop(b -> b.pipes.open()); }

    /** Open fds of this process (bus and clients both live here). */
    static int openFds() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until the process has at most {@code expected} open fds (the bus closes what a peer
     * left behind on its own thread); returns the last count seen.
     */
    static int awaitOpenFdsAtMost(int expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int n;
        while ((n = openFds()) > expected && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return n;
    }

    /** Exceptions the loop thread caught so far. */
    List<Throwable> loopErrors() { return loopErrors; }

    @Override
    public void close() {
        loop.execute(() -> {
            bus.close();
            loop.stop();
        });
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!thread.isAlive()) loop.close();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) Files.deleteIfExists(p);
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a leftover temp dir is harmless
        }
        if (!loopErrors.isEmpty()) {
            AssertionError e = new AssertionError("the bus thread threw " + loopErrors.size() + " time(s)", loopErrors.get(0));
            throw e;
        }
    }
}
