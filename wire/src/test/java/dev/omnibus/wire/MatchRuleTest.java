package dev.omnibus.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MatchRuleTest {

    private static MatchRule parse(String s) throws MatchRuleException {
        return MatchRule.parse(s);
    }

    private static String rejection(String s) {
        return assertThrows(MatchRuleException.class, () -> MatchRule.parse(s)).getMessage();
    }

    @Test
    void parsesEveryKey() throws Exception {
        MatchRule r = parse("type='signal',sender='org.x.Y',interface='a.b',member='Foo',path='/a/b',"
                + "destination=':1.7',arg0namespace='org.x',arg1='one',arg2path='/p/',arg63='last',eavesdrop='true'");
        assertEquals(4, r.type());
        assertEquals("org.x.Y", r.sender());
        assertEquals("a.b", r.interfaceName());
        assertEquals("Foo", r.member());
        assertEquals("/a/b", r.path());
        assertNull(r.pathNamespace());
        assertEquals(":1.7", r.destination());
        assertEquals("org.x", r.arg0namespace());
        assertEquals("one", r.arg(1));
        assertNull(r.argPath(1));
        assertEquals("/p/", r.argPath(2));
        assertNull(r.arg(2));
        assertEquals("last", r.arg(63));
        assertNull(r.arg(0));
        assertNull(r.arg(64));
        assertEquals(63, r.maxArg());
        assertTrue(r.eavesdrop());
    }

    @Test
    void emptyRuleMatchesEverything() throws Exception {
        MatchRule r = parse("");
        assertEquals(0, r.type());
        assertEquals(-1, r.maxArg());
        assertFalse(r.eavesdrop());
        assertEquals("", r.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "type='method_call'|1", "type='method_return'|2", "type='error'|3", "type='signal'|4", "type=signal|4"})
    void parsesMessageTypes(String text, int type) throws Exception {
        assertEquals(type, parse(text).type());
    }

    @Test
    void pathNamespaceIsKept() throws Exception {
        assertEquals("/org/a", parse("path_namespace='/org/a'").pathNamespace());
        assertEquals("/", parse("path_namespace='/'").pathNamespace());
    }

    @Test
    void quotingFollowsDbusDaemon() throws Exception {
        assertEquals("it's", parse("arg0='it'\\''s'").arg(0));      // close, \', reopen
        assertEquals("a'b", parse("arg0=a\\'b").arg(0));            // \' outside quotes
        assertEquals("a\\b", parse("arg0='a\\b'").arg(0));          // backslash literal inside quotes
        assertEquals("a\\b", parse("arg0=a\\b").arg(0));            // and outside, before a non-apostrophe
        assertEquals("a,b", parse("arg0='a,b'").arg(0));            // comma inside quotes
        assertEquals("signal", parse("type='sig''nal'").type() == 4 ? "signal" : "?");
        assertEquals("a b", parse("arg0=a b").arg(0));              // unquoted spaces are kept
        assertEquals("", parse("arg0=''").arg(0));
    }

    @Test
    void whitespaceAroundKeysIsIgnoredButNotInValues() throws Exception {
        assertEquals(4, parse("  type ='signal',  member='X'").type());
        assertEquals("x  ", parse("arg0='x'  ").arg(0));
        assertEquals("Invalid message type (signal ) in match rule", rejection("type='signal' ,member='X'"));
    }

    @Test
    void trailingCommaIsAllowed() throws Exception {
        assertEquals("x", parse("arg0='x',").arg(0));
    }

    @Test
    void argNumbersWithLeadingZerosAreAccepted() throws Exception {
        assertEquals("x", parse("arg01='x'").arg(1));
    }

    @Test
    void equalityIgnoresQuotingAndOrder() throws Exception {
        MatchRule a = parse("type='signal',member='X',arg3='y'");
        MatchRule b = parse(" arg3=y, member=X,type=signal");
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
    }

    @Test
    void eavesdropFalseEqualsNoEavesdropKey() throws Exception {
        assertEquals(parse("arg1='x'"), parse("arg1='x',eavesdrop='false'"));
        assertNotEquals(parse("type='signal'"), parse("type='signal',eavesdrop='true'"));
    }

    @Test
    void repeatedEavesdropKeepsTheLast() throws Exception {
        assertFalse(parse("eavesdrop='true',eavesdrop='false'").eavesdrop());
    }

    @Test
    void argAndArgPathAreDifferentRules() throws Exception {
        assertNotEquals(parse("arg0='a'"), parse("arg0path='a'"));
    }

    @Test
    void toStringIsCanonicalInDbusDaemonOrder() throws Exception {
        assertEquals("type='signal',interface='a.b',member='Foo',path='/a',sender='org.x',destination=':1.1',"
                        + "eavesdrop='true',arg0namespace='a.b',arg1path='/p/',arg3='x'",
                parse("member='Foo',type='signal',interface='a.b',sender='org.x',path='/a',destination=':1.1',"
                        + "arg3='x',arg1path='/p/',arg0namespace='a.b',eavesdrop='true'").toString());
    }

    @Test
    void toStringEscapesApostrophesSoItParsesBack() throws Exception {
        MatchRule r = parse("arg0=it\\'s");
        assertEquals("arg0='it'\\''s'", r.toString());
        assertEquals(r, parse(r.toString()));
    }

    @Test
    void acceptsRuleOfExactly1024Bytes() throws Exception {
        String prefix = "arg0='";
        String rule = prefix + "x".repeat(1024 - prefix.length() - 1) + "'";
        assertEquals(1024, rule.length());
        parse(rule);
    }

    @Test
    void rejectsRuleLongerThan1024Bytes() {
        String rule = "arg0='" + "é".repeat(510) + "'"; // 1020 UTF-8 bytes of value: 1027 in all
        assertEquals("Match rule text is 1027 bytes, maximum is 1024", rejection(rule));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "type='foo'|Invalid message type (foo) in match rule",
            "type=|Invalid message type () in match rule",
            "type='METHOD_CALL'|Invalid message type (METHOD_CALL) in match rule",
            "type='signal',type='signal'|Key type specified twice in match rule",
            "interface='a.b',interface='a.b'|Key interface specified twice in match rule",
            "member='A',member='B'|Key member specified twice in match rule",
            "sender='a.b',sender='a.c'|Key sender specified twice in match rule",
            "destination='a.b',destination='a.c'|Key destination specified twice in match rule",
            "path='/a',path_namespace='/a'|path or path_namespace specified twice in match rule",
            "path='/a',path='/a'|path or path_namespace specified twice in match rule",
            "sender='foo'|Sender name 'foo' is invalid",
            "sender=''|Sender name '' is invalid",
            "sender='1a.b'|Sender name '1a.b' is invalid",
            "destination='x'|Destination name 'x' is invalid",
            "interface='a'|Interface name 'a' is invalid",
            "interface='a-b.c'|Interface name 'a-b.c' is invalid",
            "member='1a'|Member name '1a' is invalid",
            "member=''|Member name '' is invalid",
            "member='a.b'|Member name 'a.b' is invalid",
            "path='a'|Path 'a' is invalid",
            "path='/a/'|Path '/a/' is invalid",
            "path='/a//b'|Path '/a//b' is invalid",
            "path_namespace='/a/'|Path '/a/' is invalid",
            "eavesdrop='yes'|eavesdrop='yes' is invalid, it should be 'true' or 'false'",
            "foo='bar'|Unknown key \"foo\" in match rule",
            "TYPE='signal'|Unknown key \"TYPE\" in match rule",
            "type|Match rule has a key with no subsequent '=' character",
            "arg0='x',,|Match rule has a key with no subsequent '=' character",
            "='x'|Match rule has an empty key before '=' at offset 0",
            "type='signal|Unbalanced quotation marks in match rule",
            "arg64='x'|Key 'arg64' in match rule has arg number 64 but the maximum is 63",
            "arg1000000000000='x'|Key 'arg1000000000000' in match rule has arg number 1000000000000 but the maximum is 63",
            "arg='x'|Key 'arg' in match rule lacks an arg number; should be 'arg0' or 'arg7' for example",
            "argx='x'|Key 'argx' in match rule starts with 'arg' but could not parse an arg number; should be 'arg0' or 'arg7' for example",
            "arg-1='x'|Key 'arg-1' in match rule starts with 'arg' but could not parse an arg number; should be 'arg0' or 'arg7' for example",
            "arg3namespace='a'|Key 'arg3namespace' in match rule: only arg0 can be a namespace match ('arg0namespace'), not arg3",
            "arg2foo='a'|Key 'arg2foo' in match rule has junk after the argument number (2); only 'arg2path' or 'arg0namespace' are valid",
            "arg0='a',arg0='b'|Argument arg0 matched more than once in match rule (key 'arg0')",
            "arg0='a',arg0path='/b'|Argument arg0 matched more than once in match rule (key 'arg0path')",
            "arg0path='/a',arg0namespace='b'|Argument arg0 matched more than once in match rule (key 'arg0namespace')",
            "arg0namespace='b',arg0='a'|Argument arg0 matched more than once in match rule (key 'arg0')",
            "arg0namespace='a.'|arg0namespace='a.' is not a valid prefix of a bus name",
            "arg0namespace=''|arg0namespace='' is not a valid prefix of a bus name",
    })
    void rejectsWithClearMessage(String text, String message) {
        assertEquals(message, rejection(text));
    }

    @Test
    void acceptsValidNames() throws Exception {
        assertEquals(":1.42", parse("sender=':1.42'").sender());
        assertEquals("org.free-desktop.DBus", parse("sender='org.free-desktop.DBus'").sender());
        assertEquals("org", parse("arg0namespace='org'").arg0namespace());
        assertEquals("_a.b_2", parse("interface='_a.b_2'").interfaceName());
    }

    @Test
    void rejectsNamesLongerThan255() {
        String name = "a." + "b".repeat(254);
        assertEquals("Interface name '" + name + "' is invalid", rejection("interface='" + name + "'"));
    }

    @Test
    void argPathMatchesFollowsTheSpecExample() {
        // spec, "Match Rules": arg0path='/aa/bb/' matches these ...
        for (String v : new String[] {"/", "/aa/", "/aa/bb/", "/aa/bb/cc/", "/aa/bb/cc"}) {
            assertTrue(MatchRule.argPathMatches("/aa/bb/", v), v);
        }
        // ... and not these
        for (String v : new String[] {"/aa/b", "/aa", "/aa/bb"}) {
            assertFalse(MatchRule.argPathMatches("/aa/bb/", v), v);
        }
        assertTrue(MatchRule.argPathMatches("/aa/bb", "/aa/bb"));
        assertFalse(MatchRule.argPathMatches("/aa/bb", "/aa/bb/cc"));
    }

    @Test
    void namespaceMatchesWholeElementsOnly() {
        assertTrue(MatchRule.namespaceMatches("com.example.backend1", "com.example.backend1"));
        assertTrue(MatchRule.namespaceMatches("com.example.backend1", "com.example.backend1.foo.bar"));
        assertFalse(MatchRule.namespaceMatches("com.example.backend1", "com.example.backend2"));
        assertFalse(MatchRule.namespaceMatches("com.example.backend1", "com.example.backend10"));
        assertFalse(MatchRule.namespaceMatches("com.example.backend1", "com.example"));
    }

    @Test
    void pathNamespaceMatchesWholeElementsOnly() {
        assertTrue(MatchRule.pathNamespaceMatches("/com/example/foo", "/com/example/foo"));
        assertTrue(MatchRule.pathNamespaceMatches("/com/example/foo", "/com/example/foo/bar"));
        assertFalse(MatchRule.pathNamespaceMatches("/com/example/foo", "/com/example/foobar"));
        assertFalse(MatchRule.pathNamespaceMatches("/com/example/foo", "/com/example"));
        assertTrue(MatchRule.pathNamespaceMatches("/", "/anything/at/all"));
        assertTrue(MatchRule.pathNamespaceMatches("/", "/"));
    }
}
