package dev.omnibus.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressTest {

    @Test
    void parsesSeveralEntriesWithParameters() throws Exception {
        List<AddressEntry> l = Address.parse(
                "tcp:host=127.0.0.1,port=45981,family=ipv4,guid=6be10ff54dd202c144faa8576b0807f6;unix:path=/tmp/exp/bus");
        assertEquals(2, l.size());
        assertEquals("tcp", l.get(0).transport());
        assertEquals("45981", l.get(0).get("port"));
        assertEquals(List.of("host", "port", "family", "guid"), List.copyOf(l.get(0).params().keySet()));
        assertEquals(new AddressEntry("unix", Map.of("path", "/tmp/exp/bus")), l.get(1));
        assertNull(l.get(1).get("abstract"));
    }

    @Test
    void unescapesPercentSequencesInEitherCase() throws Exception {
        assertEquals("/tmp/a b/é", Address.parse("unix:path=%2ftmp%2Fa%20b/%c3%A9").get(0).get("path"));
    }

    @Test
    void allowsOneTrailingSemicolonAndComma() throws Exception {
        assertEquals(1, Address.parse("unix:path=/x;").size());
        assertEquals(Map.of("path", "/x"), Address.parse("unix:path=/x,").get(0).params());
    }

    @Test
    void transportWithoutParametersIsAnEntry() throws Exception {
        assertEquals(new AddressEntry("unix", Map.of()), Address.parse("unix:").get(0));
    }

    @Test
    void repeatedKeyKeepsTheFirstValueAsLibdbus() throws Exception {
        assertEquals("/a", Address.parse("unix:path=/a,path=/b").get(0).get("path"));
    }

    @Test
    void acceptsUnescapedBackslashAsLibdbus() throws Exception {
        assertEquals("a\\b", Address.unescape("a\\b"));
        assertEquals("a%5cb", Address.escape("a\\b"));
    }

    @Test
    void escapeLeavesOnlyTheOptionallyEscapedSetUnescaped() {
        assertEquals("-09AZaz_/.*", Address.escape("-09AZaz_/.*"));
        assertEquals("%20%3d%2c%3b%25%7e%c3%a9%00", Address.escape(" =,;%~é\0"));
    }

    @Test
    void entryToStringEscapesValues() throws Exception {
        AddressEntry e = new AddressEntry("unix", java.util.LinkedHashMap.newLinkedHashMap(1));
        assertEquals("unix:", e.toString());
        AddressEntry p = Address.parse("unix:path=/tmp/a%20b,guid=00").get(0);
        assertEquals("unix:path=/tmp/a%20b,guid=00", p.toString());
        assertEquals(p, Address.parse(p.toString()).get(0));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "\"\"|Empty address",
            "unixpath|Address entry \"unixpath\" does not contain a colon",
            ";unix:path=/x|Address entry \"\" does not contain a colon",
            "unix:path=/x;;|Address entry \"\" does not contain a colon",
            "unix:path=|In address entry \"unix:path=\", \"path=\" is not key=value with a non-empty key and value",
            "unix:=x|In address entry \"unix:=x\", \"=x\" is not key=value with a non-empty key and value",
            "unix:path|In address entry \"unix:path\", \"path\" is not key=value with a non-empty key and value",
            "unix:path=/x,,guid=0|In address entry \"unix:path=/x,,guid=0\", \"\" is not key=value with a non-empty key and value",
            "unix:path=/x%|In D-Bus address, percent character was not followed by two hex digits",
            "unix:path=/x%4|In D-Bus address, percent character was not followed by two hex digits",
            "unix:path=/x%zz|In D-Bus address, percent character was followed by characters other than hex digits",
            "unix:path=/x%٣٣|In D-Bus address, percent character was followed by characters other than hex digits",
            "unix:path=/a b|In D-Bus address, character ' ' should have been escaped",
            "unix:path=/a~b|In D-Bus address, character '~' should have been escaped",
            "unix:path=/a=b|In D-Bus address, character '=' should have been escaped",
            "unix:path=/é|In D-Bus address, character 'é' should have been escaped",
            "unix:path=%ff|In D-Bus address, escaped value is not valid UTF-8",
    })
    void rejectsWithClearMessage(String text, String message) {
        assertEquals(message, assertThrows(AddressException.class, () -> Address.parse(text)).getMessage());
    }
}
