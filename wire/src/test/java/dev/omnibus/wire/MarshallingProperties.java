package dev.omnibus.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class MarshallingProperties {

    @Property(tries = 1000)
    void randomValuesRoundTripInBothByteOrders(@ForAll long seed, @ForAll boolean big,
            @ForAll @IntRange(min = 0, max = 4) int types) {
        RandomValues rv = new RandomValues(new Random(seed));
        String sig = rv.signature(types, 3);
        List<Object> values = rv.values(sig, 3);
        byte[] m = RandomValues.message(big, sig, values);
        MessageView v = new MessageView();
        int r = Msgs.wrap(v, m, RandomValues.FDS);
        assertEquals(WireError.OK, r, () -> sig + ": " + v.errorDetail());
        assertEquals(sig, v.signature());
        assertEquals(values, Unmarshaller.readAll(v.body()), sig);
        // skip() agrees with reading: every argument can be skipped to the end
        BodyReader br = v.body();
        int n = 0;
        while (br.hasNext()) {
            br.skip();
            n++;
        }
        assertEquals(values.size(), n);
        assertEquals(v.bodyOffset() + v.bodyLength(), br.position());
    }

    @Property(tries = 150)
    void everySingleByteCorruptionIsRejectedOrStillValid(@ForAll long seed, @ForAll boolean big) {
        Random random = new Random(seed);
        RandomValues rv = new RandomValues(random);
        String sig = rv.signature(1 + random.nextInt(3), 2);
        byte[] m = RandomValues.message(big, sig, rv.values(sig, 2));
        MessageView v = new MessageView();
        for (int i = 0; i < m.length; i++) {
            byte[] c = m.clone();
            c[i] = (byte) (c[i] ^ (1 + random.nextInt(255)));
            int r = Msgs.wrap(v, c, RandomValues.FDS);
            if (r == WireError.OK) {
                // still valid: must be fully readable, and stitchable
                Unmarshaller.readAll(v.body());
                byte[] out = new byte[SenderStitch.headerLength(v, 4)];
                SenderStitch.writeHeader(v, ":1.9".getBytes(), java.lang.foreign.MemorySegment.ofArray(out), 0);
            } else {
                assertTrue(r > 0 && !v.errorDetail().isEmpty());
            }
        }
    }
}
