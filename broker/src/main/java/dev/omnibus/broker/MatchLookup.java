package dev.omnibus.broker;

import dev.omnibus.wire.MessageView;
import dev.omnibus.wire.Protocol;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * The facts about one message that {@link MatchRegistry#lookup} matches rules against: a
 * reusable, mutable query the router fills once per message (no allocation when filled from
 * segment ranges, e.g. {@code MessageView.fieldOffset/fieldLength}).
 *
 * <p>Header fields are byte ranges {@code [off, off+len)} of a segment; {@code len < 0} means
 * the field is absent. Body arguments come lazily from {@link Args} (only rules with argN keys
 * that survived every other check ask), cached per query so a value is read at most once.
 *
 * <p>What the router supplies beyond the message itself: the sender's peer id (the driver is
 * peer 0; the router stitches SENDER, so the received bytes may not carry it) and, optionally,
 * for a message with a DESTINATION, the addressed recipient's peer id (-1 if unknown, the
 * driver, or nobody). Unique names are {@code ":1." + peerId} (Peer's convention), which is how
 * rules naming a unique sender or destination are tied to peer ids.
 *
 * <p>Thread: the bus thread only; reused across messages via {@link #reset}.
 */
public final class MatchLookup {

    /** Body arguments of the message: string value of arg n if it is of type s or o, else null. */
    public interface Args {
        String argString(int n);

        boolean argIsObjectPath(int n);
    }

    /** Highest argument index a match rule can name (spec: "Match Rules", arg0..arg63). */
    static final int MAX_ARGS = 64;

    int type;
    int senderPeer;
    int recipientPeer = -1;

    MemorySegment ifaceSeg;
    long ifaceOff;
    int ifaceLen = -1;
    MemorySegment memberSeg;
    long memberOff;
    int memberLen = -1;
    MemorySegment pathSeg;
    long pathOff;
    int pathLen = -1;
    MemorySegment destSeg;
    long destOff;
    int destLen = -1;

    private Args args;
    private MessageView view;
    private final String[] argCache = new String[MAX_ARGS];
    private long argLoaded;
    private long argPathBits;
    private String pathString;

    /** Starts a new query: message type (Protocol.METHOD_CALL..SIGNAL) and the sender's peer id. */
    public MatchLookup reset(int type, int senderPeer) {
        this.type = type;
        this.senderPeer = senderPeer;
        recipientPeer = -1;
        ifaceLen = memberLen = pathLen = destLen = -1;
        args = null;
        view = null;
        argLoaded = 0;
        argPathBits = 0;
        pathString = null;
        return this;
    }

    public MatchLookup interfaceName(MemorySegment seg, long off, int len) {
        ifaceSeg = seg;
        ifaceOff = off;
        ifaceLen = len;
        return this;
    }

    public MatchLookup member(MemorySegment seg, long off, int len) {
        memberSeg = seg;
        memberOff = off;
        memberLen = len;
        return this;
    }

    public MatchLookup path(MemorySegment seg, long off, int len) {
        pathSeg = seg;
        pathOff = off;
        pathLen = len;
        pathString = null;
        return this;
    }

    /** The DESTINATION field as sent; marks the message as unicast (eavesdrop rules only). */
    public MatchLookup destination(MemorySegment seg, long off, int len) {
        destSeg = seg;
        destOff = off;
        destLen = len;
        return this;
    }

    /** The peer the message is addressed to (its own delivery is the router's, not a match). */
    public MatchLookup recipient(int peer) {
        recipientPeer = peer;
        return this;
    }

    /**
     * Fills the query from a validated message: type, INTERFACE, MEMBER, PATH, DESTINATION as
     * byte ranges, arguments from the view. No allocation.
     */
    public MatchLookup wrap(MessageView m, int senderPeer) {
        reset(m.type(), senderPeer);
        MemorySegment s = m.segment();
        long o = m.fieldOffset(Protocol.FIELD_INTERFACE);
        if (o >= 0) {
            interfaceName(s, o, m.fieldLength(Protocol.FIELD_INTERFACE));
        }
        o = m.fieldOffset(Protocol.FIELD_MEMBER);
        if (o >= 0) {
            member(s, o, m.fieldLength(Protocol.FIELD_MEMBER));
        }
        o = m.fieldOffset(Protocol.FIELD_PATH);
        if (o >= 0) {
            path(s, o, m.fieldLength(Protocol.FIELD_PATH));
        }
        o = m.fieldOffset(Protocol.FIELD_DESTINATION);
        if (o >= 0) {
            destination(s, o, m.fieldLength(Protocol.FIELD_DESTINATION));
        }
        view = m;
        return this;
    }

    public MatchLookup args(Args args) {
        this.args = args;
        return this;
    }

    // Convenience setters for cold paths and tests: they allocate a heap segment.

    public MatchLookup interfaceName(String s) {
        MemorySegment m = seg(s);
        return s == null ? interfaceName(null, 0, -1) : interfaceName(m, 0, (int) m.byteSize());
    }

    public MatchLookup member(String s) {
        MemorySegment m = seg(s);
        return s == null ? member(null, 0, -1) : member(m, 0, (int) m.byteSize());
    }

    public MatchLookup path(String s) {
        MemorySegment m = seg(s);
        return s == null ? path(null, 0, -1) : path(m, 0, (int) m.byteSize());
    }

    public MatchLookup destination(String s) {
        MemorySegment m = seg(s);
        return s == null ? destination(null, 0, -1) : destination(m, 0, (int) m.byteSize());
    }

    private static MemorySegment seg(String s) {
        return s == null ? null : MemorySegment.ofArray(s.getBytes(StandardCharsets.UTF_8));
    }

    // ---- used by MatchRegistry ----

    boolean hasDestination() {
        return destLen >= 0;
    }

    /** The DESTINATION as a peer id if it is a unique name of ours ({@code :1.N}), else -1. */
    int destinationAsPeer() {
        return destLen < 0 ? -1 : MatchRegistry.uniqueToPeer(destSeg, destOff, destLen);
    }

    /** The DESTINATION text (cold: only rules with a destination key on a well-known address). */
    String destinationString() {
        byte[] b = new byte[destLen];
        MemorySegment.copy(destSeg, ValueLayout.JAVA_BYTE, destOff, b, 0, destLen);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The object path as a String (path_namespace rules only; allocated once per query). */
    String pathString() {
        if (pathLen < 0) {
            return null;
        }
        if (pathString == null) {
            byte[] b = new byte[pathLen];
            MemorySegment.copy(pathSeg, ValueLayout.JAVA_BYTE, pathOff, b, 0, pathLen);
            pathString = new String(b, StandardCharsets.UTF_8);
        }
        return pathString;
    }

    String arg(int n) {
        load(n);
        return argCache[n];
    }

    boolean argIsPath(int n) {
        load(n);
        return (argPathBits & (1L << n)) != 0;
    }

    private void load(int n) {
        long bit = 1L << n;
        if ((argLoaded & bit) != 0) {
            return;
        }
        argLoaded |= bit;
        String v;
        boolean isPath;
        if (view != null) {
            v = view.argString(n);
            isPath = v != null && view.argIsObjectPath(n);
        } else {
            v = args == null ? null : args.argString(n);
            isPath = v != null && args.argIsObjectPath(n);
        }
        argCache[n] = v;
        if (isPath) {
            argPathBits |= bit;
        }
    }
}
