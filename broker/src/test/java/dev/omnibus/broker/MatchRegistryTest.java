package dev.omnibus.broker;

import static org.junit.jupiter.api.Assertions.*;

import dev.omnibus.wire.MatchRule;
import dev.omnibus.wire.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import net.jqwik.api.*;
import org.junit.jupiter.api.Test;

class MatchRegistryTest {

    /** Well-known names for tests: peer -> primary names. */
    static final class Names implements MatchRegistry.SenderNames {
        final Map<Integer, List<String>> owned;
        Names(Map<Integer, List<String>> owned) { this.owned = owned; }
        @Override public int ownedCount(int peer) { return owned.getOrDefault(peer, List.of()).size(); }
        @Override public String ownedName(int peer, int i) { return owned.get(peer).get(i); }
        @Override public boolean owns(int peer, String name) { return owned.getOrDefault(peer, List.of()).contains(name); }
    }

    /** A message for tests. */
    record Msg(int type, int sender, String iface, String member, String path, String dest, List<String> args, List<Boolean> isPath) {
        MatchLookup fill(MatchLookup q) {
            q.reset(type, sender).interfaceName(iface).member(member).path(path).destination(dest);
            q.args(new MatchLookup.Args() {
                @Override public String argString(int n) { return n < args.size() ? args.get(n) : null; }
                @Override public boolean argIsObjectPath(int n) { return n < args.size() && isPath.get(n); }
            });
            return q;
        }
    }

    static MatchRule rule(String text) {
        try {
            return MatchRule.parse(text);
        } catch (Exception e) {
            throw new AssertionError(text, e);
        }
    }

    final MatchRegistry reg = new MatchRegistry();
    final Names names = new Names(Map.of(7, List.of("com.example.Seven")));

    TreeSet<Integer> lookup(Msg m) {
        TreeSet<Integer> out = new TreeSet<>();
        reg.lookup(m.fill(new MatchLookup()), names, p -> assertTrue(out.add(p), "peer reported twice: " + p));
        return out;
    }

    static Msg signal(int sender, String iface, String member, String path, String... args) {
        List<Boolean> paths = new ArrayList<>();
        for (String a : args) paths.add(false);
        return new Msg(Protocol.SIGNAL, sender, iface, member, path, null, List.of(args), paths);
    }

    @Test
    void reportsEachPeerOnceEvenWithSeveralMatchingRules() {
        reg.add(1, rule("type='signal'"));
        reg.add(1, rule("interface='a.b'"));
        reg.add(1, rule("interface='a.b'"));
        reg.add(2, rule("member='M'"));
        reg.add(3, rule("member='Other'"));
        assertEquals(new TreeSet<>(List.of(1, 2)), lookup(signal(9, "a.b", "M", "/p")));
    }

    @Test
    void removeTakesOneDuplicateAtATime() {
        reg.add(1, rule("interface='a.b'"));
        reg.add(1, rule("interface='a.b'"));
        assertTrue(reg.remove(1, rule("interface='a.b'")));
        assertEquals(1, reg.count(1));
        assertEquals(Set1(1), lookup(signal(9, "a.b", "M", "/p")));
        assertTrue(reg.remove(1, rule("interface='a.b'")));
        assertFalse(reg.remove(1, rule("interface='a.b'")));
        assertEquals(Set1(), lookup(signal(9, "a.b", "M", "/p")));
        assertEquals(0, reg.size());
    }

    static TreeSet<Integer> Set1(Integer... xs) { return new TreeSet<>(List.of(xs)); }

    @Test
    void senderMatchesUniqueNameDriverAndOwnedWellKnownName() {
        reg.add(1, rule("sender=':1.7'"));
        reg.add(2, rule("sender='com.example.Seven'"));
        reg.add(3, rule("sender='org.freedesktop.DBus'"));
        reg.add(4, rule("sender=':1.8'"));
        assertEquals(Set1(1, 2), lookup(signal(7, "a.b", "M", "/p")));
        assertEquals(Set1(3), lookup(signal(0, "a.b", "M", "/p")));
    }

    @Test
    void unicastMatchesOnlyEavesdropRulesAndNeverTheRecipient() {
        reg.add(1, rule("member='M'"));
        reg.add(2, rule("member='M',eavesdrop='true'"));
        reg.add(3, rule("member='M',eavesdrop='true'"));
        Msg m = new Msg(Protocol.SIGNAL, 9, "a.b", "M", "/p", ":1.3", List.of(), List.of());
        TreeSet<Integer> out = new TreeSet<>();
        reg.lookup(m.fill(new MatchLookup()).recipient(3), names, out::add);
        assertEquals(Set1(2), out);
        assertTrue(reg.hasEavesdroppers());
        assertEquals(Set1(1, 2, 3), lookup(signal(9, "a.b", "M", "/p")), "broadcast matches all");
    }

