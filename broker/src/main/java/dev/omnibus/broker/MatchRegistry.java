package dev.omnibus.broker;

import dev.omnibus.broker.util.ByteKeyMap;
import dev.omnibus.broker.util.IntObjectMap;
import dev.omnibus.wire.MatchRule;
import dev.omnibus.wire.MessageView;
import java.lang.foreign.ValueLayout;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The peers' match rules (spec: "Match Rules", AddMatch / RemoveMatch), indexed so that a
 * message costs about the same with 10 or 100 000 non-matching rules installed.
 *
 * <p><b>Index.</b> Two trees: rules with eavesdrop='true' and the others, so that unicast
 * messages only visit the (usually empty) eavesdrop tree. Each is four levels keyed by sender,
 * interface, member and path (exact {@code path} key only). Senders that are unique names
 * ({@code ":1." + peerId}, Peer's convention) or the driver ({@code org.freedesktop.DBus} = peer
 * 0) are keyed by peer id, well-known senders by name. Each node has a hash map of children by key (byte strings, probed
 * straight from the message's header bytes) and one "any" child for rules without that key;
 * leaves hold the rules. A lookup visits at most (1 + names the sender owns) sender children and
 * 2 children per other level, then checks the remaining keys on the rules in the reached leaves:
 * type, path_namespace, destination, eavesdrop, argN, argNpath, arg0namespace (args last).
 * Each matching peer is reported once per lookup (an epoch stamp per peer), no allocation.
 *
 * <p><b>Semantics</b> (spec, checked against dbus-daemon 1.14.10):
 * <ul>
 *   <li>sender: the rule's name is the sender's unique name or a well-known name the sender owns
 *       as primary owner right now ({@link SenderNames}); the driver (peer 0) is
 *       {@code org.freedesktop.DBus}.</li>
 *   <li>A message with a DESTINATION (unicast, including calls to the driver) matches only rules
 *       with eavesdrop='true' (spec, since 1.5.6); broadcast signals match any rule. The addressed
 *       recipient itself is never reported: the router delivers to it regardless of rules.</li>
 *   <li>destination: the message must have a DESTINATION; with an addressed recipient the rule's
 *       name must be its unique name or a name it owns, otherwise the DESTINATION text itself.</li>
 *   <li>argN: only STRING arguments (an OBJECT_PATH never matches argN, as dbus-daemon does);
 *       argNpath: STRING or OBJECT_PATH with {@link MatchRule#argPathMatches}; arg0namespace: a
 *       STRING first argument with {@link MatchRule#namespaceMatches}.</li>
 * </ul>
 * <b>The router's part</b>: deciding whether eavesdropping is allowed at all (policy, AddMatch
 * privilege), delivering to the addressed recipient, per-recipient send policy, monitors,
 * the max_match_rules_per_connection limit (via {@link #count}).
 *
 * <p>Duplicates are kept as separate rules; {@link #remove} removes one instance (as
 * dbus-daemon's RemoveMatch does). Empty index nodes are pruned on removal.
 *
 * <p>Thread: the bus thread only.
 */
public final class MatchRegistry {

    /** What the registry needs to know about well-known name ownership (implemented by NameRegistry). */
    public interface SenderNames {
        /** Number of names {@code peer} owns as primary owner. */
        int ownedCount(int peer);

        /** The {@code i}-th of them; must not allocate. */
        String ownedName(int peer, int i);

        /** True if {@code peer} is the primary owner of {@code name}. */
        boolean owns(int peer, String name);
    }

    /** No well-known names at all (tests, a bus without a name registry). */
    public static final SenderNames NO_NAMES = new SenderNames() {
        @Override
        public int ownedCount(int peer) {
            return 0;
        }

        @Override
        public String ownedName(int peer, int i) {
            throw new IndexOutOfBoundsException(i);
        }

        @Override
        public boolean owns(int peer, String name) {
            return false;
        }
    };

    private static final int SENDER = 0;
    private static final int INTERFACE = 1;
    private static final int MEMBER = 2;
    private static final int PATH = 3;
    private static final int LEAF = 4;

    /** One node of the index tree. */
    private static final class Node {
        final Node parent;
        final byte[] key;          // key in parent's children, null if parent's "any" or peer-keyed
        final int peerKey;         // key in parent's peerChildren, or NO_PEER
        ByteKeyMap<Node> children;
        IntObjectMap<Node> peerChildren; // sender level only
        Node any;
        Rule[] rules;              // leaves only
        int ruleCount;

        Node(Node parent, byte[] key, int peerKey) {
            this.parent = parent;
            this.key = key;
            this.peerKey = peerKey;
        }

        boolean isEmpty() {
            return ruleCount == 0 && any == null && (children == null || children.isEmpty())
                    && (peerChildren == null || peerChildren.isEmpty());
        }
    }

    /** One installed rule instance. */
    private static final class Rule {
        final MatchRule rule;
        final PeerRules owner;
        final String pathNamespace;
        final byte[] destination;
        final String destinationName;
        final int destinationPeer;  // destination as a peer id if it is one of our unique names, else -1
        final String[] args;       // argN values by index, null if none
        final String[] argPaths;   // argNpath values by index, null if none
        final String arg0namespace;
        Node leaf;
        int leafIndex;

        Rule(MatchRule rule, PeerRules owner) {
            this.rule = rule;
            this.owner = owner;
            pathNamespace = rule.pathNamespace();
            destinationName = rule.destination();
            destination = destinationName == null ? null : destinationName.getBytes(StandardCharsets.UTF_8);
            destinationPeer = destinationName == null ? -1 : uniqueToPeer(destinationName);
            arg0namespace = rule.arg0namespace();
            int max = rule.maxArg();
            String[] a = null;
            String[] p = null;
            for (int n = 0; n <= max; n++) {
                if (rule.arg(n) != null) {
                    if (a == null) {
                        a = new String[max + 1];
                    }
                    a[n] = rule.arg(n);
                }
                if (rule.argPath(n) != null) {
                    if (p == null) {
                        p = new String[max + 1];
                    }
                    p[n] = rule.argPath(n);
                }
            }
            args = a;
            argPaths = p;
        }
    }

    /** One peer's rules in insertion order, and its dedup stamp. */
    private static final class PeerRules {
        final int peer;
        final ArrayList<Rule> rules = new ArrayList<>(4);
        int epoch;

        PeerRules(int peer) {
            this.peer = peer;
        }
    }

    /** Marks a node that is not keyed by peer id. */
    private static final int NO_PEER = Integer.MIN_VALUE;
    /** Peer key of unique names that can never be ours (other prefix, overflow): never looked up. */
    private static final int NEVER = Integer.MIN_VALUE + 1;
    private static final String DRIVER_NAME = "org.freedesktop.DBus";

    private final Node plainRoot = new Node(null, null, NO_PEER);
    private final Node eavesdropRoot = new Node(null, null, NO_PEER);
    private int eavesdropRules;
    private final MatchLookup scratch = new MatchLookup();
    private final IntObjectMap<PeerRules> peers = new IntObjectMap<>();
    private int epoch;
    private int total;

    /** Installs {@code rule} for {@code peer} (duplicates are separate instances). */
    public void add(int peer, MatchRule rule) {
        PeerRules p = peers.get(peer);
        if (p == null) {
            p = new PeerRules(peer);
            peers.put(peer, p);
        }
        Rule r = new Rule(rule, p);
        Node n = rule.eavesdrop() ? eavesdropRoot : plainRoot;
        if (rule.eavesdrop()) {
            eavesdropRules++;
        }
        n = senderChild(n, rule.sender());
        n = child(n, rule.interfaceName());
        n = child(n, rule.member());
        n = child(n, rule.path());
        if (n.rules == null) {
            n.rules = new Rule[2];
        } else if (n.ruleCount == n.rules.length) {
            n.rules = java.util.Arrays.copyOf(n.rules, n.ruleCount * 2);
        }
        r.leaf = n;
        r.leafIndex = n.ruleCount;
        n.rules[n.ruleCount++] = r;
        p.rules.add(r);
        total++;
    }

    /** Removes one instance of a rule equal to {@code rule}; false if {@code peer} has none. */
    public boolean remove(int peer, MatchRule rule) {
        PeerRules p = peers.get(peer);
        if (p == null) {
            return false;
        }
        for (int i = 0; i < p.rules.size(); i++) {
            Rule r = p.rules.get(i);
            if (r.rule.equals(rule)) {
                p.rules.remove(i);
                unlink(r);
                if (p.rules.isEmpty()) {
                    peers.remove(peer);
                }
                return true;
            }
        }
        return false;
    }

    /** Removes every rule of {@code peer} (disconnect); returns how many. */
    public int removeAll(int peer) {
        PeerRules p = peers.remove(peer);
        if (p == null) {
            return 0;
        }
        for (Rule r : p.rules) {
            unlink(r);
        }
        return p.rules.size();
    }

    /** Rules installed by {@code peer} (for max_match_rules_per_connection). */
    public int count(int peer) {
        PeerRules p = peers.get(peer);
        return p == null ? 0 : p.rules.size();
    }

    /** Rules installed by {@code peer}, in insertion order (Debug.Stats GetAllMatchRules). */
    public List<MatchRule> rules(int peer) {
        PeerRules p = peers.get(peer);
        if (p == null) {
            return List.of();
        }
        List<MatchRule> out = new ArrayList<>(p.rules.size());
        for (Rule r : p.rules) {
            out.add(r.rule);
        }
        return out;
    }

    /** All installed rules. */
    public int size() {
        return total;
    }

    /** True if any rule has eavesdrop='true' (else unicast messages need no lookup at all). */
    public boolean hasEavesdroppers() {
        return eavesdropRules > 0;
    }

    /**
     * The router's form: matches {@code m} from {@code senderPeer}. {@code eavesdrop} must say
     * whether {@code m} has a DESTINATION (true: only eavesdrop rules can match). The addressed
     * recipient is not excluded here (the router skips it). No allocation.
     */
    public void lookup(MessageView m, int senderPeer, SenderNames names, boolean eavesdrop, IntConsumer out) {
        MatchLookup q = scratch.wrap(m, senderPeer);
        if (!eavesdrop && q.hasDestination()) {
            return; // the router thinks it is a broadcast; trust the header, not the flag
        }
        lookup(q, names, out);
    }

    /**
     * Whether a monitor with {@code rules} (its BecomeMonitor rules; null or empty = everything) wants
     * {@code m}: any rule matching, eavesdrop not required (monitors see unicast too). Linear in
     * the monitor's rules; monitors are few.
     */
    public boolean monitorWants(List<MatchRule> rules, MessageView m, int senderPeer, SenderNames names) {
        if (rules == null || rules.isEmpty()) {
            return true;
        }
        MatchLookup q = scratch.wrap(m, senderPeer);
        for (int i = 0; i < rules.size(); i++) {
            if (matchesWhole(rules.get(i), q, names)) {
                return true;
            }
        }
        return false;
    }

    /** The same for a monitor peer ({@code mon.monitorRules}). */
    public boolean monitorWants(Peer mon, MessageView m, int senderPeer, SenderNames names) {
        return monitorWants(mon.monitorRules, m, senderPeer, names);
    }

    /** One rule against one message, every key, eavesdrop ignored (cold: monitors). */
    static boolean matchesWhole(MatchRule m, MatchLookup q, SenderNames names) {
        if (m.sender() != null) {
            int sp = uniqueToPeer(m.sender());
            boolean ok = sp >= 0 ? sp == q.senderPeer : names.owns(q.senderPeer, m.sender());
            if (!ok) {
                return false;
            }
        }
        if (!fieldIs(m.interfaceName(), q.ifaceSeg, q.ifaceOff, q.ifaceLen)
                || !fieldIs(m.member(), q.memberSeg, q.memberOff, q.memberLen)
                || !fieldIs(m.path(), q.pathSeg, q.pathOff, q.pathLen)) {
            return false;
        }
        return matchesRest(new Rule(m, null), q, names, true);
    }

    private static boolean fieldIs(String want, MemorySegment seg, long off, int len) {
        return want == null || (len >= 0 && ByteKeyMap.equal(want.getBytes(StandardCharsets.UTF_8), seg, off, len));
    }

    /**
     * Calls {@code out} once for every peer (other than the addressed recipient) with at least
     * one rule matching the message described by {@code q}. No allocation (beyond what
     * {@link MatchLookup.Args} does for argument values that rules ask about).
     */
    public void lookup(MatchLookup q, SenderNames names, IntConsumer out) {
        if (++epoch == 0) {
            epoch = 1; // a stamp of 0 is what new peers start with
            peers.forEachValue(p -> p.epoch = 0);
        }
        if (eavesdropRules > 0) {
            visitSenders(eavesdropRoot, q, names, out);
        }
        if (!q.hasDestination()) {
            visitSenders(plainRoot, q, names, out);
        }
    }

    private void visitSenders(Node n, MatchLookup q, SenderNames names, IntConsumer out) {
        if (n.any != null) {
            visit(n.any, INTERFACE, q, names, out);
        }
        if (n.peerChildren != null) {
            Node c = n.peerChildren.get(q.senderPeer);
            if (c != null) {
                visit(c, INTERFACE, q, names, out);
            }
        }
        if (n.children != null) {
            int owned = names.ownedCount(q.senderPeer);
            for (int i = 0; i < owned; i++) {
                Node c = n.children.get(names.ownedName(q.senderPeer, i));
                if (c != null) {
                    visit(c, INTERFACE, q, names, out);
                }
            }
        }
    }

    private void visit(Node n, int level, MatchLookup q, SenderNames names, IntConsumer out) {
        if (level == LEAF) {
            Rule[] rs = n.rules;
            for (int i = 0, c = n.ruleCount; i < c; i++) {
                Rule r = rs[i];
                PeerRules p = r.owner;
                if (p.epoch != epoch && p.peer != q.recipientPeer && matchesRest(r, q, names, false)) {
                    p.epoch = epoch;
                    out.accept(p.peer);
                }
            }
            return;
        }
        if (n.any != null) {
            visit(n.any, level + 1, q, names, out);
        }
        if (n.children != null) {
            MemorySegment seg;
            long off;
            int len;
            switch (level) {
                case INTERFACE -> { seg = q.ifaceSeg; off = q.ifaceOff; len = q.ifaceLen; }
                case MEMBER -> { seg = q.memberSeg; off = q.memberOff; len = q.memberLen; }
                default -> { seg = q.pathSeg; off = q.pathOff; len = q.pathLen; }
            }
            if (len >= 0) {
                Node c = n.children.get(seg, off, len);
                if (c != null) {
                    visit(c, level + 1, q, names, out);
                }
            }
        }
    }

    /** The keys the index did not decide, cheapest first, body arguments last. */
    private static boolean matchesRest(Rule r, MatchLookup q, SenderNames names, boolean monitor) {
        MatchRule m = r.rule;
        if (!monitor && q.hasDestination() && !m.eavesdrop()) {
            return false;
        }
        if (m.type() != 0 && m.type() != q.type) {
            return false;
        }
        if (r.destination != null) {
            if (!q.hasDestination()) {
                return false;
            }
            // dbus-daemon: the addressed recipient must be, or own, the rule's destination name.
            int to = q.recipientPeer >= 0 ? q.recipientPeer : q.destinationAsPeer();
            if (to >= 0) {
                if (r.destinationPeer != to && !names.owns(to, r.destinationName)) {
                    return false;
                }
            } else if (!ByteKeyMap.equal(r.destination, q.destSeg, q.destOff, q.destLen)
                    && (r.destinationPeer < 0 || !names.owns(r.destinationPeer, q.destinationString()))) {
                return false;
            }
        }
        if (r.pathNamespace != null) {
            String path = q.pathString();
            if (path == null || !MatchRule.pathNamespaceMatches(r.pathNamespace, path)) {
                return false;
            }
        }
        if (r.args != null) {
            for (int n = 0; n < r.args.length; n++) {
                String want = r.args[n];
                if (want != null) {
                    String v = q.arg(n);
                    if (v == null || q.argIsPath(n) || !want.equals(v)) {
                        return false;
                    }
                }
            }
        }
        if (r.argPaths != null) {
            for (int n = 0; n < r.argPaths.length; n++) {
                String want = r.argPaths[n];
                if (want != null) {
                    String v = q.arg(n);
                    if (v == null || !MatchRule.argPathMatches(want, v)) {
                        return false;
                    }
                }
            }
        }
        if (r.arg0namespace != null) {
            String v = q.arg(0);
            if (v == null || q.argIsPath(0) || !MatchRule.namespaceMatches(r.arg0namespace, v)) {
                return false;
            }
        }
        return true;
    }

    /** Sender level: unique names and the driver by peer id, well-known names by text. */
    private static Node senderChild(Node n, String sender) {
        if (sender != null) {
            int peer = uniqueToPeer(sender);
            if (peer != -1) {
                if (n.peerChildren == null) {
                    n.peerChildren = new IntObjectMap<>(4);
                }
                Node c = n.peerChildren.get(peer);
                if (c == null) {
                    c = new Node(n, null, peer);
                    n.peerChildren.put(peer, c);
                }
                return c;
            }
        }
        return child(n, sender);
    }

    private static Node child(Node n, String key) {
        if (key == null) {
            if (n.any == null) {
                n.any = new Node(n, null, NO_PEER);
            }
            return n.any;
        }
        if (n.children == null) {
            n.children = new ByteKeyMap<>();
        }
        Node c = n.children.get(key);
        if (c == null) {
            c = new Node(n, key.getBytes(StandardCharsets.UTF_8), NO_PEER);
            n.children.put(c.key, c);
        }
        return c;
    }

    private void unlink(Rule r) {
        Node leaf = r.leaf;
        int last = --leaf.ruleCount;
        Rule moved = leaf.rules[last];
        leaf.rules[r.leafIndex] = moved;
        moved.leafIndex = r.leafIndex;
        leaf.rules[last] = null;
        total--;
        if (r.rule.eavesdrop()) {
            eavesdropRules--;
        }
        for (Node n = leaf; n.parent != null && n.isEmpty(); n = n.parent) {
            if (n.peerKey != NO_PEER) {
                n.parent.peerChildren.remove(n.peerKey);
            } else if (n.key == null) {
                n.parent.any = null;
            } else {
                n.parent.children.remove(n.key);
            }
        }
    }

    /**
     * The peer id a name stands for when it is one of our unique names ({@code ":1." + id}, Peer's
     * convention) or the driver (0); {@link #NEVER} for another unique name; -1 for a well-known name.
     */
    static int uniqueToPeer(String name) {
        if (name.equals(DRIVER_NAME)) {
            return 0;
        }
        if (name.isEmpty() || name.charAt(0) != ':') {
            return -1;
        }
        if (!name.startsWith(":1.") || name.length() == 3 || name.length() > 13) {
            return NEVER;
        }
        long v = 0;
        for (int i = 3; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9' || (c == '0' && i == 3 && name.length() > 4)) {
                return NEVER;
            }
            v = v * 10 + (c - '0');
        }
        return v > Integer.MAX_VALUE ? NEVER : (int) v;
    }

    /** {@link #uniqueToPeer(String)} over bytes; -1 for anything that is not one of our unique names. */
    static int uniqueToPeer(MemorySegment seg, long off, int len) {
        if (len < 4 || len > 13 || seg.get(ValueLayout.JAVA_BYTE, off) != ':'
                || seg.get(ValueLayout.JAVA_BYTE, off + 1) != '1' || seg.get(ValueLayout.JAVA_BYTE, off + 2) != '.') {
            return -1;
        }
        long v = 0;
        for (int i = 3; i < len; i++) {
            byte c = seg.get(ValueLayout.JAVA_BYTE, off + i);
            if (c < '0' || c > '9' || (c == '0' && i == 3 && len > 4)) {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v > Integer.MAX_VALUE ? -1 : (int) v;
    }
}
