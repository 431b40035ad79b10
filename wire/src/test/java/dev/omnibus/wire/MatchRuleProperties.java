package dev.omnibus.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class MatchRuleProperties {

    @Property(tries = 2000)
    void toStringParsesBackToAnEqualRule(@ForAll("rules") String text) throws Exception {
        MatchRule rule = MatchRule.parse(text);
        MatchRule again = MatchRule.parse(rule.toString());
        assertEquals(rule, again);
        assertEquals(rule.hashCode(), again.hashCode());
        assertEquals(rule.toString(), again.toString());
    }

    @Property(tries = 2000)
    void garbageNeverThrowsAnythingButMatchRuleException(@ForAll String text) {
        try {
            MatchRule.parse(text);
        } catch (MatchRuleException expected) {
            // fine: every refusal is this type
        }
    }

    private static Arbitrary<String> element(boolean digitsFirst) {
        Arbitrary<String> first = digitsFirst ? Arbitraries.strings().withCharRange('0', '9').ofLength(1)
                : Arbitraries.strings().withCharRange('a', 'z').withChars('_', 'Q').ofLength(1);
        return Combinators.combine(first, Arbitraries.strings().alpha().numeric().withChars('_').ofMaxLength(6))
                .as((a, b) -> a + b);
    }

    private static Arbitrary<String> dotted(int min) {
        return element(false).list().ofMinSize(min).ofMaxSize(4).map(l -> String.join(".", l));
    }

    /** Values with characters that stress quoting: apostrophes, backslashes, commas, spaces, non-ASCII. */
    private static Arbitrary<String> value() {
        return Arbitraries.strings().withChars('\'', '\\', ',', ' ', '=', 'a', 'b', '/', 'é', '.').ofMaxLength(12);
    }

    /** Quotes {@code v} in one of the ways dbus-daemon accepts. */
    private static Arbitrary<String> quoted(String v) {
        String all = "'" + v.replace("'", "'\\''") + "'";
        return Arbitraries.of(all);
    }

    @Provide
    Arbitrary<String> rules() {
        Arbitrary<String> type = Arbitraries.of("method_call", "method_return", "error", "signal").map(t -> "type=" + t);
        Arbitrary<String> sender = dotted(2).map(s -> "sender='" + s + "'");
        Arbitrary<String> unique = Arbitraries.integers().between(0, 99).map(i -> "destination=':1." + i + "'");
        Arbitrary<String> iface = dotted(2).map(s -> "interface='" + s + "'");
        Arbitrary<String> member = element(false).map(s -> "member=" + s);
        Arbitrary<String> path = element(false).list().ofMaxSize(3).map(l -> "/" + String.join("/", l));
        Arbitrary<String> pathKey = Combinators.combine(Arbitraries.of("path", "path_namespace"), path)
                .as((k, p) -> k + "='" + p + "'");
        Arbitrary<String> eaves = Arbitraries.of("eavesdrop='true'", "eavesdrop='false'");
        Arbitrary<String> ns = dotted(1).map(s -> "arg0namespace='" + s + "'");
        Arbitrary<String> arg = Combinators.combine(Arbitraries.integers().between(1, 63),
                        Arbitraries.of("", "path"), value())
                .flatAs((n, suffix, v) -> quoted(v).map(q -> "arg" + n + suffix + "=" + q));
        Arbitrary<List<String>> optional = Combinators.combine(
                type.injectNull(0.4), sender.injectNull(0.6), unique.injectNull(0.7), iface.injectNull(0.5),
                member.injectNull(0.5), pathKey.injectNull(0.5), eaves.injectNull(0.7), ns.injectNull(0.8))
                .as((a, b, c, d, e, f, g, h) -> java.util.stream.Stream.of(a, b, c, d, e, f, g, h)
                        .filter(java.util.Objects::nonNull).toList());
        Arbitrary<List<String>> args = arg.list().ofMaxSize(4).uniqueElements(s -> s.substring(0, s.indexOf('=')).replace("path", ""));
        return Combinators.combine(optional, args).as((o, a) -> {
            java.util.ArrayList<String> all = new java.util.ArrayList<>(o);
            all.addAll(a);
            return all;
        }).flatMap(l -> Arbitraries.shuffle(l)).map(l -> String.join(",", l));
    }
}
