package dev.omnibus.broker;

import dev.omnibus.broker.util.IntList;
import dev.omnibus.broker.util.IntObjectMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The bus's well-known names: for each name a primary owner and a queue of waiting peers
 * (spec: "Message Bus Messages", RequestName / ReleaseName / ListQueuedOwners).
 *
 * <p><b>What it owns.</b> For every well-known name an owner list (index 0 = primary owner, then
 * the queue in {@code ListQueuedOwners} order) with the RequestName flags each entry asked for;
 * for every peer the names it has joined (as owner or queued, in join order) and the names it
 * owns as primary. Unique names ({@code :1.N}) and {@code org.freedesktop.DBus} belong to the bus,
 * not here: the caller validates names and must not pass those (doing so is a bug:
 * {@link IllegalArgumentException}).
 *
 * <p><b>Rules</b> (verified against dbus-daemon 1.14.10 with dbus-python, see NameRegistryTest):
 * <ul>
 *   <li>No owner: the requester becomes primary owner (PRIMARY_OWNER).</li>
 *   <li>The primary owner asks again: its flags are replaced by the new ones (ALREADY_OWNER).</li>
 *   <li>DO_NOT_QUEUE and (owner lacks ALLOW_REPLACEMENT or no REPLACE_EXISTING): EXISTS, and the
 *       requester leaves the queue if it was in it.</li>
 *   <li>No DO_NOT_QUEUE and (no REPLACE_EXISTING or owner lacks ALLOW_REPLACEMENT): IN_QUEUE;
 *       appended at the end, or, if already queued, flags updated in place.</li>
 *   <li>Otherwise replacement: the requester (taken out of the queue if it was there) becomes
 *       primary; the old owner goes to queue position 1 (right behind the new owner), or leaves
 *       entirely when it had asked with DO_NOT_QUEUE. Observed: queue [A,B,C,D], D asks
 *       REPLACE_EXISTING while A allows replacement gives [D,A,B,C].</li>
 *   <li>ReleaseName: unknown name NON_EXISTENT; not owner and not queued NOT_OWNER; queued
 *       entries just leave the queue (RELEASED, no signals); the primary owner's release passes
 *       the name to the head of the queue.</li>
 *   <li>{@link #removePeer} releases every name the peer joined, newest first (dbus-daemon
 *       processes a disconnecting connection's names from the end of its list: a peer that
 *       acquired t.seven then t.eight produced the t.eight signals first).</li>
 * </ul>
 *
 * <p><b>Signal order.</b> Observed with {@code dbus-monitor} against dbus-daemon 1.14.10 while
 * dbus-python clients contended: for an ownership change it emits NameLost (to the old owner),
 * then NameOwnerChanged (broadcast), then NameAcquired (to the new owner), and all of them
 * before the method return of the RequestName/ReleaseName call. A new name gives
 * NameOwnerChanged then NameAcquired; a name that loses its last owner gives NameLost then
 * NameOwnerChanged. The {@link Listener} is called in exactly that order, synchronously, after
 * the registry's state is already updated (so queries from the listener see the new state);
 * the caller sends the method return after the call returns.
 *
 * <p>Thread: the bus thread only; no locks.
 */
public final class NameRegistry implements MatchRegistry.SenderNames {

    /** RequestName flags (spec: "org.freedesktop.DBus.RequestName"). */
    public static final int FLAG_ALLOW_REPLACEMENT = 0x1;
    public static final int FLAG_REPLACE_EXISTING = 0x2;
    public static final int FLAG_DO_NOT_QUEUE = 0x4;

    /** RequestName results (spec: "org.freedesktop.DBus.RequestName"). */
    public static final int PRIMARY_OWNER = 1;
    public static final int IN_QUEUE = 2;
    public static final int EXISTS = 3;
    public static final int ALREADY_OWNER = 4;

    /** ReleaseName results (spec: "org.freedesktop.DBus.ReleaseName"). */
    public static final int RELEASED = 1;
    public static final int NON_EXISTENT = 2;
    public static final int NOT_OWNER = 3;

    /** "No owner" in listener calls and {@link #owner}. */
    public static final int NONE = -1;

    /** The bus driver's own name, never managed here (spec: "Message Bus Names"). */
    static final String BUS_NAME = "org.freedesktop.DBus";

    /** Receives name changes in dbus-daemon's emission order (see the class comment). */
    public interface Listener {
        /** NameLost to {@code peer}. */
        void lost(int peer, String name);

