package dev.omnibus.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class AddressProperties {

    /** Any Unicode text without unpaired surrogates (those have no UTF-8 form). */
    @Provide
    Arbitrary<String> text() {
        return Arbitraries.integers().between(0, Character.MAX_CODE_POINT)
                .filter(cp -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE)
                .list().ofMaxSize(24)
                .map(cps -> cps.stream().collect(StringBuilder::new, StringBuilder::appendCodePoint,
                        StringBuilder::append).toString());
    }

    @Property(tries = 3000)
    void unescapeReversesEscape(@ForAll("text") String s) throws Exception {
        String escaped = Address.escape(s);
        assertTrue(escaped.chars().allMatch(c -> c < 0x80 && c != ',' && c != ';' && c != '='), escaped);
        assertEquals(s, Address.unescape(escaped));
    }

    @Property(tries = 1000)
    void entryTextParsesBackToTheSameEntry(@ForAll("text") String a, @ForAll("text") String b) throws Exception {
        Map<String, String> params = new LinkedHashMap<>();
        if (!a.isEmpty()) {
            params.put("path", a);
        }
        if (!b.isEmpty()) {
            params.put("guid", b);
        }
        AddressEntry e = new AddressEntry("unix", params);
        assertEquals(List.of(e, e), Address.parse(e + ";" + e));
    }

    @Property(tries = 2000)
    void garbageNeverThrowsAnythingButAddressException(@ForAll String s) {
        try {
            Address.parse(s);
        } catch (AddressException expected) {
            // every refusal is this type
        }
    }
}
