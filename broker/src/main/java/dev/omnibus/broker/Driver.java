package dev.omnibus.broker;

import static dev.omnibus.wire.Protocol.FLAG_NO_REPLY_EXPECTED;
import static dev.omnibus.wire.Protocol.METHOD_RETURN;
import static dev.omnibus.wire.Protocol.SIGNAL;

import dev.omnibus.wire.BodyReader;
import dev.omnibus.wire.BodyWriter;
import dev.omnibus.wire.MatchRule;
import dev.omnibus.wire.MatchRuleException;
import dev.omnibus.wire.MessageBuilder;
import dev.omnibus.wire.MessageView;
import dev.omnibus.wire.Names;
import dev.omnibus.wire.Protocol;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bus driver: the object {@code org.freedesktop.DBus} that answers calls to the bus itself
 * and emits its signals. A table maps (interface, member) to the input signature and a handler;
 * handlers read their arguments, act on the bus's registries and answer through
 * {@link Reply}. Every message the bus originates is built here.
 *
 * <p>Signal order follows dbus-daemon 1.14 as observed with dbus-monitor: for Hello, the method
 * return, then NameOwnerChanged, then NameAcquired; for RequestName, NameOwnerChanged, NameLost
 * (to a replaced owner), NameAcquired, then the method return.
 *
 * <p>Bus thread only.
 */
final class Driver {
    static final String NAME = "org.freedesktop.DBus";
    static final byte[] DRIVER_NAME_UTF8 = NAME.getBytes(StandardCharsets.US_ASCII);
    static final String PATH = "/org/freedesktop/DBus";
    static final String PROPERTIES = "org.freedesktop.DBus.Properties";
    static final String INTROSPECTABLE = "org.freedesktop.DBus.Introspectable";
    static final String PEER = "org.freedesktop.DBus.Peer";
    static final String MONITORING = "org.freedesktop.DBus.Monitoring";
    static final String STATS = "org.freedesktop.DBus.Debug.Stats";

    /** A call the driver refuses: becomes an error reply. Cold path. */
    static final class Failure extends Exception {
        final String errorName;

        Failure(String errorName, String message) {
            super(message, null, false, false);
            this.errorName = errorName;
        }
    }

    @FunctionalInterface
    interface Handler {
        void handle(Peer sender, MessageView call, BodyReader args) throws Failure;
    }

    /**
     * One row of the driver's table. {@code anyPath}: callable at any object path (dbus-daemon keeps
     * its older methods so for compatibility); otherwise only at {@link #PATH}. {@code privileged}:
     * only the bus owner's uid or root may call it.
     */
    record Method(String iface, String member, String in, String out, boolean anyPath, boolean privileged,
                  Handler handler) {}

    /** Interfaces the driver answers at every object path (dbus-daemon: INTERFACE_FLAG_ANY_PATH). */
    private static final java.util.Set<String> ANY_PATH_INTERFACES = java.util.Set.of(NAME, INTROSPECTABLE, PEER);

    /** Methods of org.freedesktop.DBus available only at the canonical path, and those that are privileged. */
    private static final java.util.Set<String> CANONICAL_ONLY = java.util.Set.of("UpdateActivationEnvironment");
    private static final java.util.Set<String> PRIVILEGED = java.util.Set.of("UpdateActivationEnvironment", "BecomeMonitor");

    private final Bus bus;
    private final Map<String, List<Method>> byInterface = new LinkedHashMap<>();
    private final MessageBuilder builder = new MessageBuilder();
    private final MessageView built = new MessageView();
    private long serial;
    private final String machineId;

    Driver(Bus bus) {
        this.bus = bus;
        this.machineId = MachineId.read();
        DriverMethods.install(this, bus);
    }

    void add(String iface, String member, String in, String out, Handler h) {
        boolean anyPath = ANY_PATH_INTERFACES.contains(iface) && !CANONICAL_ONLY.contains(member);
        Method m = new Method(iface, member, in, out, anyPath, PRIVILEGED.contains(member), h);
        byInterface.computeIfAbsent(iface, k -> new ArrayList<>()).add(m);
    }

