package dev.omnibus.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class NamesTest {
    private static boolean seg(String s, java.util.function.BiFunction<MemorySegment, Integer, Boolean> f) {
        byte[] b = ("xx" + s).getBytes(StandardCharsets.UTF_8);
        return f.apply(MemorySegment.ofArray(b), b.length - 2);
    }

    private static void bus(String s, boolean valid) {
        assertEquals(valid, Names.isValidBusName(s), s);
        assertEquals(valid, seg(s, (m, l) -> Names.isValidBusName(m, 2, l)), s);
    }

    @Test
    void acceptsValidBusNames() {
        bus("org.freedesktop.DBus", true);
        bus("a.b", true);
        bus("com.example-app.x_y", true);
        bus(":1.42", true);
        bus(":abc.0def", true);
        bus("a." + "b".repeat(253), true);
    }

    @Test
    void rejectsBusNamesBreakingEachRule() {
        bus("", false);
        bus("nodots", false);               // needs two elements
        bus(".a.b", false);                 // leading period
        bus("a..b", false);                 // empty element
        bus("a.b.", false);                 // trailing period
        bus("a.1b", false);                 // well-known element starting with a digit
        bus("a.b$", false);                 // bad character
        bus("a.b\u00e9", false);            // non-ASCII
        bus("a." + "b".repeat(254), false); // 256 bytes
        bus(":1", false);                   // unique name still needs a '.'
        bus(":", false);
    }

    @Test
    void uniqueAndWellKnownAreDistinguished() {
        assertTrue(Names.isValidUniqueName(":1.5"));
        assertFalse(Names.isValidUniqueName("a.b"));
        assertTrue(Names.isValidWellKnownName("a.b"));
        assertFalse(Names.isValidWellKnownName(":1.5"));
        assertTrue(seg(":1.5", (m, l) -> Names.isValidUniqueName(m, 2, l)));
        assertFalse(seg(":1.5", (m, l) -> Names.isValidWellKnownName(m, 2, l)));
    }

    @Test
    void interfaceAndErrorNames() {
        for (String ok : new String[] {"a.b", "org.freedesktop.DBus.Properties", "_a.b_9"}) {
            assertTrue(Names.isValidInterfaceName(ok), ok);
            assertTrue(Names.isValidErrorName(ok), ok);
            assertTrue(seg(ok, (m, l) -> Names.isValidInterfaceName(m, 2, l)), ok);
        }
        for (String bad : new String[] {"", "a", "a..b", ".a.b", "a.b.", "a.9b", "a-b.c", ":1.2", "a." + "b".repeat(254)}) {
            assertFalse(Names.isValidInterfaceName(bad), bad);
            assertFalse(Names.isValidErrorName(bad), bad);
            assertFalse(seg(bad, (m, l) -> Names.isValidErrorName(m, 2, l)), bad);
        }
    }

    @Test
    void memberNames() {
        assertTrue(Names.isValidMemberName("Hello"));
        assertTrue(Names.isValidMemberName("_x9"));
        assertTrue(Names.isValidMemberName("a".repeat(255)));
        assertFalse(Names.isValidMemberName(""));
        assertFalse(Names.isValidMemberName("9a"));
        assertFalse(Names.isValidMemberName("a.b"));
        assertFalse(Names.isValidMemberName("a-b"));
        assertFalse(Names.isValidMemberName("a".repeat(256)));
        assertFalse(seg("9a", (m, l) -> Names.isValidMemberName(m, 2, l)));
    }

    @Test
    void objectPaths() {
        for (String ok : new String[] {"/", "/a", "/org/freedesktop/DBus", "/a_1/B2/_", "/" + "x".repeat(1000)}) {
            assertTrue(Names.isValidObjectPath(ok), ok);
            assertTrue(seg(ok, (m, l) -> Names.isValidObjectPath(m, 2, l)), ok);
        }
        for (String bad : new String[] {"", "a", "//", "/a/", "/a//b", "/a-b", "/a.b", "/\u00e9"}) {
            assertFalse(Names.isValidObjectPath(bad), bad);
            assertFalse(seg(bad, (m, l) -> Names.isValidObjectPath(m, 2, l)), bad);
        }
    }

    // Reference grammars straight from the spec's "Valid Names" / "Valid Object Paths" wording.
    private static final Pattern WELL_KNOWN =
            Pattern.compile("[A-Za-z_-][A-Za-z0-9_-]*(\\.[A-Za-z_-][A-Za-z0-9_-]*)+");
    private static final Pattern UNIQUE = Pattern.compile(":[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)+");
    private static final Pattern DOTTED = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)+");
    private static final Pattern MEMBER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern PATH = Pattern.compile("/|(/[A-Za-z0-9_]+)+");

    /** Name-like strings of 0..40 characters: long enough to cross 8-byte words at every phase. */
    @Provide
    Arbitrary<String> nameLike() {
        return Arbitraries.strings().withChars("aZ_09-.:/.\u00e9\u0000\u007f").ofMinLength(0).ofMaxLength(40)
                .edgeCases(e -> e.add(":1.23456789", "org.freedesktop.DBus", "/org/freedesktop/DBus"));
    }

    @Property(tries = 2000)
    void segmentAndStringVersionsMatchTheSpecGrammarAtAnyOffset(@ForAll("nameLike") String s,
            @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 9) int pad) {
        byte[] text = s.getBytes(StandardCharsets.UTF_8);
        // the name sits at an arbitrary offset with non-zero bytes after it, as in a message
        byte[] b = new byte[pad + text.length + 9];
        java.util.Arrays.fill(b, (byte) 'a');
        System.arraycopy(text, 0, b, pad, text.length);
        MemorySegment m = MemorySegment.ofArray(b);
        int n = text.length;
        boolean short255 = n <= 255;
        boolean bus = short255 && (WELL_KNOWN.matcher(s).matches() || UNIQUE.matcher(s).matches());
        assertEquals(bus, Names.isValidBusName(s), s);
        assertEquals(bus, Names.isValidBusName(m, pad, n), s);
        boolean unique = short255 && UNIQUE.matcher(s).matches();
        assertEquals(unique, Names.isValidUniqueName(m, pad, n), s);
        boolean dotted = short255 && DOTTED.matcher(s).matches();
        assertEquals(dotted, Names.isValidInterfaceName(s), s);
        assertEquals(dotted, Names.isValidInterfaceName(m, pad, n), s);
        boolean member = short255 && MEMBER.matcher(s).matches();
        assertEquals(member, Names.isValidMemberName(s), s);
        assertEquals(member, Names.isValidMemberName(m, pad, n), s);
        boolean path = PATH.matcher(s).matches();
        assertEquals(path, Names.isValidObjectPath(s), s);
        assertEquals(path, Names.isValidObjectPath(m, pad, n), s);
    }
}
