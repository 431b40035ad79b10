package dev.omnibus.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
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

    @Test
    void trustedWrapOfBuilderOutputReadsTheSameFields() {
        MessageBuilder b = new MessageBuilder().reset(Protocol.SIGNAL, 0, 7).path("/org/freedesktop/DBus")
                .interfaceName("org.freedesktop.DBus").member("NameOwnerChanged").sender("org.freedesktop.DBus")
                .destination(":1.42");
        b.body("sss").writeString("com.example.Name").writeString("").writeString(":1.42");
        byte[] m = b.toBytes();
        MessageView full = new MessageView(), trusted = new MessageView();
        assertEquals(WireError.OK, Msgs.wrap(full, m), full.errorDetail());
        assertEquals(WireError.OK, trusted.wrapTrusted(MemorySegment.ofArray(m), 0, m.length, 0));
        assertEquals(full.type(), trusted.type());
        assertEquals(full.serial(), trusted.serial());
        assertEquals(full.path(), trusted.path());
        assertEquals(full.interfaceName(), trusted.interfaceName());
        assertEquals(full.member(), trusted.member());
        assertEquals(full.sender(), trusted.sender());
        assertEquals(full.destination(), trusted.destination());
        assertEquals(full.signature(), trusted.signature());
        assertEquals(full.bodyOffset(), trusted.bodyOffset());
        assertEquals(full.bodyLength(), trusted.bodyLength());
        assertEquals(Unmarshaller.readAll(full.body()), Unmarshaller.readAll(trusted.body()));
        // The framing is still checked: a truncated buffer is not taken on trust.
        assertEquals(WireError.TRUNCATED, trusted.wrapTrusted(MemorySegment.ofArray(m), 0, m.length - 1, 0));
        // And the next plain wrap validates again.
        m[m.length - 2] = (byte) 0xff; // inside the last string: invalid UTF-8
        assertEquals(WireError.OK, trusted.wrapTrusted(MemorySegment.ofArray(m), 0, m.length, 0));
        assertNotEquals(WireError.OK, Msgs.wrap(trusted, m));
    }
}
