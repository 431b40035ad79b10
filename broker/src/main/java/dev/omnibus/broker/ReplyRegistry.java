package dev.omnibus.broker;

import dev.omnibus.broker.util.IntObjectMap;
import java.util.Arrays;

/**
 * Pending method calls whose reply the bus will let through (dbus-daemon: "pending replies",
 * bus/connection.c; limits {@code max_replies_per_connection} and {@code reply_timeout}).
 *
 * <p><b>What it owns.</b> One entry per forwarded METHOD_CALL that expects a reply, keyed by
 * (caller, callee, caller's serial) exactly as dbus-daemon keys it: a reply from {@code callee}
 * to {@code caller} with that REPLY_SERIAL is let through once ({@link #take}), any other reply is
 * unexpected and the caller drops it. Entries live in parallel primitive arrays (slots), found
 * through an open-addressing hash index over the triple, and ordered for expiry in a binary
 * min-heap on the deadline. Per-caller counts enforce {@code max_replies_per_connection}
 * (dbus-daemon counts per {@code will_get_reply}, i.e. per caller).
 *
 * <p>Invariants: a slot is in use iff {@code heapPos[slot] >= 0}; the index holds exactly the used
 * slots; {@code counts} holds the number of used slots per caller. No allocation on
 * {@link #expect}/{@link #take} once the arrays have grown to the working size.
 *
 * <p>Thread: the bus thread only.
 */
public final class ReplyRegistry {

    /** {@link #expect} results. */
    public static final int OK = 0;
    /** The caller already has {@code maxPerCaller} pending calls: answer {@link #LIMIT_ERROR}. */
    public static final int OVER_LIMIT = 1;
    /** Same (caller, callee, serial) already pending: answer {@link #DUPLICATE_ERROR}. */
    public static final int DUPLICATE = 2;

    /** dbus-daemon's error for OVER_LIMIT (bus/connection.c, bus_connections_expect_reply). */
    public static final String LIMIT_ERROR = "org.freedesktop.DBus.Error.LimitsExceeded";
    public static final String LIMIT_MESSAGE =
            "The maximum number of pending replies per connection has been reached";
    /** dbus-daemon's error for DUPLICATE (same function). */
    public static final String DUPLICATE_ERROR = "org.freedesktop.DBus.Error.AccessDenied";
    public static final String DUPLICATE_MESSAGE =
            "Message has the same reply serial as a currently-outstanding existing method call";
    /** The error the bus sends the caller for entries reported by {@link #removePeer}/{@link #expire}. */
    public static final String NO_REPLY_ERROR = "org.freedesktop.DBus.Error.NoReply";
    /** dbus-daemon's text when the callee disconnects (bus/connection.c). */
    public static final String DISCONNECTED_MESSAGE =
            "Message recipient disconnected from message bus without replying";
    /** dbus-daemon's text when reply_timeout expires (bus/connection.c). */
    public static final String TIMEOUT_MESSAGE = "Message did not receive a reply (timeout by message bus)";

    /** dbus-daemon's default reply_timeout: 25 s (man dbus-daemon; bus/config-parser.c). */
    public static final long DEFAULT_REPLY_TIMEOUT_NANOS = 25_000_000_000L;
    /** dbus-daemon's built-in max_replies_per_connection (bus/config-parser.c); session.conf raises it to 50000. */
    public static final int DEFAULT_MAX_REPLIES_PER_CONNECTION = 128;

    /** Receives (caller, callerSerial) of calls that will never be answered. */
    @FunctionalInterface
    public interface NoReplyConsumer {
        void noReply(int caller, long callerSerial);
    }

    // Slots.
    private int[] caller;
    private int[] callee;
    private long[] serial;
    private long[] deadline;
    private int[] heapPos;     // -1 = free slot
    private int[] freeSlots;
    private int freeCount;
    private int used;

    // Min-heap of slots by deadline.
    private int[] heap;

    // Hash index: table of slot+1 (0 = empty), linear probing, backward-shift deletion.
    private int[] index;
    private int indexMask;

    /** Pending count per caller; an int[1] cell per caller with entries. */
    private final IntObjectMap<int[]> counts = new IntObjectMap<>();

