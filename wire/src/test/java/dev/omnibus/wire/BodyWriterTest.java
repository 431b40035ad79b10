package dev.omnibus.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class BodyWriterTest {
    @Test
    void writesAlignedLittleAndBigEndian() {
        BodyWriter le = new BodyWriter(false).reset("yqt");
        le.writeByte(1).writeUint16(0x0203).writeUint64(4);
        assertArrayEquals(new byte[] {1, 0, 3, 2, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0}, le.toBytes());
        BodyWriter be = new BodyWriter(true).reset("yqt");
        be.writeByte(1).writeUint16(0x0203).writeUint64(4);
        assertArrayEquals(new byte[] {1, 0, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4}, be.toBytes());
    }

    @Test
    void emptyArrayStillPadsToElementAlignment() {
        BodyWriter w = new BodyWriter(false).reset("ax");
        w.beginArray("x").endArray();
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0}, w.toBytes());
    }

    @Test
    void rejectsWritesNotMatchingSignature() {
        assertThrows(IllegalStateException.class, () -> new BodyWriter(false).reset("i").writeString("x"));
        assertThrows(IllegalStateException.class, () -> new BodyWriter(false).reset("i").writeInt32(1).writeInt32(2));
        assertThrows(IllegalStateException.class, () -> new BodyWriter(false).reset("(ii)").beginStruct().writeInt32(1).endStruct());
        assertThrows(IllegalStateException.class, () -> new BodyWriter(false).reset("as").beginArray("i"));
        assertThrows(IllegalArgumentException.class, () -> new BodyWriter(false).reset("v").beginVariant("ii"));
        assertThrows(IllegalArgumentException.class, () -> new BodyWriter(false).reset("o").writeObjectPath("bad"));
        assertThrows(IllegalArgumentException.class, () -> new BodyWriter(false).reset("s").writeString("a\0b"));
        MessageBuilder b = new MessageBuilder().reset(1, 0, 1).path("/").member("M");
        b.body("ii").writeInt32(1);
        assertThrows(IllegalStateException.class, b::toBytes);
    }

    @Test
    void builderOutputValidatesAndReadsBack() {
        MessageBuilder b = new MessageBuilder().reset(Protocol.ERROR, 0, 12).errorName("org.x.Error.Failed")
                .replySerial(11).destination(":1.3").sender("org.freedesktop.DBus");
        b.body("s").writeString("it failed");
        byte[] m = b.toBytes();
        MessageView v = new MessageView();
        assertEquals(WireError.OK, Msgs.wrap(v, m), v.errorDetail());
        assertEquals("org.x.Error.Failed", v.errorName());
        assertEquals(11, v.replySerial());
        assertEquals(List.of("it failed"), Unmarshaller.readAll(v.body()));
        assertEquals(m.length, b.length());
    }
}