    Map<String, List<Method>> interfaces() { return byInterface; }

    /** Is {@code iface} answered at every object path, not only /org/freedesktop/DBus? */
    boolean availableEverywhere(String iface) { return ANY_PATH_INTERFACES.contains(iface); }

    /** Puts an interface's methods in the given order (dbus-daemon's, for introspection). */
    void order(String iface, List<String> members) {
        byInterface.get(iface).sort(java.util.Comparator.comparingInt(m -> {
            int i = members.indexOf(m.member());
            return i < 0 ? Integer.MAX_VALUE : i;
        }));
    }

    String machineId() { return machineId; }

    // ---- calls -------------------------------------------------------------------------------

    /** Hello is special: the only call allowed before registration. */
    void hello(Peer sender, MessageView m) {
        if (!sender.registered()) bus.registered(sender);
        Reply r = reply(sender, m, "s");
        if (r != null) {
            r.w.writeString(sender.uniqueName);
            r.send();
        }
        nameOwnerChanged(sender.uniqueName, "", sender.uniqueName);
        unicastSignal(sender, "NameAcquired", sender.uniqueName);
    }

    /**
     * Answers a method call to the bus, checking in dbus-daemon's order: which interfaces the object
     * path offers, the member, the caller's privilege, the canonical path, the signature.
     */
    void call(Peer sender, MessageView m) {
        String iface = m.interfaceName();
        String member = m.member();
        boolean canonical = PATH.equals(m.path());
        try {
            Method method = null;
            boolean foundInterface = false;
            for (Map.Entry<String, List<Method>> e : byInterface.entrySet()) {
                if (!canonical && !ANY_PATH_INTERFACES.contains(e.getKey())) continue;
                if (iface != null && !iface.equals(e.getKey())) continue;
                foundInterface = true;
                for (Method x : e.getValue()) {
                    if (x.member.equals(member)) {
                        method = x;
                        break;
                    }
                }
                if (method != null) break;
            }
            if (method == null) {
                throw new Failure(foundInterface ? DBusErrors.UNKNOWN_METHOD : DBusErrors.UNKNOWN_INTERFACE,
                        NAME + " does not understand message " + member);
            }
            if (method.privileged) requirePrivileged(sender, member);
            if (!canonical && !method.anyPath) {
                throw new Failure(DBusErrors.ACCESS_DENIED,
                        "Method '" + member + "' is only available at the canonical object path '" + PATH + "'");
            }
            String sig = m.signature();
            if (sig == null) sig = "";
            if (!sig.equals(method.in)) {
                throw new Failure(DBusErrors.INVALID_ARGS,
                        "Call to " + member + " has wrong args (" + sig + ", expected " + method.in + ")\n");
            }
            method.handler.handle(sender, m, m.body());
        } catch (Failure f) {
            sendError(sender, m, f.errorName, f.getMessage());
        }
    }

    /** dbus-daemon's privileged methods: the caller must run as the bus's uid or as root. */
    private void requirePrivileged(Peer sender, String member) throws Failure {
        long uid = sender.uid();
        if (uid == 0 || uid == bus.settings().ownerUid()) return;
        String text = "rejected attempt to call " + member + " by connection " + sender.uniqueName + " ("
                + sender.describeProcess() + ") with uid " + uid;
        Log.warning(text);
        throw new Failure(DBusErrors.ACCESS_DENIED, text);
    }

    // ---- building messages ---------------------------------------------------------------------

    /** A reply under construction: write the body with {@link #w}, then {@link #send()}. */
    final class Reply {
        final Peer to;
        final BodyWriter w;
        private int[] fds = NO_FDS;

        Reply(Peer to, BodyWriter w) {
            this.to = to;
            this.w = w;
        }

