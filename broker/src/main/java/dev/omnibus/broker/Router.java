package dev.omnibus.broker;

import static dev.omnibus.wire.Protocol.ERROR;
import static dev.omnibus.wire.Protocol.FLAG_NO_AUTO_START;
import static dev.omnibus.wire.Protocol.FLAG_NO_REPLY_EXPECTED;
import static dev.omnibus.wire.Protocol.METHOD_CALL;
import static dev.omnibus.wire.Protocol.METHOD_RETURN;
import static dev.omnibus.wire.Protocol.SIGNAL;

import static dev.omnibus.wire.Protocol.FIELD_DESTINATION;

import dev.omnibus.broker.util.ByteKeyMap;
import dev.omnibus.transport.Posix;
import dev.omnibus.transport.SplicePipe;
import dev.omnibus.wire.MessageView;
import dev.omnibus.wire.SenderStitch;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * Decides where each received message goes and puts it there: to the driver, to the owner of its
 * destination (starting the service if needed), to every peer whose match rules select it, and to
 * monitors. Tracks which replies are expected so that each call gets at most one.
 *
 * <p>Forwarded messages are copied once per recipient into the recipient's outbound queue with the
 * SENDER header field stitched in by the bus ({@link SenderStitch}); the body is never re-marshalled.
 *
 * <p>Bus thread only.
 */
final class Router {
    static final String DRIVER_NAME = "org.freedesktop.DBus";
    private static final int[] NO_FDS = new int[0];

    private final Bus bus;

    Router(Bus bus) { this.bus = bus; }

    void route(Peer sender, MessageView m, int[] fds) {
        try {
            routeOwned(sender, m, fds);
        } finally {
            closeAll(fds);
        }
    }

    private void routeOwned(Peer sender, MessageView m, int[] fds) {
        sender.messagesIn++;
        if (sender.monitor) {
            bus.protocolViolation(sender.connection, "a monitor sent a message");
            return;
        }
        if (!sender.registered()) {
            beforeHello(sender, m);
            return;
        }
        MemorySegment seg = m.segment();
        long destOff = m.fieldOffset(FIELD_DESTINATION);
        int destLen = m.fieldLength(FIELD_DESTINATION);
        if (destOff < 0) {
            toMonitors(sender, m, fds);
            broadcast(sender, m, fds);
            return;
        }
        if (ByteKeyMap.equal(Driver.DRIVER_NAME_UTF8, seg, destOff, destLen)) {
            toDriver(sender, m, fds);
            return;
        }
        Peer target = resolve(seg, destOff, destLen);
        if (target == null) {
            noDestination(sender, m, fds, m.destination());
            return;
        }
        toMonitors(sender, m, fds);
        unicast(sender, m, fds, target);
    }

    /** Only Hello is allowed before Hello; dbus-daemon answers anything else and keeps the connection. */
    private void beforeHello(Peer sender, MessageView m) {
        if (m.type() == METHOD_CALL && DRIVER_NAME.equals(m.destination()) && "Hello".equals(m.member())
                && (m.interfaceName() == null || DRIVER_NAME.equals(m.interfaceName()))) {
            String tooMany = bus.connectionLimitExceeded(sender);
            if (tooMany != null) {
                Log.warning("rejected connection " + sender + ": " + tooMany);
                bus.driver.sendError(sender, m.serial(), DBusErrors.LIMITS_EXCEEDED, tooMany);
                sender.connection.closeWhenFlushed = true;
                return;
            }
            bus.registered(sender); // monitors see the Hello call from its new unique name
            toMonitors(sender, m);
            bus.driver.hello(sender, m);
        } else if (m.type() == METHOD_CALL && (m.flags() & FLAG_NO_REPLY_EXPECTED) == 0) {
            bus.driver.sendError(sender, m.serial(), DBusErrors.ACCESS_DENIED,
                    "Client tried to send a message other than Hello without being registered");
        }
    }

