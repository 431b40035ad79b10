package dev.omnibus.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExecLineTest {

    private static List<String> argv(String s) {
        ExecLine.Result r = ExecLine.parse(s);
        assertTrue(r.ok(), r.error());
        return r.argv();
    }

    @Test
    void splitsOnBlanks() {
        assertEquals(List.of("/usr/bin/x", "--a", "b"), argv("  /usr/bin/x \t--a   b "));
    }

    @Test
    void singleQuotesAreLiteral() {
        assertEquals(List.of("/bin/x", "a b \\n \"q\""), argv("/bin/x 'a b \\n \"q\"'"));
    }

    @Test
    void doubleQuotesEscapeOnlyShellSpecials() {
        assertEquals(List.of("/bin/x", "a \"b\" $c \\d \\"), argv("/bin/x \"a \\\"b\\\" \\$c \\d \\\\\""));
    }

    @Test
    void backslashOutsideQuotesEscapesNextCharacter() {
        assertEquals(List.of("/bin/x", "a b", "c'd"), argv("/bin/x a\\ b c\\'d"));
        assertEquals(List.of("/bin/x", "ab"), argv("/bin/x a\\\nb"));
    }

    @Test
    void adjacentPiecesFormOneWord() {
        assertEquals(List.of("--opt=a b c"), argv("--opt=\"a b\"' c'"));
        assertEquals(List.of("/bin/x", ""), argv("/bin/x ''"));
    }

    @Test
    void hashStartingAWordIsAComment() {
        assertEquals(List.of("/bin/x", "a#b"), argv("/bin/x a#b # comment here"));
    }

    @Test
    void rejectsUnterminatedQuotesTrailingBackslashAndEmpty() {
        assertFalse(ExecLine.parse("/bin/x 'abc").ok());
        assertFalse(ExecLine.parse("/bin/x \"abc").ok());
        assertFalse(ExecLine.parse("/bin/x \\").ok());
        assertEquals("Text was empty (or contained only whitespace)", ExecLine.parse("   ").error());
    }
}
