package dev.omnibus.broker;

import dev.omnibus.transport.Posix;
import dev.omnibus.transport.Timer;
import dev.omnibus.wire.MessageView;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What waits for a service to start: method calls and signals that auto-started it (kept as bytes,
 * with their fds) and StartServiceByName callers. When the service takes its name the calls are routed to it
 * in arrival order and the callers get DBUS_START_REPLY_SUCCESS; when it fails or does not appear
 * within service_start_timeout everyone waiting gets the error.
 *
 * <p>Also owns the activation environment (UpdateActivationEnvironment). Bus thread only.
 */
final class Activation {
    /** A method call waiting for its destination to appear. */
    private record Queued(int sender, byte[] bytes, int[] fds, long serial) {}

    /** A StartServiceByName call waiting for the answer. */
    private record Starter(int caller, long serial) {}

    private static final class Pending {
        final List<Queued> calls = new ArrayList<>();
        final List<Starter> starters = new ArrayList<>();
        Timer timeout;
        /** The systemd unit asked to start the service, when systemd activation is used. */
        String unit;
    }

    private final Bus bus;
    private final Map<String, Pending> pending = new HashMap<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final MessageView replay = new MessageView();

    Activation(Bus bus) { this.bus = bus; }

    void updateEnvironment(Map<String, String> env) { environment.putAll(env); }

    Map<String, String> environment() { return environment; }

    /** Keeps a call to a name nobody owns yet and starts the service if it is not starting already. */
    void queue(Peer sender, MessageView m, int[] fds, String name) {
        Pending p = pendingFor(sender, name, m);
        if (p == null) return;
        byte[] bytes = m.segment().asSlice(m.offset(), m.length()).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        int[] own = new int[fds.length];
        for (int i = 0; i < fds.length; i++) own[i] = Posix.dupCloexec(fds[i]);
        p.calls.add(new Queued(sender.id, bytes, own, m.serial()));
        startIfNew(name, p);
    }

    void startByName(Peer caller, MessageView m, String name) {
        Pending p = pendingFor(caller, name, m);
        if (p == null) return;
        p.starters.add(new Starter(caller.id, m.serial()));
        startIfNew(name, p);
    }

    /** The waiting list for {@code name}, new if needed; null (with an error sent) when over the limit. */
    private Pending pendingFor(Peer who, String name, MessageView m) {
        Pending p = pending.get(name);
        if (p != null) return p;
        if (pending.size() >= bus.limits().count(Limit.MAX_PENDING_SERVICE_STARTS)) {
            bus.driver.sendError(who, m, DBusErrors.LIMITS_EXCEEDED,
                    "The maximum number of pending activations has been reached, activation of " + name + " failed");
            return null;
        }
        p = new Pending();
        pending.put(name, p);
        return p;
    }

    /**
     * Starts the service for a waiting list that has just been created. The waiter is recorded
     * first, so a launcher that fails at once (no such program) reaches it through {@link #failed}.
     */
    private void startIfNew(String name, Pending p) {
        if (p.timeout != null) return;
        long timeout = bus.limits().get(Limit.SERVICE_START_TIMEOUT);
        p.timeout = bus.loop.schedule(TimeUnit.MILLISECONDS.toNanos(timeout), () -> failed(name, DBusErrors.TIMED_OUT,
                "Failed to activate service '" + name + "': timed out (service_start_timeout=" + timeout + "ms)"));
        String unit = bus.settings().systemdActivation() ? bus.settings().activation().systemdUnit(name) : null;
        if (unit != null) {
            p.unit = unit;
            bus.driver.activationRequest(unit);
        } else {
            bus.settings().activation().start(bus, name, Map.copyOf(environment));
        }
    }

    /**
     * Keeps a message the bus itself sends to a name nobody owns yet (the ActivationRequest for
     * org.freedesktop.systemd1 before systemd has joined); it goes out when the name appears.
     */
    void queueFromBus(String name, MessageView m) {
        Pending p = pending.computeIfAbsent(name, k -> new Pending());
        byte[] bytes = m.segment().asSlice(m.offset(), m.length()).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        p.calls.add(new Queued(0, bytes, new int[0], m.serial()));
    }

    /** systemd's ActivationFailure for {@code unit}: whoever waits for the name it provides gets the error. */
    void systemdFailed(String unit, String errorName, String message) {
        for (Map.Entry<String, Pending> e : java.util.List.copyOf(pending.entrySet())) {
            if (unit.equals(e.getValue().unit)) failed(e.getKey(), errorName, message);
        }
    }

    /** {@code name} has an owner now: release everything that waited for it. */
    void nameAcquired(String name) {
        Pending p = pending.remove(name);
        if (p == null) return;
        if (p.timeout != null) p.timeout.cancel();
        for (Starter s : p.starters) {
            Peer caller = bus.peer(s.caller);
            if (caller != null) bus.driver.replyStartSuccess(caller, s.serial);
        }
        for (Queued q : p.calls) {
            Peer target = bus.router.resolve(name);
            try {
                if (target == null) continue;
                int rc = replay.wrap(MemorySegment.ofArray(q.bytes), 0, q.bytes.length, q.fds.length);
                if (rc != dev.omnibus.wire.WireError.OK) continue;
                if (q.sender == 0) {
                    bus.router.queueOwn(target, replay); // from the bus itself
                    continue;
                }
                Peer sender = bus.peer(q.sender);
                if (sender != null) bus.router.unicast(sender, replay, q.fds, target);
            } finally {
                for (int fd : q.fds) Posix.close(fd);
            }
        }
    }

    /** Starting {@code name} failed: every waiting caller gets the error. */
    void failed(String name, String errorName, String message) {
        Pending p = pending.remove(name);
        if (p == null) return;
        if (p.timeout != null) p.timeout.cancel();
        for (Starter s : p.starters) {
            Peer caller = bus.peer(s.caller);
            if (caller != null) bus.driver.sendError(caller, s.serial, errorName, message);
        }
        for (Queued q : p.calls) {
            for (int fd : q.fds) Posix.close(fd);
            // dbus-daemon tells the sender of every waiting call or signal, NO_REPLY_EXPECTED or not.
            Peer caller = q.sender == 0 ? null : bus.peer(q.sender);
            if (caller != null) bus.driver.sendError(caller, q.serial, errorName, message);
        }
    }

    /** A disconnected peer's waiting calls are dropped. */
    void peerGone(Peer peer) {
        for (Pending p : pending.values()) {
            p.starters.removeIf(s -> s.caller == peer.id);
            p.calls.removeIf(q -> {
                if (q.sender != peer.id) return false;
                for (int fd : q.fds) Posix.close(fd);
                return true;
            });
        }
    }
}
