package dev.omnibus.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SignatureTest {
    private static int code(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return Signature.validate(MemorySegment.ofArray(b), 0, b.length);
    }

    @Test
    void acceptsValidSignatures() throws WireException {
        for (String s : new String[] {"", "y", "ybnqiuxtdhsogv", "as", "a{sv}", "a{s(ii)}", "(i(s)a{yv})", "aai",
                "sa{sv}as", "a(oa{sa{sv}})"}) {
            assertEquals(WireError.OK, code(s), s);
            assertEquals(s, Signature.parse(s).toString());
        }
    }

    @Test
    void rejectsSignatureLongerThan255Bytes() {
        assertEquals(WireError.OK, code("i".repeat(255)));
        assertEquals(WireError.SIGNATURE_TOO_LONG, code("i".repeat(256)));
    }

    @Test
    void rejectsUnknownAndReservedTypeCodes() {
        for (String s : new String[] {"z", "r", "e", "m", "*", "?", "@", "&", "^", "i\0", "a{zs}"}) {
            assertEquals(WireError.SIGNATURE_BAD_TYPE_CODE, code(s), s);
        }
        WireException e = assertThrows(WireException.class, () -> Signature.parse("\u00e9"));
        assertEquals(WireError.SIGNATURE_BAD_TYPE_CODE, e.code());
    }

    @Test
    void rejectsArrayNestingOver32() {
        assertEquals(WireError.OK, code("a".repeat(32) + "i"));
        assertEquals(WireError.SIGNATURE_ARRAY_TOO_DEEP, code("a".repeat(33) + "i"));
    }

    @Test
    void rejectsStructNestingOver32IncludingDictEntries() {
        assertEquals(WireError.OK, code("(".repeat(32) + "i" + ")".repeat(32)));
        assertEquals(WireError.SIGNATURE_STRUCT_TOO_DEEP, code("(".repeat(33) + "i" + ")".repeat(33)));
        assertEquals(WireError.SIGNATURE_STRUCT_TOO_DEEP, code("(".repeat(32) + "a{si}" + ")".repeat(32)));
    }

    @Test
    void allowsTotalDepth64WithArraysAndStructs() {
        String s = "a".repeat(32) + "(".repeat(32) + "i" + ")".repeat(32);
        assertEquals(WireError.OK, code(s));
    }

    @Test
    void rejectsEmptyStructAndUnbalancedBrackets() {
        assertEquals(WireError.SIGNATURE_EMPTY_STRUCT, code("()"));
        assertEquals(WireError.SIGNATURE_UNBALANCED, code("(i"));
        assertEquals(WireError.SIGNATURE_UNBALANCED, code("i)"));
        assertEquals(WireError.SIGNATURE_UNBALANCED, code("a{sv"));
        assertEquals(WireError.SIGNATURE_UNBALANCED, code("(i}"));
    }

    @Test
    void rejectsArrayWithoutElementType() {
        assertEquals(WireError.SIGNATURE_ARRAY_WITHOUT_ELEMENT, code("a"));
        assertEquals(WireError.SIGNATURE_ARRAY_WITHOUT_ELEMENT, code("ia"));
        assertEquals(WireError.SIGNATURE_ARRAY_WITHOUT_ELEMENT, code("(a)"));
    }

    @Test
    void dictEntryRules() {
        assertEquals(WireError.SIGNATURE_DICT_ENTRY_NOT_IN_ARRAY, code("{sv}"));
        assertEquals(WireError.SIGNATURE_DICT_ENTRY_NOT_IN_ARRAY, code("(i{sv})"));
        assertEquals(WireError.SIGNATURE_DICT_KEY_NOT_BASIC, code("a{vs}"));
        assertEquals(WireError.SIGNATURE_DICT_KEY_NOT_BASIC, code("a{(i)s}"));
        assertEquals(WireError.SIGNATURE_DICT_KEY_NOT_BASIC, code("a{ass}"));
        assertEquals(WireError.SIGNATURE_DICT_ENTRY_FIELD_COUNT, code("a{}"));
        assertEquals(WireError.SIGNATURE_DICT_ENTRY_FIELD_COUNT, code("a{s}"));
        assertEquals(WireError.SIGNATURE_DICT_ENTRY_FIELD_COUNT, code("a{sii}"));
        assertEquals(WireError.OK, code("a{ha{gv}}"));
    }

    @Test
    void singleCompleteType() {
        assertTrue(Signature.isSingleCompleteType("i"));
        assertTrue(Signature.isSingleCompleteType("a{sv}"));
        assertTrue(Signature.isSingleCompleteType("(ii)"));
        assertFalse(Signature.isSingleCompleteType("ii"));
        assertFalse(Signature.isSingleCompleteType(""));
        assertFalse(Signature.isSingleCompleteType("a"));
    }

    @Test
    void describesEveryCodeItReturns() {
        WireException e = assertThrows(WireException.class, () -> Signature.parse("a{vs}"));
        assertTrue(e.getMessage().contains("dict entry key is not a basic type"), e.getMessage());
    }

    /** The String shortcuts (runs of basic codes and 'v') agree with the full check on bytes. */
    @net.jqwik.api.Property(tries = 2000)
    void stringChecksAgreeWithTheSegmentValidator(
            @net.jqwik.api.ForAll @net.jqwik.api.constraints.Chars({'y', 's', 'o', 'g', 'v', 'h', 'a', '(', ')', '{', '}', 'z'})
            @net.jqwik.api.constraints.StringLength(max = 6) String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        java.lang.foreign.MemorySegment m = java.lang.foreign.MemorySegment.ofArray(b);
        assertEquals(Signature.validate(m, 0, b.length) == WireError.OK, Signature.isValid(s), s);
        assertEquals(Signature.validateSingle(m, 0, b.length) == WireError.OK, Signature.isSingleCompleteType(s), s);
    }
}