        /** Passes a duplicate of {@code fd} with the reply; returns its index for an 'h' value. */
        int attach(int fd) {
            int dup = dev.omnibus.transport.Posix.dupCloexec(fd);
            if (dup < 0) return -1;
            fds = java.util.Arrays.copyOf(fds, fds.length + 1);
            fds[fds.length - 1] = dup;
            return fds.length - 1;
        }

        void send() {
            if (fds.length > 0) builder.unixFds(fds.length);
            deliverBuilt(to, fds);
        }
    }

    private static final int[] NO_FDS = new int[0];

    /** Starts a method return to {@code call}, or null when the caller asked for no reply. */
    Reply reply(Peer to, MessageView call, String signature) {
        if ((call.flags() & FLAG_NO_REPLY_EXPECTED) != 0) return null;
        builder.reset(METHOD_RETURN, Protocol.FLAG_NO_REPLY_EXPECTED, ++serial)
                .replySerial(call.serial()).destination(to.uniqueNameOrNull()).sender(NAME);
        return new Reply(to, builder.body(signature));
    }

    static final String SYSTEMD_NAME = "org.freedesktop.systemd1";
    static final String SYSTEMD_ACTIVATOR = "org.freedesktop.systemd1.Activator";

    /**
     * Asks systemd to start {@code unit}: the ActivationRequest signal dbus-daemon sends to
     * org.freedesktop.systemd1, held until systemd joins the bus if it has not yet.
     */
    void activationRequest(String unit) {
        builder.reset(SIGNAL, Protocol.FLAG_NO_REPLY_EXPECTED, ++serial)
                .path(PATH).interfaceName(SYSTEMD_ACTIVATOR).member("ActivationRequest")
                .destination(SYSTEMD_NAME).sender(NAME);
        builder.body("s").writeString(unit);
        sendToSystemd(bus.router.resolve(SYSTEMD_NAME));
    }

    /** Delivers the built message to systemd, or keeps it until org.freedesktop.systemd1 appears. */
    private void sendToSystemd(Peer systemd) {
        if (systemd != null) {
            deliverBuilt(systemd);
            return;
        }
        MessageView m = wrapBuilt();
        bus.router.toMonitors(null, m);
        bus.activation.queueFromBus(SYSTEMD_NAME, m);
    }

    /**
     * With systemd activation, UpdateActivationEnvironment is passed on to systemd as
     * org.freedesktop.systemd1.Manager.SetEnvironment (as dbus-daemon does): to systemd's unique name
     * when it is on the bus, else queued for org.freedesktop.systemd1.
     */
    void forwardEnvironment(Map<String, String> env) {
        Peer systemd = bus.router.resolve(SYSTEMD_NAME);
        builder.reset(Protocol.METHOD_CALL, Protocol.FLAG_NO_REPLY_EXPECTED, ++serial)
                .path("/org/freedesktop/systemd1").interfaceName("org.freedesktop.systemd1.Manager")
                .member("SetEnvironment").destination(systemd != null ? systemd.uniqueName : SYSTEMD_NAME).sender(NAME);
        BodyWriter w = builder.body("as");
        w.beginArray("s");
        for (Map.Entry<String, String> e : env.entrySet()) w.writeString(e.getKey() + "=" + e.getValue());
        w.endArray();
        sendToSystemd(systemd);
    }

    /** Signals addressed to the bus: only systemd's ActivationFailure means something. */
    void signalToBus(Peer sender, MessageView m) {
        if (!SYSTEMD_ACTIVATOR.equals(m.interfaceName()) || !"ActivationFailure".equals(m.member())
                || !"sss".equals(m.signature())) {
            return;
        }
        if (!bus.names.owns(sender.id, SYSTEMD_NAME)) {
            Log.warning("Ignoring forged ActivationFailure message from connection " + sender.uniqueName
                    + " (" + sender.describeProcess() + ")");
            return;
        }
        if (!bus.settings().systemdActivation()) {
            Log.warning("Ignoring unexpected ActivationFailure message while not using systemd activation");
            return;
        }
        BodyReader a = m.body();
        String unit = a.readString();
        String errorName = a.readString();
        String message = a.readString();
        bus.activation.systemdFailed(unit, errorName, message);
    }