    public ReplyRegistry() {
        int cap = 64;
        caller = new int[cap];
        callee = new int[cap];
        serial = new long[cap];
        deadline = new long[cap];
        heapPos = new int[cap];
        Arrays.fill(heapPos, -1);
        freeSlots = new int[cap];
        for (int i = 0; i < cap; i++) {
            freeSlots[i] = cap - 1 - i;
        }
        freeCount = cap;
        heap = new int[cap];
        index = new int[cap * 2];
        indexMask = index.length - 1;
    }

    /**
     * {@link #tryExpect} reduced to a boolean: false for OVER_LIMIT and for DUPLICATE (for which
     * dbus-daemon answers AccessDenied / {@link #DUPLICATE_MESSAGE}; use tryExpect to tell apart).
     */
    public boolean expect(int callerPeer, long callerSerial, int calleePeer, long deadlineNanos, int maxPerCaller) {
        return tryExpect(callerPeer, callerSerial, calleePeer, deadlineNanos, maxPerCaller) == OK;
    }

    /**
     * Records that {@code callee} owes {@code caller} a reply to the call with serial
     * {@code callerSerial}, due by {@code deadlineNanos} (System.nanoTime scale), unless the
     * caller already waits for {@code maxPerCaller} replies (max_replies_per_connection). Returns
     * {@link #OK}, {@link #OVER_LIMIT} or {@link #DUPLICATE}; nothing is recorded unless OK.
     */
    public int tryExpect(int callerPeer, long callerSerial, int calleePeer, long deadlineNanos, int maxPerCaller) {
        if (find(callerPeer, calleePeer, callerSerial) >= 0) {
            return DUPLICATE;
        }
        int[] count = counts.get(callerPeer);
        if (count != null && count[0] >= maxPerCaller) {
            return OVER_LIMIT;
        }
        if (maxPerCaller <= 0) {
            return OVER_LIMIT;
        }
        if (count == null) {
            count = new int[1];
            counts.put(callerPeer, count);
        }
        count[0]++;
        if (freeCount == 0) {
            grow();
        }
        int slot = freeSlots[--freeCount];
        caller[slot] = callerPeer;
        callee[slot] = calleePeer;
        serial[slot] = callerSerial;
        deadline[slot] = deadlineNanos;
        heap[used] = slot;
        heapPos[slot] = used;
        used++;
        siftUp(used - 1);
        indexInsert(slot);
        return OK;
    }

    /**
     * A METHOD_RETURN or ERROR from {@code replier} to {@code callerPeer} with REPLY_SERIAL
     * {@code replySerial} arrived: true (and the entry is consumed) if it was expected,
     * false if the caller must drop it as unexpected.
     */
    public boolean take(int replier, int callerPeer, long replySerial) {
        int slot = find(callerPeer, replier, replySerial);
        if (slot < 0) {
            return false;
        }
        release(slot);
        return true;
    }

    /**
     * The disconnect path: entries where {@code peer} was the callee are reported to
     * {@code noReply} (the bus answers NoReply / {@link #DISCONNECTED_MESSAGE}); entries where it
     * was the caller are dropped silently. Cold path: scans all slots.
     */
    public void removePeer(int peer, NoReplyConsumer noReply) {
        for (int slot = 0; slot < heapPos.length; slot++) {
            if (heapPos[slot] < 0) {
                continue;
            }
            if (caller[slot] == peer) {
                release(slot);
            } else if (callee[slot] == peer) {
                int c = caller[slot];
                long s = serial[slot];
                release(slot);
                noReply.noReply(c, s);
            }
        }
    }

    /**
     * Removes and reports every entry whose deadline is at or before {@code nowNanos}, earliest
     * first (the bus answers NoReply / {@link #TIMEOUT_MESSAGE}). Returns how many expired.
     */
    public int expire(long nowNanos, NoReplyConsumer noReply) {
        int n = 0;
        while (used > 0 && deadline[heap[0]] - nowNanos <= 0) {
            int slot = heap[0];
            int c = caller[slot];
            long s = serial[slot];
            release(slot);
            noReply.noReply(c, s);
            n++;
        }
        return n;
    }

    /** The earliest deadline, or {@link Long#MAX_VALUE} when nothing is pending. */
    public long nextDeadline() {
        return used == 0 ? Long.MAX_VALUE : deadline[heap[0]];
    }