        /** NameOwnerChanged broadcast; {@code oldOwner}/{@code newOwner} are {@link #NONE} when absent. */
        void ownerChanged(String name, int oldOwner, int newOwner);

        /** NameAcquired to {@code peer}. */
        void acquired(int peer, String name);
    }

    /** One well-known name: owners[0] is primary; flags parallel to owners. */
    private static final class Entry {
        final String name;
        /** ASCII bytes of the name (valid bus names are ASCII). */
        final byte[] nameBytes;
        final IntList owners = new IntList(2);
        final IntList flags = new IntList(2);

        Entry(String name) {
            this.name = name;
            this.nameBytes = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    /** One peer's names. */
    private static final class PeerNames {
        /** Names where the peer is owner or queued, in join order (disconnect walks it backwards). */
        final ArrayList<Entry> joined = new ArrayList<>(2);
        /** Names the peer owns as primary owner (sender matching, GetConnection... queries). */
        final ArrayList<String> primary = new ArrayList<>(2);
    }

    private final Map<String, Entry> names = new HashMap<>();
    /** The same entries keyed by their bytes, for lookups straight from a message header. */
    private final dev.omnibus.broker.util.ByteKeyMap<Entry> byBytes = new dev.omnibus.broker.util.ByteKeyMap<>();
    private final IntObjectMap<PeerNames> peers = new IntObjectMap<>();
    private final Listener listener;

    public NameRegistry(Listener listener) {
        this.listener = listener;
    }

    /**
     * RequestName: returns {@link #PRIMARY_OWNER}, {@link #IN_QUEUE}, {@link #EXISTS} or
     * {@link #ALREADY_OWNER}. {@code name} must be a valid well-known name other than
     * {@code org.freedesktop.DBus}; the per-peer limit is the caller's to check first
     * (see {@link #joinedCount}).
     */
    public int request(int peer, String name, int flags) {
        checkName(name);
        Entry e = names.get(name);
        if (e == null) {
            e = new Entry(name);
            names.put(name, e);
            byBytes.put(e.nameBytes, e);
            e.owners.add(peer);
            e.flags.add(flags);
            PeerNames p = peerNames(peer);
            p.joined.add(e);
            p.primary.add(name);
            listener.ownerChanged(name, NONE, peer);
            listener.acquired(peer, name);
            return PRIMARY_OWNER;
        }
        int primary = e.owners.get(0);
        if (primary == peer) {
            e.flags.set(0, flags);
            return ALREADY_OWNER;
        }
        boolean ownerAllows = (e.flags.get(0) & FLAG_ALLOW_REPLACEMENT) != 0;
        boolean doNotQueue = (flags & FLAG_DO_NOT_QUEUE) != 0;
        boolean replace = (flags & FLAG_REPLACE_EXISTING) != 0;
        int queued = e.owners.indexOf(peer);
        if (!(replace && ownerAllows)) {
            if (doNotQueue) {
                if (queued > 0) {
                    leave(e, queued, peer);
                }
                return EXISTS;
            }
            if (queued > 0) {
                e.flags.set(queued, flags);
            } else {
                e.owners.add(peer);
                e.flags.add(flags);
                peerNames(peer).joined.add(e);
            }
            return IN_QUEUE;
        }
        // Replacement.
        if (queued > 0) {
            e.owners.removeAt(queued);
            e.flags.removeAt(queued);
        } else {
            peerNames(peer).joined.add(e);
        }
        PeerNames old = peers.get(primary);
        old.primary.remove(name);
        if ((e.flags.get(0) & FLAG_DO_NOT_QUEUE) != 0) {
            e.owners.removeAt(0);
            e.flags.removeAt(0);
            old.joined.remove(e);
            dropIfEmpty(primary, old);
        }
        e.owners.insert(0, peer);
        e.flags.insert(0, flags);
        peers.get(peer).primary.add(name);
        listener.lost(primary, name);
        listener.ownerChanged(name, primary, peer);
        listener.acquired(peer, name);
        return PRIMARY_OWNER;
    }

    /** ReleaseName: returns {@link #RELEASED}, {@link #NON_EXISTENT} or {@link #NOT_OWNER}. */
    public int release(int peer, String name) {
        checkName(name);
        Entry e = names.get(name);
        if (e == null) {
            return NON_EXISTENT;
        }
        int at = e.owners.indexOf(peer);
        if (at < 0) {
            return NOT_OWNER;
        }
        leave(e, at, peer);
        return RELEASED;
    }

    /**
     * The disconnect path: releases every name {@code peer} owns or is queued for, newest
     * first, with the same signals as ReleaseName. No effect for an unknown peer.
     */
    public void removePeer(int peer) {
        PeerNames p = peers.get(peer);
        if (p == null) {
            return;
        }
        while (!p.joined.isEmpty()) {
            Entry e = p.joined.get(p.joined.size() - 1);
            leave(e, e.owners.indexOf(peer), peer);
        }
    }

    /**
     * Primary owner of the name whose bytes are at {@code seg[off, off+len)} (a DESTINATION header
     * field), or {@link #NONE}. No allocation: the routing hot path.
     */
    public int owner(java.lang.foreign.MemorySegment seg, long off, int len) {
        Entry e = byBytes.get(seg, off, len);
        return e == null || e.owners.isEmpty() ? NONE : e.owners.get(0);
    }

    /** Primary owner of {@code name}, or {@link #NONE}. */
    public int owner(String name) {
        Entry e = names.get(name);
        return e == null ? NONE : e.owners.get(0);
    }

    /** Primary owner then queued peers ({@code ListQueuedOwners} order); empty when no owner. */
    public int[] queue(String name) {
        Entry e = names.get(name);
        return e == null ? new int[0] : e.owners.toArray();
    }

    /** Every name with an owner ({@code ListNames} adds the unique names itself). */
    public List<String> names() {
        return new ArrayList<>(names.keySet());
    }

    /** Names {@code peer} owns as primary owner, in acquisition order (a copy). */
    public List<String> namesOwnedBy(int peer) {
        PeerNames p = peers.get(peer);
        return p == null ? List.of() : List.copyOf(p.primary);
    }

    /** How many names {@code peer} owns as primary owner. */
    public int ownedCount(int peer) {
        PeerNames p = peers.get(peer);
        return p == null ? 0 : p.primary.size();
    }

    /** The {@code i}-th name {@code peer} owns as primary owner; no allocation (match lookups). */
    @Override
    public String ownedName(int peer, int i) {
        return peers.get(peer).primary.get(i);
    }

    /** True if {@code peer} is the primary owner of {@code name}. */
    @Override
    public boolean owns(int peer, String name) {
        Entry e = names.get(name);
        // owners may be empty while listeners run during a release (the entry goes right after).
        return e != null && !e.owners.isEmpty() && e.owners.get(0) == peer;
    }

    /**
     * Names {@code peer} owns or is queued for: what dbus-daemon compares with
     * max_names_per_connection (its per-connection list holds queued entries too).
     */
    public int joinedCount(int peer) {
        PeerNames p = peers.get(peer);
        return p == null ? 0 : p.joined.size();
    }

    /** The {@code i}-th name {@code peer} owns or is queued for (i < {@link #joinedCount}). */
    public String joinedName(int peer, int i) {
        return peers.get(peer).joined.get(i).name;
    }

    /** True if {@code peer} owns {@code name} or waits in its queue (policy matches both). */
    public boolean isJoined(int peer, String name) {
        Entry e = names.get(name);
        if (e == null) return false;
        for (int i = 0; i < e.owners.size(); i++) {
            if (e.owners.get(i) == peer) return true;
        }
        return false;
    }

    /** Number of names with an owner. */
    public int size() {
        return names.size();
    }

    private void leave(Entry e, int at, int peer) {
        e.owners.removeAt(at);
        e.flags.removeAt(at);
        PeerNames p = peers.get(peer);
        p.joined.remove(e);
        if (at > 0) {
            dropIfEmpty(peer, p);
            return;
        }
        p.primary.remove(e.name);
        dropIfEmpty(peer, p);
        listener.lost(peer, e.name);
        if (e.owners.isEmpty()) {
            names.remove(e.name);
            byBytes.remove(e.nameBytes);
            listener.ownerChanged(e.name, peer, NONE);
        } else {
            int next = e.owners.get(0);
            peers.get(next).primary.add(e.name);
            listener.ownerChanged(e.name, peer, next);
            listener.acquired(next, e.name);
        }
    }

    private PeerNames peerNames(int peer) {
        PeerNames p = peers.get(peer);
        if (p == null) {
            p = new PeerNames();
            peers.put(peer, p);
        }
        return p;
    }

    private void dropIfEmpty(int peer, PeerNames p) {
        if (p.joined.isEmpty()) {
            peers.remove(peer);
        }
    }

    private static void checkName(String name) {
        if (name.isEmpty() || name.charAt(0) == ':' || name.equals(BUS_NAME)) {
            throw new IllegalArgumentException("not a well-known name the registry manages: " + name);
        }
    }
}