    /** StartServiceByName's answer once the service has its name: DBUS_START_REPLY_SUCCESS. */
    void replyStartSuccess(Peer to, long callSerial) {
        builder.reset(METHOD_RETURN, Protocol.FLAG_NO_REPLY_EXPECTED, ++serial)
                .replySerial(callSerial).destination(to.uniqueNameOrNull()).sender(NAME);
        builder.body("u").writeUint32(1);
        deliverBuilt(to);
    }

    /** Sends an empty method return. */
    void replyEmpty(Peer to, MessageView call) {
        Reply r = reply(to, call, "");
        if (r != null) r.send();
    }

    void sendError(Peer to, MessageView call, String errorName, String text) {
        if ((call.flags() & FLAG_NO_REPLY_EXPECTED) != 0) return;
        sendError(to, call.serial(), errorName, text);
    }

    void sendError(Peer to, long replySerial, String errorName, String text) {
        builder.reset(Protocol.ERROR, Protocol.FLAG_NO_REPLY_EXPECTED, ++serial)
                .replySerial(replySerial).destination(to.uniqueNameOrNull()).sender(NAME).errorName(errorName);
        builder.body("s").writeString(text);
        deliverBuilt(to);
    }

    /** NameOwnerChanged to everyone subscribed. */
    void nameOwnerChanged(String name, String oldOwner, String newOwner) {
        // Nobody could receive it (no match rule, no monitor): not built at all. A bus where clients
        // come and go without subscribers (scripts, short-lived tools) saves two signals each.
        if (bus.matches.size() == 0 && bus.monitors.isEmpty()) return;
        BodyWriter w = startSignal(null, "NameOwnerChanged", "sss");
        w.writeString(name);
        w.writeString(oldOwner);
        w.writeString(newOwner);
        broadcastBuilt();
    }

    /** NameAcquired/NameLost: sent to one peer (and seen by monitors and eavesdroppers). */
    void unicastSignal(Peer to, String member, String name) {
        BodyWriter w = startSignal(to, member, "s");
        w.writeString(name);
        deliverBuilt(to);
    }

    private BodyWriter startSignal(Peer to, String member, String signature) {
        builder.reset(SIGNAL, Protocol.FLAG_NO_REPLY_EXPECTED, ++serial)
                .path(PATH).interfaceName(NAME).member(member).sender(NAME);
        if (to != null) builder.destination(to.uniqueNameOrNull());
        return builder.body(signature);
    }

    /** Wraps the builder's bytes in a view (heap segment; cold enough) for routing. */
    private MessageView wrapBuilt() {
        return wrapBuilt(0);
    }

    private MessageView wrapBuilt(int fds) {
        byte[] bytes = builder.toBytes();
        // The builder checked every name and value as it wrote them; tests (-ea) validate again.
        assert built.wrap(MemorySegment.ofArray(bytes), 0, bytes.length, fds) == dev.omnibus.wire.WireError.OK
                : "driver built an invalid message: " + built.errorDetail();
        int rc = built.wrapTrusted(MemorySegment.ofArray(bytes), 0, bytes.length, fds);
        if (rc != dev.omnibus.wire.WireError.OK) {
            throw new IllegalStateException("driver built an invalid message: " + built.errorDetail());
        }
        return built;
    }

    private void deliverBuilt(Peer to) {
        deliverBuilt(to, NO_FDS);
    }

    /** Sends the built message to {@code to}; {@code fds} (owned, closed here) travel with it. */
    private void deliverBuilt(Peer to, int[] fds) {
        try {
            deliverBuiltWith(to, fds);
        } finally {
            for (int fd : fds) dev.omnibus.transport.Posix.close(fd);
        }
    }

