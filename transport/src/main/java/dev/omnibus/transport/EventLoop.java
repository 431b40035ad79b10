package dev.omnibus.transport;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * A single-threaded, edge-triggered epoll loop with a user-space ready list, a timer heap and a
 * thread-safe command queue woken by an eventfd.
 *
 * <p>Owns the epoll fd, the wake-up eventfd and a preallocated {@code epoll_event[MAX_EVENTS]}.
 * One thread (the one in {@link #run()}) owns all state; other threads may only call
 * {@link #execute}, {@link #stop} and {@link #onSignal}. Each iteration: fire due timers, run
 * queued commands, {@code epoll_wait} (blocking only when there is nothing ready, no command
 * queued and, with timers, until the next deadline), dispatch fd events, then give every handler
 * on the ready list one {@link #RESUME} call. An idle loop sits in {@code epoll_wait}: 0% CPU.
 *
 * <p>Registrations carry a generation in {@code epoll_data} ({@code gen << 32 | fd}) so an event
 * already fetched for an fd that was unregistered (and maybe reused) in the same batch is dropped.
 * A handler that throws is reported to the error handler and the loop goes on.
 */
public final class EventLoop implements AutoCloseable {
    /** Readable (EPOLLIN). Registering READABLE also asks for EPOLLRDHUP. */
    public static final int READABLE = 1;
    /** Writable (EPOLLOUT). */
    public static final int WRITABLE = 2;
    /** Peer hung up or shut down its side (EPOLLHUP / EPOLLRDHUP); always reported. */
    public static final int HANGUP = 4;
    /** Socket error (EPOLLERR); always reported. */
    public static final int ERROR = 8;
    /** The {@code events} value of a call from the ready list ({@link #markReady}). */
    public static final int RESUME = 0;
    /**
     * Interest flag: level-triggered instead of edge-triggered; the handler is called on every
     * iteration while the condition holds, so it may take one item per call (a listener accepting
     * one connection, without the accept that would only return EAGAIN).
     */
    public static final int LEVEL_TRIGGERED = 16;

    /** epoll_wait batch size; more ready fds are simply fetched next iteration. */
    static final int MAX_EVENTS = 256;

    private final int epfd;
    private final int wakeFd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment events;
    private final MemorySegment one;      // a single epoll_event for epoll_ctl
    private final MemorySegment counter;  // 8 bytes for the eventfd read (loop thread)
    private final MemorySegment wakeValue; // the constant 1 for eventfd writes (any thread)
    private EventHandler[] handlers = new EventHandler[256];
    private int[] generations = new int[256];
    private EventHandler[] ready = new EventHandler[64];
    private int readyCount;
    private EventHandler[] running = new EventHandler[64];
    private final TimerHeap timers = new TimerHeap();
    private long timerSeq;
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private volatile boolean stopped;
    private volatile Thread owner;
    private volatile boolean closed;
    private BiConsumer<Object, Throwable> errorHandler = (where, t) ->
            System.getLogger("dev.omnibus.transport").log(System.Logger.Level.ERROR, "handler " + where + " failed", t);

    /** epoll_create1(EPOLL_CLOEXEC) and an eventfd for wake-ups. */
    public EventLoop() throws ErrnoException {
        epfd = Native.epollCreate1(Native.EPOLL_CLOEXEC);
        if (epfd < 0) throw new ErrnoException("epoll_create1", epfd);
        wakeFd = Native.eventfd(0, Native.EFD_CLOEXEC | Native.EFD_NONBLOCK);
        if (wakeFd < 0) {
            Native.close(epfd);
            throw new ErrnoException("eventfd", wakeFd);
        }
        events = arena.allocate((long) Native.EPOLL_EVENT_SIZE * MAX_EVENTS, 8);
        one = arena.allocate(16, 8);
        counter = arena.allocate(8, 8);
        // Other threads pass wakeValue to write(2) and may still be inside that call when the loop
        // closes its arena; so it lives in an automatic arena the GC frees.
        wakeValue = Arena.ofAuto().allocate(8, 8);
        wakeValue.set(JAVA_LONG, 0, 1L);
        int r = ctl(Native.EPOLL_CTL_ADD, wakeFd, Native.EPOLLIN | Native.EPOLLET, wakeFd);
        if (r < 0) {
            close();
            throw new ErrnoException("epoll_ctl(eventfd)", r);
        }
    }

    private int ctl(int op, int fd, int mask, long data) {
        one.set(JAVA_INT_UNALIGNED, 0, mask);
        one.set(JAVA_LONG_UNALIGNED, Native.EPOLL_DATA_OFFSET, data);
        return Native.epollCtl(epfd, op, fd, one);
    }

    private static int toEpoll(int interest) {
        int m = (interest & LEVEL_TRIGGERED) != 0 ? 0 : Native.EPOLLET;
        if ((interest & READABLE) != 0) m |= Native.EPOLLIN | Native.EPOLLRDHUP;
        if ((interest & WRITABLE) != 0) m |= Native.EPOLLOUT;
        return m;
    }

    private static int fromEpoll(int m) {
        int e = 0;
        if ((m & Native.EPOLLIN) != 0) e |= READABLE;
        if ((m & Native.EPOLLOUT) != 0) e |= WRITABLE;
        if ((m & (Native.EPOLLHUP | Native.EPOLLRDHUP)) != 0) e |= HANGUP;
        if ((m & Native.EPOLLERR) != 0) e |= ERROR;
        return e;
    }

    /**
     * Watches {@code fd} for {@code interest} (READABLE|WRITABLE), edge-triggered unless
     * {@link #LEVEL_TRIGGERED} is in it. Returns 0 or
     * -errno (e.g. -EEXIST if already registered). Loop thread (or before {@link #run()}).
     */
    public int register(int fd, int interest, EventHandler h) {
        if (fd < 0 || h == null) throw new IllegalArgumentException();
        if (fd >= handlers.length) {
            int n = Math.max(fd + 1, handlers.length * 2);
            handlers = Arrays.copyOf(handlers, n);
            generations = Arrays.copyOf(generations, n);
        }
        if (handlers[fd] != null) return -Errno.EEXIST; // keep the live registration's generation
        int gen = generations[fd] + 1;
        int r = ctl(Native.EPOLL_CTL_ADD, fd, toEpoll(interest), ((long) gen << 32) | fd);
        if (r == 0) {
            generations[fd] = gen;
            handlers[fd] = h;
        }
        return r;
    }

    /** Changes the interest set and/or handler of a registered fd; 0 or -errno. Loop thread. */
    public int modify(int fd, int interest, EventHandler h) {
        if (fd < 0 || fd >= handlers.length || handlers[fd] == null) return -Errno.ENOENT;
        int r = ctl(Native.EPOLL_CTL_MOD, fd, toEpoll(interest), ((long) generations[fd] << 32) | fd);
        if (r == 0) handlers[fd] = h;
        return r;
    }

    /**
     * Stops watching {@code fd}; events already fetched for it are dropped. Call before closing the
     * fd. Returns 0 or -errno. Loop thread.
     */
    public int unregister(int fd) {
        if (fd < 0 || fd >= handlers.length || handlers[fd] == null) return -Errno.ENOENT;
        handlers[fd] = null;
        generations[fd]++;
        return Native.epollCtl(epfd, Native.EPOLL_CTL_DEL, fd, one);
    }

    /**
     * As {@link #unregister}, for an fd the caller closes right away and never duplicated: no
     * EPOLL_CTL_DEL, since closing the last reference to the file removes it from the epoll set. Should
     * a copy live on somewhere (a child between fork and exec), events reported for it until then
     * carry the old generation and are dropped. Loop thread.
     */
    public void unregisterBeforeClose(int fd) {
        if (fd < 0 || fd >= handlers.length || handlers[fd] == null) return;
        handlers[fd] = null;
        generations[fd]++;
    }

    /**
     * Puts {@code h} on the ready list: it gets {@code onReady(RESUME)} in the next iteration and
     * the loop does not block meanwhile. For read budgets: a handler that stops before EAGAIN marks
     * itself ready. Call at most once per handler per iteration. Loop thread.
     */
    public void markReady(EventHandler h) {
        if (readyCount == ready.length) ready = Arrays.copyOf(ready, readyCount * 2);
        ready[readyCount++] = h;
    }

    /** Runs {@code r} on the loop thread soon. Any thread; wakes a blocked loop through the eventfd. */
    public void execute(Runnable r) {
        commands.add(r);
        if (Thread.currentThread() != owner && wakePending.compareAndSet(false, true)) wake();
    }

    private void wake() {
        // wakeValue holds the constant 1 and is only read, so any thread may pass it to write(2).
        if (!closed) Native.write(wakeFd, wakeValue, 8);
    }

    /**
     * Runs {@code r} on the loop thread after {@code delayNanos}; timers with equal deadlines fire in
     * scheduling order. Loop thread (or before {@link #run()}).
     */
    public Timer schedule(long delayNanos, Runnable r) {
        Timer t = new Timer(this, nanoTime() + Math.max(0, delayNanos), timerSeq++, r);
        timers.add(t);
        return t;
    }

    boolean cancel(Timer t) { return timers.remove(t); }

    /** The loop's clock (System.nanoTime). */
    public long nanoTime() { return System.nanoTime(); }

    /** True when called from the thread running {@link #run()}. */
    public boolean inLoopThread() { return Thread.currentThread() == owner; }

    /** Replaces the callback for exceptions thrown by handlers, timers and commands. Loop thread. */
    public void setErrorHandler(BiConsumer<Object, Throwable> handler) { this.errorHandler = handler; }

    /**
     * Delivers the named signal ("TERM", "INT", "HUP", ...) to the loop: {@code action} runs on the
     * loop thread via {@link #execute}. Uses sun.misc.Signal (the JVM owns signal masks, so signalfd
     * is not reliable). Any thread.
     */
    public void onSignal(String name, Runnable action) {
        SignalBridge.install(this, name, action);
    }

    /** Runs the loop on the calling thread until {@link #stop()}. */
    public void run() {
        owner = Thread.currentThread();
        try {
            while (!stopped) iterate();
        } finally {
            owner = null;
        }
    }

    private void iterate() {
        long now = System.nanoTime();
        Timer t;
        while ((t = timers.peek()) != null && t.deadline - now <= 0) {
            timers.poll();
            try {
                t.action.run();
            } catch (RuntimeException e) {
                errorHandler.accept(t, e);
            }
            if (stopped) return;
        }
        runCommands();
        if (stopped) return;
        int timeout;
        if (readyCount > 0 || !commands.isEmpty()) {
            timeout = 0;
        } else if ((t = timers.peek()) != null) {
            long d = t.deadline - System.nanoTime();
            timeout = d <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, (d + 999_999) / 1_000_000);
        } else {
            timeout = -1;
        }
        int n = Native.epollWait(epfd, events, MAX_EVENTS, timeout);
        for (int i = 0; i < n; i++) {
            long base = (long) i * Native.EPOLL_EVENT_SIZE;
            int mask = events.get(JAVA_INT_UNALIGNED, base);
            long data = events.get(JAVA_LONG_UNALIGNED, base + Native.EPOLL_DATA_OFFSET);
            int fd = (int) data;
            if (data == wakeFd) { // generation 0: only the eventfd; user fds start at generation 1
                Native.read(wakeFd, counter, 8);
                wakePending.set(false);
                continue;
            }
            EventHandler h = fd < handlers.length ? handlers[fd] : null;
            if (h == null || generations[fd] != (int) (data >>> 32)) continue; // unregistered meanwhile
            try {
                h.onReady(fromEpoll(mask));
            } catch (RuntimeException e) {
                errorHandler.accept(h, e);
            }
        }
        if (readyCount > 0) {
            EventHandler[] batch = ready;
            int count = readyCount;
            ready = running.length >= batch.length ? running : new EventHandler[batch.length];
            running = batch;
            readyCount = 0;
            for (int i = 0; i < count; i++) {
                EventHandler h = batch[i];
                batch[i] = null;
                try {
                    h.onReady(RESUME);
                } catch (RuntimeException e) {
                    errorHandler.accept(h, e);
                }
            }
        }
    }

    private void runCommands() {
        Runnable r;
        while ((r = commands.poll()) != null) {
            try {
                r.run();
            } catch (RuntimeException e) {
                errorHandler.accept(r, e);
            }
        }
    }

    /** Makes {@link #run()} return after the current iteration. Any thread. */
    public void stop() {
        stopped = true;
        if (Thread.currentThread() != owner) {
            wakePending.set(true);
            wake();
        }
    }

    public boolean isStopped() { return stopped; }

    /** Closes the epoll fd and the eventfd (not the registered fds, which their owners close). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Native.close(wakeFd);
        Native.close(epfd);
        arena.close();
    }
}