    private void toDriver(Peer sender, MessageView m, int[] fds) {
        if (m.type() == SIGNAL) {
            // dbus-daemon's monitors see what a signal to the bus caused (an activation error)
            // before the signal itself.
            if (!denied(sender, null, m, false, false)) bus.driver.signalToBus(sender, m);
            toMonitors(sender, m, fds);
            return;
        }
        toMonitors(sender, m, fds);
        if (denied(sender, null, m, false, false)) return;
        eavesdrop(sender, m, fds, null);
        if (m.type() == METHOD_CALL) bus.driver.call(sender, m);
    }

    /** The peer the DESTINATION bytes name now (unique name, or primary owner); no allocation. */
    Peer resolve(MemorySegment seg, long off, int len) {
        if (len > 0 && seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, off) == ':') {
            return bus.peerByUniqueName(seg, off, len);
        }
        int owner = bus.names.owner(seg, off, len);
        return owner < 0 ? null : bus.peer(owner);
    }

    /** The peer a destination names now: a unique name, or the primary owner of a well-known one. */
    Peer resolve(String dest) {
        if (dest.startsWith(":")) return bus.peerByUniqueName(dest);
        int owner = bus.names.owner(dest);
        return owner < 0 ? null : bus.peer(owner);
    }

    /**
     * A message for a name nobody owns. Calls and signals to an activatable name wait for the
     * service (which monitors see after the activation request it causes, as with dbus-daemon);
     * a call otherwise gets ServiceUnknown; anything else is dropped.
     */
    private void noDestination(Peer sender, MessageView m, int[] fds, String dest) {
        int type = m.type();
        if ((type == METHOD_CALL || type == SIGNAL) && !dest.startsWith(":")
                && (m.flags() & FLAG_NO_AUTO_START) == 0 && bus.settings().activation().isActivatable(dest)) {
            // dbus-daemon checks the send policy before activating, with the bus as the receiver.
            String why = check(sender, null, m, false, false);
            if (why != null) {
                toMonitors(sender, m, fds);
                complain(sender, m, why);
                return;
            }
            bus.activation.queue(sender, m, fds, dest);
            toMonitors(sender, m, fds);
            return;
        }
        toMonitors(sender, m, fds);
        if (type != METHOD_CALL || (m.flags() & FLAG_NO_REPLY_EXPECTED) != 0) return;
        bus.driver.sendError(sender, m.serial(), DBusErrors.SERVICE_UNKNOWN,
                "The name " + dest + " was not provided by any .service files");
    }

    /**
     * Whether a message can be routed with its body left in a pipe (see {@link Connection},
     * "splicing"): it goes to exactly one peer and nothing on the way looks at its body. That is a
     * message with a destination other than the bus, owned by a connected peer, from a registered
     * sender that is not a monitor, on a bus without monitors or eavesdroppers (who would get copies).
     * Decided from the header alone; asked again when the body is complete.
     */
    boolean canSplice(Peer sender, MessageView m) {
        if (sender == null || !sender.registered() || sender.monitor || !bus.monitors.isEmpty()
                || bus.matches.hasEavesdroppers()) {
            return false;
        }
        MemorySegment seg = m.segment();
        long destOff = m.fieldOffset(FIELD_DESTINATION);
        int destLen = m.fieldLength(FIELD_DESTINATION);
        if (destOff < 0 || ByteKeyMap.equal(Driver.DRIVER_NAME_UTF8, seg, destOff, destLen)) return false;
        Peer target = resolve(seg, destOff, destLen);
        return target != null && !target.monitor && !target.connection.closed;
    }

    /** Delivers a message whose destination is owned by {@code target}. */
    void unicast(Peer sender, MessageView m, int[] fds, Peer target) {
        int type = m.type();
        if (type == METHOD_CALL) {
            if (denied(sender, target, m, false, false)) return;
            if ((m.flags() & FLAG_NO_REPLY_EXPECTED) == 0) {
                long timeoutMs = bus.limits().get(Limit.REPLY_TIMEOUT);
                // dbus-daemon's default reply_timeout is -1: calls never time out in the bus.
                long deadline = timeoutMs <= 0 ? Long.MAX_VALUE
                        : bus.loop.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
                int rc = bus.replies.tryExpect(sender.id, m.serial(), target.id, deadline,
                        bus.limits().count(Limit.MAX_REPLIES_PER_CONNECTION));
                if (rc == ReplyRegistry.OVER_LIMIT) {
                    bus.driver.sendError(sender, m.serial(), ReplyRegistry.LIMIT_ERROR, ReplyRegistry.LIMIT_MESSAGE);
                    return;
                }
                if (rc == ReplyRegistry.DUPLICATE) {
                    bus.driver.sendError(sender, m.serial(), ReplyRegistry.DUPLICATE_ERROR, ReplyRegistry.DUPLICATE_MESSAGE);
                    return;
                }
                bus.replyTimer.arm();
            }
        } else if (type == METHOD_RETURN || type == ERROR) {
            if (!bus.replies.take(sender.id, target.id, m.replySerial())) {
                return; // not a reply anybody is waiting for
            }
            if (denied(sender, target, m, true, false)) return;
        } else if (denied(sender, target, m, false, false)) {
            return;
        }
        if (!forward(sender, m, fds, target)) {
            if (type == METHOD_CALL) {
                bus.replies.take(target.id, sender.id, m.serial());
                if ((m.flags() & FLAG_NO_REPLY_EXPECTED) == 0) {
                    bus.driver.sendError(sender, m.serial(), DBusErrors.LIMITS_EXCEEDED,
                            "The destination's queue of incoming messages is full");
                }
            }
            return;
        }
        eavesdrop(sender, m, fds, target);
    }

    /** Signals (and anything else) without a destination go to every peer whose rules match. */
    private void broadcast(Peer sender, MessageView m, int[] fds) {
        broadcastComplained = false;
        deliverTo(sender, m, fds, -1, false);
    }

    /** Unicast messages also go to peers with eavesdrop='true' rules that match them. */
    private void eavesdrop(Peer sender, MessageView m, int[] fds, Peer destination) {
        if (!bus.matches.hasEavesdroppers()) return;
        deliverTo(sender, m, fds, destination == null ? -1 : destination.id, true);
    }

    // The message being fanned out by deliverTo: fields instead of a capturing lambda, so that a
    // broadcast allocates nothing. deliverTo is not re-entered (bus-originated broadcasts use their own path).
    private Peer fanSender;
    private MessageView fanMessage;
    private int[] fanFds;
    private int fanSkip;
    private boolean fanEavesdrop;
    private final java.util.function.IntConsumer fanOut = this::fanOutTo;

    private void deliverTo(Peer sender, MessageView m, int[] fds, int skip, boolean eavesdropOnly) {
        fanSender = sender;
        fanMessage = m;
        fanFds = fds;
        fanSkip = skip;
        fanEavesdrop = eavesdropOnly;
        try {
            bus.matches.lookup(m, sender.id, bus.names, eavesdropOnly, fanOut);
        } finally {
            fanSender = null;
            fanMessage = null;
            fanFds = null;
        }
        bus.runDeferredDisconnects();
    }

    private void fanOutTo(int id) {
        if (id == fanSkip) return;
        Peer p = bus.peer(id);
        if (p == null || p.monitor || !allowed(fanSender, p, fanMessage, fanEavesdrop)) return;
        if (!forward(fanSender, fanMessage, fanFds, p)) {
            // Never silent loss: a subscriber that cannot take what it asked for goes. Deferred,
            // because dropping it now would change the match index being walked.
            Log.warning("disconnecting " + p + ": outgoing queue over max_outgoing_bytes");
            bus.disconnectLater(p.connection);
        }
    }

    /**
     * Applies the sender's send rules and the receiver's receive rules (a null receiver is the
     * driver). A denied method call that wants a reply gets AccessDenied with dbus-daemon's text; the
     * denial is logged. True when denied.
     */
    private boolean denied(Peer sender, Peer receiver, MessageView m, boolean requestedReply, boolean eavesdrop) {
        String why = check(sender, receiver, m, requestedReply, eavesdrop);
        if (why == null) return false;
        complain(sender, m, why);
        return true;
    }

    /**
     * Tells the sender its message was refused: dbus-daemon answers every denied method call or
     * signal with AccessDenied (even signals, which libdbus marks NO_REPLY_EXPECTED; its monitor
     * test expects the error), and logs the denial.
     */
    private void complain(Peer sender, MessageView m, String why) {
        Log.info(why);
        int type = m.type();
        if (type == METHOD_CALL || type == SIGNAL) {
            bus.driver.sendError(sender, m.serial(), DBusErrors.ACCESS_DENIED, why);
        }
    }

    /** Whether the current broadcast already drew an AccessDenied (one per message is enough). */
    private boolean broadcastComplained;

    /**
     * Broadcast deliveries: a denied recipient is skipped, and the sender hears of it once per
     * message. Eavesdroppers are skipped silently.
     */
    private boolean allowed(Peer sender, Peer receiver, MessageView m, boolean eavesdrop) {
        String why = check(sender, receiver, m, false, eavesdrop);
        if (why == null) return true;
        if (!eavesdrop && !broadcastComplained) {
            broadcastComplained = true;
            complain(sender, m, why);
        }
        return false;
    }

    private String check(Peer sender, Peer receiver, MessageView m, boolean requestedReply, boolean eavesdrop) {
        PeerPolicy out = sender.policy;
        PeerPolicy in = receiver == null ? PeerPolicy.ALLOW_ALL : receiver.policy;
        if (out.sendsAnything() && in.receivesAnything()) return null;
        PolicyCheck c = bus.policyCheck.set(m, sender, receiver, requestedReply, eavesdrop);
        String why = out.sendsAnything() ? null : out.checkSend(c);
        if (why == null && !in.receivesAnything()) why = in.checkReceive(c);
        return why;
    }

    /** A broadcast recipient that cannot take more is disconnected rather than silently losing it. */
    private void deliverOrDrop(Peer sender, MessageView m, int[] fds, Peer p) {
        if (!forward(sender, m, fds, p)) {
            Log.warning("disconnecting " + p + ": outgoing queue over max_outgoing_bytes");
            bus.disconnect(p.connection, null);
        }
    }

    /** Every monitor whose rules select the message gets a copy. */
    void toMonitors(Peer sender, MessageView m) {
        toMonitors(sender, m, NO_FDS);
    }

    /**
     * Every monitor whose rules select the message gets a copy, with its fds (duplicated) when the
     * monitor negotiated fd passing; a monitor that did not is skipped for messages carrying fds,
     * since a header announcing fds that never arrive is a corrupt message to libdbus.
     */
    void toMonitors(Peer sender, MessageView m, int[] fds) {
        if (bus.monitors.isEmpty()) return;
        for (int i = 0; i < bus.monitors.size(); i++) {
            Peer mon = bus.monitors.get(i);
            if (fds.length > 0 && !mon.connection.fdsNegotiated) continue;
            if (bus.matches.monitorWants(mon, m, sender == null ? 0 : sender.id, bus.names)) {
                forward(sender, m, fds, mon);
            }
        }
    }

    /**
     * Queues {@code m} for {@code to} with the SENDER field set to {@code sender}'s unique name
     * (the bus's own name when sender is null). Fds are duplicated for the recipient. False if the
     * recipient's queue is over its limit.
     */
    boolean forward(Peer sender, MessageView m, int[] fds, Peer to) {
        Connection c = to.connection;
        if (c.closed) return true;
        byte[] senderName = sender == null ? Driver.DRIVER_NAME_UTF8 : sender.uniqueNameUtf8;
        int header = SenderStitch.headerLength(m, senderName.length);
        long total = header + m.bodyLength();
        if (c.out.pendingBytes() > 0 && c.out.pendingBytes() + total > bus.limits().get(Limit.MAX_OUTGOING_BYTES)) {
            return false;
        }
        if (fds.length > 0) {
            if (!c.fdsNegotiated) {
                // dbus-daemon refuses to send fds to a peer that cannot receive them.
                return sender == null || failFdsUnsupported(sender, m);
            }
            if (c.out.pendingFds() + fds.length > bus.limits().get(Limit.MAX_OUTGOING_UNIX_FDS)) return false;
            int[] dup = new int[fds.length];
            for (int i = 0; i < fds.length; i++) {
                dup[i] = Posix.dupCloexec(fds[i]);
                if (dup[i] < 0) {
                    for (int j = 0; j < i; j++) Posix.close(dup[j]);
                    return false;
                }
            }
            c.out.attachFds(dup, total);
        }
        if (m.isHeadOnly()) {
            // The stitched message is in a pipe (canSplice vouched that this is its only copy).
            SplicePipe pipe = bus.pipedBody;
            if (pipe == null || pipe.held() != total) throw new IllegalStateException("a spliced message forwarded twice, or not all in its pipe");
            bus.pipedBody = null;
            c.sendPiped(pipe);
            to.messagesOut++;
            bus.splicedBodies++;
            return true;
        }
        if (total >= WRITE_THROUGH_MIN && fds.length == 0 && c.out.isEmpty()) {
            MemorySegment seg = c.out.reserve(header);
            SenderStitch.writeHeader(m, senderName, seg, c.out.tail());
            c.writeThrough(header, m.segment(), m.bodyOffset(), m.bodyLength());
            to.messagesOut++;
            return true;
        }
        MemorySegment seg = c.out.reserve(total);
        long at = c.out.tail();
        SenderStitch.writeHeader(m, senderName, seg, at);
        MemorySegment.copy(m.segment(), m.bodyOffset(), seg, at + header, m.bodyLength());
        c.out.commit(total);
        to.messagesOut++;
        bus.scheduleFlush(c);
        return true;
    }

    /**
     * Messages at least this long, to a peer with nothing queued, are written at once from the
     * sender's input buffer ({@link Connection#writeThrough}) instead of copied into the queue first.
     * Below it, copying and batching many messages per sendmsg is cheaper.
     */
    static final long WRITE_THROUGH_MIN = 32 * 1024;

    private boolean failFdsUnsupported(Peer sender, MessageView m) {
        if (m.type() == METHOD_CALL && (m.flags() & FLAG_NO_REPLY_EXPECTED) == 0) {
            bus.driver.sendError(sender, m.serial(), DBusErrors.NOT_SUPPORTED,
                    "Tried to send message with Unix file descriptors to a client that doesn't support that.");
        }
        return true;
    }

    /** Queues bytes the bus built itself (whole messages) for {@code to}. */
    void queueOwn(Peer to, MessageView built) {
        queueOwn(to, built, NO_FDS);
    }

    /** As {@link #queueOwn(Peer, MessageView)}, passing duplicates of {@code fds} with the message. */
    void queueOwn(Peer to, MessageView built, int[] fds) {
        Connection c = to.connection;
        if (c.closed) return;
        long len = built.length();
        if (fds.length > 0) {
            int[] dup = new int[fds.length];
            for (int i = 0; i < fds.length; i++) dup[i] = Posix.dupCloexec(fds[i]);
            c.out.attachFds(dup, len);
        }
        MemorySegment seg = c.out.reserve(len);
        MemorySegment.copy(built.segment(), built.offset(), seg, c.out.tail(), len);
        c.out.commit(len);
        to.messagesOut++;
        bus.scheduleFlush(c);
    }

    private static void closeAll(int[] fds) {
        for (int fd : fds) Posix.close(fd);
    }
}