    @Test
    void destinationKeyNeedsAUnicastToThatPeerOrAName() {
        reg.add(1, rule("destination=':1.7',eavesdrop='true'"));
        Msg toSeven = new Msg(Protocol.SIGNAL, 9, "a.b", "M", "/p", "com.example.Seven", List.of(), List.of());
        assertEquals(Set1(1), lookup(toSeven));
        Msg toEight = new Msg(Protocol.SIGNAL, 9, "a.b", "M", "/p", ":1.8", List.of(), List.of());
        assertEquals(Set1(), lookup(toEight));
        assertEquals(Set1(), lookup(signal(9, "a.b", "M", "/p")), "broadcast has no destination");
    }

    @Test
    void argMatchesStringsOnlyArgPathBothAndNamespaces() {
        reg.add(1, rule("arg0='/a/b'"));
        reg.add(2, rule("arg0path='/a/'"));
        reg.add(3, rule("arg0namespace='a.b'"));
        reg.add(4, rule("path_namespace='/a'"));
        Msg obj = new Msg(Protocol.SIGNAL, 9, "x.y", "S", "/a/b", null, List.of("/a/b"), List.of(true));
        assertEquals(Set1(2, 4), lookup(obj));
        Msg str = new Msg(Protocol.SIGNAL, 9, "x.y", "S", "/ab", null, List.of("/a/b"), List.of(false));
        assertEquals(Set1(1, 2), lookup(str));
        Msg ns = new Msg(Protocol.SIGNAL, 9, "x.y", "S", "/a", null, List.of("a.b.c"), List.of(false));
        assertEquals(Set1(3, 4), lookup(ns));
    }

    @Test
    void removeAllForgetsThePeerAndPrunesTheIndex() {
        for (int i = 0; i < 100; i++) {
            reg.add(1, rule("type='signal',interface='a.b',member='M" + i + "',path='/p/" + i + "'"));
        }
        reg.add(2, rule("member='M5'"));
        assertEquals(Set1(1, 2), lookup(signal(9, "a.b", "M5", "/p/5")));
        assertEquals(100, reg.removeAll(1));
        assertEquals(0, reg.count(1));
        assertEquals(List.of(), reg.rules(1));
        assertEquals(Set1(2), lookup(signal(9, "a.b", "M5", "/p/5")));
        assertEquals(1, reg.size());
    }

    // ---- equivalence with a linear scan of the spec semantics ----

    static final String[] IFACES = {"a.b", "a.c", "x.y"};
    static final String[] MEMBERS = {"M", "N", "NameOwnerChanged"};
    static final String[] PATHS = {"/", "/a", "/a/b", "/ab", "/a/b/c"};
    static final String[] ARGS = {"/a/", "/a/b", "a.b", "a.b.c", "x", "/"};
    static final String[] SENDERS = {":1.1", ":1.2", ":1.7", "com.example.Seven", "org.freedesktop.DBus", ":1.99"};
    static final String[] DESTS = {":1.1", ":1.3", "com.example.Seven"};

    @Provide
    Arbitrary<String> rules() {
        Arbitrary<String> type = Arbitraries.of("", "type='signal',", "type='method_call',");
        Arbitrary<String> sender = Arbitraries.of(SENDERS).map(s -> "sender='" + s + "',").injectNull(0.6).map(s -> s == null ? "" : s);
        Arbitrary<String> iface = Arbitraries.of(IFACES).map(s -> "interface='" + s + "',").injectNull(0.4).map(s -> s == null ? "" : s);
        Arbitrary<String> member = Arbitraries.of(MEMBERS).map(s -> "member='" + s + "',").injectNull(0.4).map(s -> s == null ? "" : s);
        Arbitrary<String> path = Arbitraries.of(PATHS).flatMap(p -> Arbitraries.of("path='" + p + "',", "path_namespace='" + p + "',", "", ""));
        Arbitrary<String> dest = Arbitraries.of(DESTS).map(s -> "destination='" + s + "',").injectNull(0.8).map(s -> s == null ? "" : s);
        Arbitrary<String> arg = Arbitraries.of(ARGS).flatMap(a -> Arbitraries.of("arg0='" + a + "',", "arg1path='" + a + "',", "arg0namespace='a.b',", "", "", ""));
        Arbitrary<String> eav = Arbitraries.of("", "", "eavesdrop='true',");
        return Combinators.combine(type, sender, iface, member, path, dest, arg, eav)
                .as((a, b, c, d, e, f, g, h) -> (a + b + c + d + e + f + g + h).replaceAll(",$", ""));
    }

