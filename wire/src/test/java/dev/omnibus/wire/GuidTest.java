package dev.omnibus.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GuidTest {
    @Test
    void isThirtyTwoLowercaseHexCharacters() {
        String hex = Guid.random().hex();
        assertEquals(32, hex.length());
        assertTrue(hex.matches("[0-9a-f]{32}"), hex);
    }

    @Test
    void twoRandomGuidsDiffer() {
        assertNotEquals(Guid.random(), Guid.random());
    }
}
