package dev.omnibus.broker;

import dev.omnibus.transport.Errno;
import dev.omnibus.transport.EventHandler;
import dev.omnibus.transport.EventLoop;
import dev.omnibus.transport.IoVecs;
import dev.omnibus.transport.Listener;
import dev.omnibus.transport.PeerCredentials;
import dev.omnibus.transport.SplicePipe;
import dev.omnibus.transport.StreamSocket;
import dev.omnibus.transport.Timer;
import dev.omnibus.wire.MessageView;
import dev.omnibus.wire.SaslServer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One message bus: its listeners, its connections and the state they share (names, match rules,
 * pending replies, monitors). Accepts connections, runs their authentication, hands validated
 * messages to the {@link Router}, and tears peers down.
 *
 * <p>Everything here belongs to the single bus thread that runs {@link #loop}; other threads reach
 * the bus only through {@link EventLoop#execute}.
 */
public final class Bus {

    final EventLoop loop;
    private BusSettings settings;
    /** Reused for every received message: dispatch is synchronous. */
    final MessageView view = new MessageView();
    /** Reused for every flush. */
    final IoVecs iov = new IoVecs(4);

    /** Every authenticated peer, in connection order (for listings; cold). */
    final Map<Integer, Peer> peersById = new java.util.LinkedHashMap<>();
    /** The same peers by id, for lookups on the hot path without boxing. */
    private final dev.omnibus.broker.util.IntObjectMap<Peer> peerIndex = new dev.omnibus.broker.util.IntObjectMap<>();
    private final List<Connection> deferredDisconnects = new ArrayList<>();
    /** Every open connection, authenticated or not (so that close() reaches those still in SASL). */
    private final java.util.Set<Connection> connections = new java.util.HashSet<>();
    final List<Peer> monitors = new ArrayList<>();
    final NameRegistry names;
    final MatchRegistry matches = new MatchRegistry();
    final ReplyRegistry replies;
    final Router router;
    final Driver driver;
    final Activation activation;
    final ReplyTimer replyTimer;
    final PolicyCheck policyCheck = new PolicyCheck(this);

    private final List<Connection> flushList = new ArrayList<>();
    /** Shared by all connections for reading (see {@link Connection#SCRATCH_CAPACITY}); bus thread only. */
    final NativeBuffer readScratch = new NativeBuffer(Connection.SCRATCH_CAPACITY);
    /** Spare blocks for connection buffers. */
    final BlockPool blocks = new BlockPool();
    /** Pipes for spliced message bodies (see {@link Connection}). */
    final PipePool pipes = new PipePool();
    /**
     * While a message whose body was spliced is being routed: the pipe holding the body. The one
     * {@link Router#forward} of such a message takes it (and clears this field).
     */
    SplicePipe pipedBody;
    /** Where a stitched header is built before it goes into a splice pipe (see {@link Connection}). */
    final NativeBuffer spliceStage = new NativeBuffer(4096);
    /** Messages forwarded with their body spliced (not copied) since the bus started. */
    long splicedBodies;
    private final List<Listener> listeners = new ArrayList<>();
    private final EventHandler flusher = ignored -> flushAll();
    private int nextPeerId = 1;
    private int incompleteConnections;
    private int completedConnections;
    private final Map<Long, Integer> connectionsPerUser = new HashMap<>();

    public Bus(EventLoop loop, BusSettings settings) {
        this.loop = loop;
        this.settings = settings;
        this.router = new Router(this);
        this.driver = new Driver(this);
        this.names = new NameRegistry(driver.nameEvents());
        this.replies = new ReplyRegistry();
        this.activation = new Activation(this);
        this.replyTimer = new ReplyTimer(this);
    }

    public BusSettings settings() { return settings; }

    BusLimits limits() { return settings.limits(); }

    /** Replaces configuration on reload: existing connections stay. */
    public void reconfigure(BusSettings next) {
        this.settings = next;
        for (Peer p : peersById.values()) {
            int[] groups = p.credentials == null ? new int[0] : p.credentials.groups();
            p.policy = next.policy().forPeer(p.uid(), groups);
        }
    }


    /**
     * Starts accepting on {@code listener}; the bus closes it on {@link #close()}. Level-triggered,
     * one connection per loop iteration: no accept that only returns EAGAIN after each connection,
     * and a burst of connections interleaves with the traffic of those already there.
     */
    public void listen(Listener listener) {
        listeners.add(listener);
        loop.register(listener.fd(), EventLoop.READABLE | EventLoop.LEVEL_TRIGGERED, new ListenerWatch(listener));
    }

    /** A listener that failed to accept (out of fds or memory) is not watched for this long. */
    static final long ACCEPT_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /**
     * One listener's registration. When accept fails for lack of resources (EMFILE, ENFILE,
     * ENOBUFS, ENOMEM) the connection stays in the kernel's backlog and the listener stays
     * readable, so the watch pauses for {@link #ACCEPT_BACKOFF_NANOS} instead of spinning, logging
     * once per episode. Everything that path uses is loaded when the watch is made: out of fds, the
     * JVM could not open the jar to load a class.
     */
    private final class ListenerWatch implements EventHandler {
        private final Listener listener;
        private final EventHandler paused = events -> { };
        private final Runnable resume = this::resume;
        private boolean failing;

        ListenerWatch(Listener listener) {
            this.listener = listener;
            Errno.name(Errno.EMFILE); // loads Errno now (see above)
        }

        @Override
        public void onReady(int events) {
            StreamSocket s = listener.accept();
            if (s != null) {
                failing = false;
                admit(s);
                return;
            }
            int err = listener.lastAcceptError();
            if (err == 0 || !listeners.contains(listener)) return;
            if (!failing) {
                failing = true;
                Log.warning("Failed to accept a connection: " + Errno.name(-err) + "; pausing the listener for "
                        + TimeUnit.NANOSECONDS.toMillis(ACCEPT_BACKOFF_NANOS) + " ms at a time until it works again");
            }
            loop.modify(listener.fd(), EventLoop.LEVEL_TRIGGERED, paused);
            loop.schedule(ACCEPT_BACKOFF_NANOS, resume);
        }

        private void resume() {
            if (listeners.contains(listener)) {
                loop.modify(listener.fd(), EventLoop.READABLE | EventLoop.LEVEL_TRIGGERED, this);
            }
        }
    }

    private void admit(StreamSocket s) {
        if (incompleteConnections >= limits().count(Limit.MAX_INCOMPLETE_CONNECTIONS)
                || completedConnections + incompleteConnections
                        >= limits().count(Limit.MAX_COMPLETED_CONNECTIONS) + limits().count(Limit.MAX_INCOMPLETE_CONNECTIONS)) {
            Log.warning("refusing connection: too many connections");
            s.close();
            return;
        }
        accepted(s);
    }

    private void accepted(StreamSocket s) {
        PeerCredentials creds = s.isUnix() ? s.peerCredentials() : null;
        long uid = creds == null ? -1 : creds.uid();
        Set<SaslServer.Mechanism> mechs = EnumSet.copyOf(settings.mechanisms());
        if (!settings.allowAnonymous()) mechs.remove(SaslServer.Mechanism.ANONYMOUS);
        if (uid < 0) mechs.remove(SaslServer.Mechanism.EXTERNAL);
        if (mechs.isEmpty()) mechs.add(SaslServer.Mechanism.EXTERNAL);
        SaslServer sasl = new SaslServer(settings.guidHex(), mechs, uid, s.isUnix(), cookieSource());
        Connection c = new Connection(this, s, sasl);
        connections.add(c);
        c.peer = new Peer(nextPeerId++, c, creds);
        incompleteConnections++;
        c.authTimer = loop.schedule(TimeUnit.MILLISECONDS.toNanos(limits().get(Limit.AUTH_TIMEOUT)), () -> {
            if (!c.authenticated && !c.closed) disconnect(c, "authentication timed out");
        });
        // No read now: adding an fd that already has bytes queued to epoll reports it ready at once
        // (edge-triggered too), so a read here would only return EAGAIN for a client that has not
        // written yet (one syscall per connection).
        loop.register(s.fd(), EventLoop.READABLE, c);
    }

    private dev.omnibus.wire.SaslCookieSource cookieSource;

    private dev.omnibus.wire.SaslCookieSource cookieSource() {
        if (cookieSource == null) cookieSource = new dev.omnibus.broker.auth.CookieKeyring();
        return cookieSource;
    }

    /** SASL finished: apply the connection policy. False if the connection was refused. */
    boolean authenticated(Connection c, SaslServer sasl) {
        Peer p = c.peer;
        p.authenticatedUid = sasl.authenticatedUid();
        c.authenticated = true;
        if (c.authTimer != null) {
            c.authTimer.cancel();
            c.authTimer = null;
        }
        incompleteConnections--;
        long uid = p.uid();
        int[] groups = p.credentials == null ? new int[0] : p.credentials.groups();
        boolean anonymous = sasl.mechanism() == SaslServer.Mechanism.ANONYMOUS;
        if (!anonymous && !settings.policy().allowUser(uid, groups)) {
            Log.warning("rejected connection from uid " + uid + ": not allowed by policy");
            disconnectQuietly(c);
            return false;
        }
        p.policy = settings.policy().forPeer(uid, groups);
        connectionsPerUser.merge(uid, 1, Integer::sum);
        completedConnections++;
        peersById.put(p.id, p);
        peerIndex.put(p.id, p);
        return true;
    }

    void authFailed(Connection c, String reason) {
        // Send what SASL last said (REJECTED/ERROR), then drop the connection.
        Log.debug(() -> "authentication failed: " + reason);
        c.closeWhenFlushed = true;
        c.flush();
    }

    /** A peer broke the protocol: one log line, drop it, the bus goes on. */
    void protocolViolation(Connection c, String what) {
        Log.warning("disconnecting " + c.peer + ": " + what);
        disconnect(c, null);
    }

    /** Drops a connection and everything it owned. {@code reason} is logged when not null. */
    void disconnect(Connection c, String reason) {
        if (c.closed) return;
        if (reason != null) Log.info("disconnecting " + c.peer + ": " + reason);
        Peer p = c.peer;
        boolean wasAuthenticated = c.authenticated;
        c.close();
        connections.remove(c);
        if (!wasAuthenticated) {
            incompleteConnections--;
            return;
        }
        completedConnections--;
        connectionsPerUser.computeIfPresent(p.uid(), (k, v) -> v <= 1 ? null : v - 1);
        if (p.monitor) monitors.remove(p);
        matches.removeAll(p.id);
        activation.peerGone(p);
        replies.removePeer(p.id, (caller, serial) -> {
            Peer waiting = peersById.get(caller);
            if (waiting != null) {
                driver.sendError(waiting, serial, DBusErrors.NO_REPLY, ReplyRegistry.DISCONNECTED_MESSAGE);
            }
        });
        if (p.registered()) {
            // Still known here, so the name events can name it as the old owner.
            names.removePeer(p.id);
            forget(p);
            if (!p.monitor) driver.uniqueNameGone(p);
        } else {
            forget(p);
        }
    }

    private void disconnectQuietly(Connection c) {
        c.authenticated = false;
        incompleteConnections++;
        disconnect(c, null);
    }

    /**
     * The error Hello gets when this connection is one too many (dbus-daemon answers Hello with
     * LimitsExceeded and then drops the connection), or null.
     */
    String connectionLimitExceeded(Peer p) {
        long uid = p.uid();
        if (connectionsPerUser.getOrDefault(uid, 0) > limits().count(Limit.MAX_CONNECTIONS_PER_USER)) {
            return "The maximum number of active connections for UID " + uid + " has been reached";
        }
        if (completedConnections > limits().count(Limit.MAX_COMPLETED_CONNECTIONS)) {
            return "The maximum number of active connections has been reached";
        }
        return null;
    }

    private void forget(Peer p) {
        peersById.remove(p.id);
        peerIndex.remove(p.id);
    }

    /** Disconnects {@code c} once the current fan-out is over (see {@link #runDeferredDisconnects}). */
    void disconnectLater(Connection c) {
        if (!deferredDisconnects.contains(c)) deferredDisconnects.add(c);
    }

    void runDeferredDisconnects() {
        for (int i = 0; i < deferredDisconnects.size(); i++) disconnect(deferredDisconnects.get(i), null);
        deferredDisconnects.clear();
    }

    /** Hello succeeded: the peer has its unique name (":1." + id, see {@link Peer#register}). */
    void registered(Peer p) {
        p.register();
    }

    /** The registered peer with this unique name, or null. Cold path (driver calls). */
    Peer peerByUniqueName(String name) {
        if (!name.startsWith(":1.")) return null;
        try {
            Peer p = peer(Integer.parseInt(name, 3, name.length(), 10));
            return p != null && p.registered() && p.uniqueName.equals(name) ? p : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * The registered peer whose unique name is at {@code seg[off, off+len)}: unique names are
     * {@code :1.<id>}, so the id is parsed from the bytes. No allocation.
     */
    Peer peerByUniqueName(java.lang.foreign.MemorySegment seg, long off, int len) {
        if (len < 4 || len > 13 || seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, off + 1) != '1'
                || seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, off + 2) != '.') {
            return null;
        }
        long id = 0;
        for (int i = 3; i < len; i++) {
            int d = seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, off + i) - '0';
            if (d < 0 || d > 9 || (i == 3 && d == 0 && len > 4)) return null;
            id = id * 10 + d;
        }
        if (id > Integer.MAX_VALUE) return null;
        Peer p = peer((int) id);
        return p != null && p.registered() ? p : null;
    }

    Peer peer(int id) { return peerIndex.get(id); }

    /** Remembers that {@code c} has output to write after the current batch of input. */
    void scheduleFlush(Connection c) {
        if (c.flushPending || c.closed) return;
        c.flushPending = true;
        if (flushList.isEmpty()) loop.markReady(flusher);
        flushList.add(c);
    }

    /**
     * Connections holding a buffer larger than {@link NativeBuffer#IDLE_KEEP}. Their buffers are
     * shrunk by a sweep {@link #BUFFER_SWEEP_NANOS} later, once empty, not each time they drain: a
     * peer streaming large messages empties its queue on every flush, and giving the block back
     * then made the next message map fresh pages again (mremap + a page fault per 4 KiB).
     */
    private final List<Connection> largeBuffers = new ArrayList<>();
    private Timer bufferSweep;
    static final long BUFFER_SWEEP_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** Called when one of {@code c}'s buffers has grown past {@link NativeBuffer#IDLE_KEEP}. */
    void watchBuffers(Connection c) {
        if (c.buffersWatched) return;
        c.buffersWatched = true;
        largeBuffers.add(c);
        if (bufferSweep == null) bufferSweep = loop.schedule(BUFFER_SWEEP_NANOS, this::sweepBuffers);
    }

    private void sweepBuffers() {
        bufferSweep = null;
        int kept = 0;
        for (Connection c : largeBuffers) {
            if (!c.closed && !c.shrinkIdleBuffers()) {
                largeBuffers.set(kept++, c);
            } else {
                c.buffersWatched = false;
            }
        }
        largeBuffers.subList(kept, largeBuffers.size()).clear();
        if (kept > 0) bufferSweep = loop.schedule(BUFFER_SWEEP_NANOS, this::sweepBuffers);
    }

    private void flushAll() {
        // Index loop: flushing may disconnect a peer, which may queue output for others.
        for (int i = 0; i < flushList.size(); i++) {
            Connection c = flushList.get(i);
            c.flushPending = false;
            c.flush();
        }
        flushList.clear();
    }

    /** Entry point for a validated message from an authenticated connection. */
    void dispatch(Peer sender, MessageView m, int[] fds) {
        router.route(sender, m, fds);
    }

    /** Service activation failed for {@code name}: everyone waiting gets the error. */
    public void activationFailed(String name, String errorName, String message) {
        activation.failed(name, errorName, message);
    }

    /** BecomeMonitor: the peer only receives from now on; its names and rules are dropped. */
    void becomeMonitor(Peer p, java.util.List<dev.omnibus.wire.MatchRule> rules) {
        matches.removeAll(p.id);
        names.removePeer(p.id);
        // dbus-daemon tells the monitor it lost its unique name, and everyone else (other monitors
        // included, but not the new monitor) that the name is gone.
        driver.unicastSignal(p, "NameLost", p.uniqueName);
        driver.uniqueNameGone(p);
        p.monitor = true;
        p.monitorRules = rules;
        monitors.add(p);
        Log.info("connection " + p + " became a monitor");
    }

    private java.util.function.Supplier<String> reloadAction = () -> null;

    /**
     * What ReloadConfig does: the daemon re-reads its config and calls {@link #reconfigure}; the
     * action answers null on success, else why the new configuration was refused.
     */
    public void onReload(java.util.function.Supplier<String> action) { this.reloadAction = action; }

    /** Null when the configuration was reloaded, else the error text. */
    String requestReload() { return reloadAction.get(); }

    /** The Features property of org.freedesktop.DBus. */
    java.util.List<String> features() {
        // As dbus-daemon 1.14 reports them (AppArmor and SELinux are not supported).
        return settings.systemdActivation()
                ? java.util.List.of("ActivatableServicesChanged", "HeaderFiltering", "SystemdActivation")
                : java.util.List.of("ActivatableServicesChanged", "HeaderFiltering");
    }

    /** Closes listeners and connections; the loop stops afterwards. */
    public void close() {
        for (Connection c : new ArrayList<>(connections)) disconnect(c, null);
        for (Listener l : listeners) {
            loop.unregister(l.fd());
            try {
                l.close();
            } catch (Exception e) {
                Log.warning("closing listener: " + e);
            }
        }
        listeners.clear();
        readScratch.close();
        blocks.close();
        pipes.close();
        spliceStage.close();
    }

    /** The driver's introspection XML (for {@code --introspect}). */
    public static String driverIntrospection() {
        return Introspection.xml(new Driver(null), "/org/freedesktop/DBus");
    }

    int connectionCount() { return completedConnections; }

    int incompleteCount() { return incompleteConnections; }
}