    private void deliverBuiltWith(Peer to, int[] fds) {
        MessageView m = wrapBuilt(fds.length);
        bus.router.toMonitors(null, m);
        // A monitor gets everything through toMonitors, its own NameLost included: not twice.
        if (to == null || to.monitor || to.connection.closed) return;
        String why = receiveDenied(to, m);
        if (why != null) {
            refusedByReceiver(m.serial(), why);
            return;
        }
        bus.router.queueOwn(to, m, fds);
    }

    private void broadcastBuilt() {
        MessageView m = wrapBuilt();
        bus.router.toMonitors(null, m);
        bus.matches.lookup(m, 0, bus.names, false, id -> {
            Peer p = bus.peer(id);
            if (p != null && !p.monitor && receiveDenied(p, m) == null) bus.router.queueOwn(p, m);
        });
    }

    /** The receiver's receive rules applied to a message from the bus itself; null when allowed. */
    private String receiveDenied(Peer to, MessageView m) {
        if (to.policy.receivesAnything()) return null;
        boolean reply = m.type() == METHOD_RETURN || m.type() == Protocol.ERROR;
        return to.policy.checkReceive(bus.policyCheck.set(m, null, to, reply, false));
    }

    /**
     * A receiver's policy refused a message from the bus: dbus-daemon then addresses an AccessDenied
     * error to itself, which only monitors see.
     */
    private void refusedByReceiver(long refusedSerial, String why) {
        Log.info(why);
        builder.reset(Protocol.ERROR, Protocol.FLAG_NO_REPLY_EXPECTED, ++serial)
                .replySerial(refusedSerial).destination(NAME).sender(NAME).errorName(DBusErrors.ACCESS_DENIED);
        builder.body("s").writeString(why);
        bus.router.toMonitors(null, wrapBuilt());
    }

    // ---- name events ---------------------------------------------------------------------------

    /** Turns registry changes into the driver's signals, in the registry's order. */
    NameRegistry.Listener nameEvents() {
        return new NameRegistry.Listener() {
            @Override
            public void ownerChanged(String name, int oldOwner, int newOwner) {
                nameOwnerChanged(name, uniqueName(oldOwner), uniqueName(newOwner));
                if (newOwner >= 0) bus.activation.nameAcquired(name);
            }

            @Override
            public void lost(int peer, String name) {
                Peer p = bus.peer(peer);
                if (p != null) unicastSignal(p, "NameLost", name);
            }

            @Override
            public void acquired(int peer, String name) {
                Peer p = bus.peer(peer);
                if (p != null) unicastSignal(p, "NameAcquired", name);
            }
        };
    }

    private String uniqueName(int id) {
        if (id < 0) return "";
        Peer p = bus.peer(id);
        return p == null || p.uniqueName == null ? "" : p.uniqueName;
    }

    /** The unique name of a disconnected peer goes away: NameOwnerChanged(name, name, ""). */
    void uniqueNameGone(Peer p) {
        nameOwnerChanged(p.uniqueName, p.uniqueName, "");
    }

    // ---- helpers shared by the handlers ------------------------------------------------------

    /** The peer a name (unique or well-known) refers to, or a NameHasOwner error like dbus-daemon's. */
    Peer requirePeer(String name, String what) throws Failure {
        Peer p = name.equals(NAME) ? null : bus.router.resolve(name);
        if (p == null) {
            throw new Failure(DBusErrors.NAME_HAS_NO_OWNER,
                    "Could not get " + what + " of name '" + name + "': no such name");
        }
        return p;
    }

    static MatchRule parseRule(String text) throws Failure {
        try {
            return MatchRule.parse(text);
        } catch (MatchRuleException e) {
            throw new Failure(DBusErrors.MATCH_RULE_INVALID, e.getMessage());
        }
    }

    static void requireValidBusName(String name) throws Failure {
        if (!Names.isValidBusName(name)) {
            throw new Failure(DBusErrors.INVALID_ARGS, "Name \"" + name + "\" is not valid");
        }
    }
}