    @Provide
    Arbitrary<Msg> messages() {
        Arbitrary<Integer> type = Arbitraries.of(Protocol.SIGNAL, Protocol.METHOD_CALL);
        Arbitrary<Integer> sender = Arbitraries.of(0, 1, 2, 7);
        Arbitrary<String> iface = Arbitraries.of(IFACES).injectNull(0.1);
        Arbitrary<String> member = Arbitraries.of(MEMBERS);
        Arbitrary<String> path = Arbitraries.of(PATHS);
        Arbitrary<String> dest = Arbitraries.of(DESTS).injectNull(0.6);
        Arbitrary<List<String>> args = Arbitraries.of(ARGS).list().ofMaxSize(3);
        Arbitrary<List<Boolean>> isPath = Arbitraries.of(true, false).list().ofSize(3);
        return Combinators.combine(type, sender, iface, member, path, dest, args, isPath)
                .as(Msg::new);
    }

    @Property(tries = 1000)
    void indexGivesTheSamePeersAsALinearScan(@ForAll("messages") Msg msg,
            @ForAll @net.jqwik.api.constraints.Size(max = 40) List<@From("rules") String> ruleTexts,
            @ForAll @net.jqwik.api.constraints.IntRange(min = 1, max = 5) int peers) {
        MatchRegistry r = new MatchRegistry();
        List<int[]> owners = new ArrayList<>();
        List<MatchRule> parsed = new ArrayList<>();
        for (int i = 0; i < ruleTexts.size(); i++) {
            MatchRule mr = rule(ruleTexts.get(i));
            int peer = 1 + i % peers;
            r.add(peer, mr);
            parsed.add(mr);
            owners.add(new int[] {peer});
        }
        // Remove a few to exercise unlinking.
        for (int i = 0; i < parsed.size(); i += 4) {
            assertTrue(r.remove(owners.get(i)[0], parsed.get(i)));
        }
        int recipient = msg.dest() == null ? -1 : msg.dest().equals(":1.1") ? 1 : msg.dest().equals(":1.3") ? 3 : 7;
        TreeSet<Integer> expected = new TreeSet<>();
        for (int i = 0; i < parsed.size(); i++) {
            int peer = owners.get(i)[0];
            if (i % 4 != 0 && peer != recipient && naive(parsed.get(i), msg, recipient, names)) {
                expected.add(peer);
            }
        }
        TreeSet<Integer> got = new TreeSet<>();
        MatchLookup q = msg.fill(new MatchLookup());
        if (recipient >= 0) q.recipient(recipient);
        r.lookup(q, names, p -> assertTrue(got.add(p)));
        net.jqwik.api.statistics.Statistics.label("matches").collect(expected.isEmpty() ? "none" : "some");
        assertEquals(expected, got, () -> msg + " " + ruleTexts);
    }

    /** The spec's rule semantics, written plainly. */
    static boolean naive(MatchRule r, Msg m, int recipient, Names names) {
        if (m.dest() != null && !r.eavesdrop()) return false;
        if (r.type() != 0 && r.type() != m.type()) return false;
        if (r.sender() != null) {
            String unique = m.sender() == 0 ? "org.freedesktop.DBus" : ":1." + m.sender();
            if (!r.sender().equals(unique) && !names.owns(m.sender(), r.sender())) return false;
        }
        if (r.interfaceName() != null && !r.interfaceName().equals(m.iface())) return false;
        if (r.member() != null && !r.member().equals(m.member())) return false;
        if (r.path() != null && !r.path().equals(m.path())) return false;
        if (r.pathNamespace() != null && (m.path() == null || !MatchRule.pathNamespaceMatches(r.pathNamespace(), m.path()))) return false;
        if (r.destination() != null) {
            if (m.dest() == null) return false;
            if (!r.destination().equals(":1." + recipient) && !names.owns(recipient, r.destination())) return false;
        }
        for (int n = 0; n <= r.maxArg(); n++) {
            String v = n < m.args().size() ? m.args().get(n) : null;
            boolean isPath = v != null && m.isPath().get(n);
            if (r.arg(n) != null && (v == null || isPath || !r.arg(n).equals(v))) return false;
            if (r.argPath(n) != null && (v == null || !MatchRule.argPathMatches(r.argPath(n), v))) return false;
        }
        if (r.arg0namespace() != null) {
            String v = m.args().isEmpty() ? null : m.args().get(0);
            if (v == null || m.isPath().get(0) || !MatchRule.namespaceMatches(r.arg0namespace(), v)) return false;
        }
        return true;
    }
}
