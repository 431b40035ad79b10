package dev.omnibus.wire;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.omnibus.wire.SaslServer.State;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

class SaslServerProperties {

    @Property(tries = 3000)
    void randomBytesNeverThrowAndNeverAuthenticate(@ForAll @Size(max = 400) byte[] garbage) {
        SaslServer s = SaslServerTest.unixServer();
        int used = s.feed(MemorySegment.ofArray(garbage), 0, garbage.length);
        assertTrue(used >= 0 && used <= garbage.length);
        assertNotEquals(State.AUTHENTICATED, s.state());
        String out = new String(s.takeOutput(), StandardCharsets.ISO_8859_1);
        if (garbage.length > 0 && garbage[0] != 0) {
            assertTrue(out.isEmpty(), "garbage without the NUL byte produces no reply: " + out);
            assertTrue(s.state() == State.FAILED && used == 1);
        }
    }

    /** After the NUL: random lines built from protocol words and junk; replies are only protocol lines. */
    @Property(tries = 3000)
    void randomCommandsOnlyGiveProtocolReplies(@ForAll("lines") List<String> lines) {
        SaslServer s = SaslServerTest.unixServer();
        byte[] b = ("\0" + String.join("", lines)).getBytes(StandardCharsets.ISO_8859_1);
        int used = s.feed(MemorySegment.ofArray(b), 0, b.length);
        assertTrue(used >= 0 && used <= b.length);
        String out = new String(s.takeOutput(), StandardCharsets.ISO_8859_1);
        for (String line : out.split("\r\n")) {
            assertTrue(line.isEmpty() || line.matches("(OK [0-9a-f]{32}|REJECTED( [A-Z_0-9]+)*|DATA( [0-9a-f]*)?"
                    + "|ERROR \"[^\"]*\"|AGREE_UNIX_FD)"), line);
        }
        if (s.state() == State.FAILED) {
            assertTrue(s.failureReason() != null);
        }
    }

    @Provide
    Arbitrary<List<String>> lines() {
        Arbitrary<String> word = Arbitraries.oneOf(
                Arbitraries.of("AUTH", "AUTH EXTERNAL", "AUTH EXTERNAL 31303030", "AUTH EXTERNAL 30", "AUTH ANONYMOUS",
                        "AUTH DBUS_COOKIE_SHA1 31303030", "DATA", "DATA 31303030", "DATA zz", "CANCEL", "ERROR",
                        "BEGIN", "NEGOTIATE_UNIX_FD", "OK", "REJECTED", ""),
                Arbitraries.strings().ofMaxLength(30).map(x -> x.chars().mapToObj(c -> String.valueOf((char) (c & 0xff)))
                        .reduce("", String::concat)));
        return word.map(w -> w + "\r\n").list().ofMaxSize(12);
    }
}
