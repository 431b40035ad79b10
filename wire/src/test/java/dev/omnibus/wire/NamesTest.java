package dev.omnibus.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
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
}