    /** Pending calls {@code peer} made and still waits for. */
    public int pendingCount(int peer) {
        int[] c = counts.get(peer);
        return c == null ? 0 : c[0];
    }

    /** All pending calls. */
    public int size() {
        return used;
    }

    // ---- internals ----

    private static int hash(int a, int b, long s) {
        long h = (a * 0x9E3779B97F4A7C15L) ^ (b * 0xC2B2AE3D27D4EB4FL) ^ (s * 0x165667B19E3779F9L);
        h ^= h >>> 29;
        return (int) (h ^ (h >>> 32));
    }

    private int find(int a, int b, long s) {
        for (int i = hash(a, b, s) & indexMask; ; i = (i + 1) & indexMask) {
            int v = index[i];
            if (v == 0) {
                return -1;
            }
            int slot = v - 1;
            if (caller[slot] == a && callee[slot] == b && serial[slot] == s) {
                return slot;
            }
        }
    }

    private void indexInsert(int slot) {
        int i = hash(caller[slot], callee[slot], serial[slot]) & indexMask;
        while (index[i] != 0) {
            i = (i + 1) & indexMask;
        }
        index[i] = slot + 1;
    }

    private void indexRemove(int slot) {
        int i = hash(caller[slot], callee[slot], serial[slot]) & indexMask;
        while (index[i] != slot + 1) {
            i = (i + 1) & indexMask;
        }
        int hole = i;
        for (int j = (hole + 1) & indexMask; index[j] != 0; j = (j + 1) & indexMask) {
            int sj = index[j] - 1;
            int home = hash(caller[sj], callee[sj], serial[sj]) & indexMask;
            if (((j - home) & indexMask) >= ((j - hole) & indexMask)) {
                index[hole] = index[j];
                hole = j;
            }
        }
        index[hole] = 0;
    }

    private void release(int slot) {
        indexRemove(slot);
        int pos = heapPos[slot];
        int last = heap[--used];
        heapPos[slot] = -1;
        if (pos != used) {
            heap[pos] = last;
            heapPos[last] = pos;
            siftDown(pos);
            siftUp(heapPos[last]);
        }
        freeSlots[freeCount++] = slot;
        int[] count = counts.get(caller[slot]);
        if (--count[0] == 0) {
            counts.remove(caller[slot]);
        }
    }

    private void siftUp(int pos) {
        int slot = heap[pos];
        long d = deadline[slot];
        while (pos > 0) {
            int parent = (pos - 1) >>> 1;
            int ps = heap[parent];
            if (deadline[ps] - d <= 0) {
                break;
            }
            heap[pos] = ps;
            heapPos[ps] = pos;
            pos = parent;
        }
        heap[pos] = slot;
        heapPos[slot] = pos;
    }

    private void siftDown(int pos) {
        int slot = heap[pos];
        long d = deadline[slot];
        while (true) {
            int child = 2 * pos + 1;
            if (child >= used) {
                break;
            }
            if (child + 1 < used && deadline[heap[child + 1]] - deadline[heap[child]] < 0) {
                child++;
            }
            int cs = heap[child];
            if (deadline[cs] - d >= 0) {
                break;
            }
            heap[pos] = cs;
            heapPos[cs] = pos;
            pos = child;
        }
        heap[pos] = slot;
        heapPos[slot] = pos;
    }

    private void grow() {
        int old = caller.length;
        int cap = old * 2;
        caller = Arrays.copyOf(caller, cap);
        callee = Arrays.copyOf(callee, cap);
        serial = Arrays.copyOf(serial, cap);
        deadline = Arrays.copyOf(deadline, cap);
        heapPos = Arrays.copyOf(heapPos, cap);
        Arrays.fill(heapPos, old, cap, -1);
        heap = Arrays.copyOf(heap, cap);
        freeSlots = Arrays.copyOf(freeSlots, cap);
        for (int i = 0; i < cap - old; i++) {
            freeSlots[freeCount++] = cap - 1 - i;
        }
        index = new int[cap * 2];
        indexMask = index.length - 1;
        for (int slot = 0; slot < old; slot++) {
            if (heapPos[slot] >= 0) {
                indexInsert(slot);
            }
        }
    }
}
