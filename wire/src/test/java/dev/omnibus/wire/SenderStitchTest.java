package dev.omnibus.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SenderStitchTest {

    private static byte[] stitch(MessageView v, String sender) {
        byte[] s = sender.getBytes(StandardCharsets.UTF_8);
        int hl = SenderStitch.headerLength(v, s.length);
        byte[] out = new byte[hl + (int) v.bodyLength()];
        int n = SenderStitch.writeHeader(v, s, MemorySegment.ofArray(out), 0);
        assertEquals(hl, n);
        MemorySegment.copy(v.segment(), v.bodyOffset(), MemorySegment.ofArray(out), hl, v.bodyLength());
        return out;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void replacesSenderAndDropsUnknownFields(boolean big) {
        byte[] m = Msgs.call(big, "sa{sv}", List.of("x", Map.of("k", new Variant("i", 1))),
                Msgs.f(Protocol.FIELD_SENDER, "s", ":9.99"), Msgs.f(42, "ad", List.of(1.0, 2.0)));
        MessageView v = new MessageView();
        assertEquals(WireError.OK, Msgs.wrap(v, m));
        byte[] out = stitch(v, ":1.1234");
        MessageView w = new MessageView();
        assertEquals(WireError.OK, Msgs.wrap(w, out), w.errorDetail());
        assertEquals(":1.1234", w.sender());
        assertEquals(big, w.bigEndian());
        assertEquals(v.path(), w.path());
        assertEquals(v.member(), w.member());
        assertEquals(v.interfaceName(), w.interfaceName());
        assertEquals(v.destination(), w.destination());
        assertEquals(v.serial(), w.serial());
        assertEquals(Unmarshaller.readAll(v.body()), Unmarshaller.readAll(w.body()));
        assertEquals(0, SenderStitch.headerLength(v, 7) % 8);
        // the unknown field 42 is gone: only known codes remain
        for (int i = 0; i < w.fieldCount(); i++) {
            assertEquals(true, w.fieldCodeAt(i) <= Protocol.MAX_KNOWN_FIELD);
        }
        assertEquals(6, w.fieldCount()); // PATH INTERFACE MEMBER DESTINATION SIGNATURE, new SENDER
    }

    @Property(tries = 300)
    void stitchedRandomMessagesStayValidWithSameBody(@ForAll long seed, @ForAll boolean big) {
        RandomValues rv = new RandomValues(new Random(seed));
        String sig = rv.signature(2, 2);
        List<Object> values = rv.values(sig, 2);
        MessageView v = new MessageView();
        assertEquals(WireError.OK, Msgs.wrap(v, RandomValues.message(big, sig, values), RandomValues.FDS));
        byte[] out = stitch(v, ":1.5");
        MessageView w = new MessageView();
        assertEquals(WireError.OK, Msgs.wrap(w, out, RandomValues.FDS), w.errorDetail());
        assertEquals(":1.5", w.sender());
        assertEquals(values, Unmarshaller.readAll(w.body()));
        byte[] body = Arrays.copyOfRange(out, (int) w.bodyOffset(), out.length);
        byte[] orig = Arrays.copyOfRange(v.segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                (int) v.bodyOffset(), (int) (v.bodyOffset() + v.bodyLength()));
        assertEquals(Arrays.toString(orig), Arrays.toString(body));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void addsSenderWhenAbsent(boolean big) {
        MessageView v = new MessageView();
        assertEquals(WireError.OK, Msgs.wrap(v, Msgs.call(big, "", List.of())));
        assertNull(v.sender());
        MessageView w = new MessageView();
        assertEquals(WireError.OK, Msgs.wrap(w, stitch(v, "org.freedesktop.DBus")), w.errorDetail());
        assertEquals("org.freedesktop.DBus", w.sender());
    }

    /** The stitcher zeroes only the padding it needs: leftovers in a reused buffer must not leak. */
    @Property(tries = 200)
    void stitchingOverOldBytesWritesTheSameHeader(@ForAll long seed, @ForAll boolean big) {
        RandomValues rv = new RandomValues(new Random(seed));
        String sig = rv.signature(2, 2);
        MessageView v = new MessageView();
        assertEquals(WireError.OK, Msgs.wrap(v, RandomValues.message(big, sig, rv.values(sig, 2)), RandomValues.FDS));
        byte[] s = ":1.77".getBytes(StandardCharsets.UTF_8);
        int hl = SenderStitch.headerLength(v, s.length);
        byte[] clean = new byte[3 + hl + 8];
        byte[] dirty = new byte[3 + hl + 8];
        Arrays.fill(dirty, (byte) 0xa5);
        assertEquals(hl, SenderStitch.writeHeader(v, s, MemorySegment.ofArray(clean), 3));
        assertEquals(hl, SenderStitch.writeHeader(v, s, MemorySegment.ofArray(dirty), 3));
        assertEquals(Arrays.toString(Arrays.copyOfRange(clean, 3, 3 + hl)),
                Arrays.toString(Arrays.copyOfRange(dirty, 3, 3 + hl)));
        assertEquals((byte) 0xa5, dirty[2]); // nothing written before the header
    }

    /** Dropped fields anywhere (first, between, last) split the copy runs; the result is byte-exact. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void dropsSenderAndUnknownFieldsAtAnyPositionByteForByte(boolean big) {
        Struct path = Msgs.f(Protocol.FIELD_PATH, "o", new ObjectPath("/a/b"));
        Struct member = Msgs.f(Protocol.FIELD_MEMBER, "s", "Frobnicate");
        Struct dest = Msgs.f(Protocol.FIELD_DESTINATION, "s", "org.example.Dest");
        Struct sig = Msgs.f(Protocol.FIELD_SIGNATURE, "g", new SignatureValue("s"));
        byte[] m = Msgs.raw(big, Protocol.METHOD_CALL, 0, 7, List.of(
                Msgs.f(42, "ay", List.of((byte) 1, (byte) 2, (byte) 3)), path,
                Msgs.f(Protocol.FIELD_SENDER, "s", ":9.9"), member, Msgs.f(50, "(yv)", Struct.of((byte) 1,
                        new Variant("s", "x"))), dest, sig, Msgs.f(51, "u", new UInt32(5))), "s", List.of("body"));
        byte[] expected = Msgs.raw(big, Protocol.METHOD_CALL, 0, 7, List.of(path, member, dest, sig,
                Msgs.f(Protocol.FIELD_SENDER, "s", ":1.42")), "s", List.of("body"));
        MessageView v = new MessageView();
        assertEquals(WireError.OK, Msgs.wrap(v, m), v.errorDetail());
        assertEquals(Arrays.toString(expected), Arrays.toString(stitch(v, ":1.42")));
    }
}
