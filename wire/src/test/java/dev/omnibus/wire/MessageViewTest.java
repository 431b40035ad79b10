package dev.omnibus.wire;

import static dev.omnibus.wire.Msgs.call;
import static dev.omnibus.wire.Msgs.f;
import static dev.omnibus.wire.Msgs.raw;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class MessageViewTest {
    private final MessageView v = new MessageView();

    private void rejects(int code, byte[] msg, String detailPart) {
        rejects(code, msg, 0, detailPart);
    }

    private void rejects(int code, byte[] msg, int fds, String detailPart) {
        int r = Msgs.wrap(v, msg, fds);
        assertEquals(WireError.describe(code), WireError.describe(r), v.errorDetail());
        assertEquals(code, r);
        assertTrue(v.errorDetail().contains(detailPart), v.errorDetail());
    }

    private void accepts(byte[] msg) {
        accepts(msg, 0);
    }

    private void accepts(byte[] msg, int fds) {
        assertEquals(WireError.OK, Msgs.wrap(v, msg, fds), () -> v.errorDetail());
    }

    private static byte[] le(int... ints) {
        byte[] b = new byte[ints.length];
        for (int i = 0; i < ints.length; i++) {
            b[i] = (byte) ints[i];
        }
        return b;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void wrapsValidCallInBothByteOrders(boolean big) {
        byte[] m = call(big, "si", List.of("héllo", 42));
        accepts(m);
        assertEquals(big, v.bigEndian());
        assertEquals(Protocol.METHOD_CALL, v.type());
        assertEquals(7, v.serial());
        assertEquals("/a/b", v.path());
        assertEquals("a.b.C", v.interfaceName());
        assertEquals("Method", v.member());
        assertEquals("org.example.Dest", v.destination());
        assertNull(v.sender());
        assertEquals("si", v.signature());
        assertEquals(m.length, v.length());
        assertEquals(0, v.bodyOffset() % 8);
        assertEquals(m.length - v.bodyOffset(), v.bodyLength());
        assertEquals("héllo", v.argString(0));
        assertNull(v.argString(1));
        assertNull(v.argString(2));
        assertEquals(List.of("héllo", 42), Unmarshaller.readAll(v.body()));
        long o = v.fieldOffset(Protocol.FIELD_MEMBER);
        assertEquals("Method", new String(m, (int) o, v.fieldLength(Protocol.FIELD_MEMBER), StandardCharsets.US_ASCII));
        assertEquals(-1, v.fieldOffset(Protocol.FIELD_SENDER));
    }

    @Test
    void bigEndianBytesMatchHandLayout() {
        byte[] m = raw(true, Protocol.SIGNAL, 0, 0x01020304L, List.of(
                f(Protocol.FIELD_PATH, "o", new ObjectPath("/")),
                f(Protocol.FIELD_INTERFACE, "s", "a.b"),
                f(Protocol.FIELD_MEMBER, "s", "S"),
                f(Protocol.FIELD_SIGNATURE, "g", new SignatureValue("u"))), "u", List.of(new UInt32(5)));
        assertArrayEquals(le('B', 4, 0, 1, 0, 0, 0, 4, 1, 2, 3, 4), java.util.Arrays.copyOf(m, 12));
        // PATH field at 16: code 1, signature "o", padding to 4, length 1, "/", NUL
        assertArrayEquals(le(1, 1, 'o', 0, 0, 0, 0, 1, '/', 0), java.util.Arrays.copyOfRange(m, 16, 26));
        assertArrayEquals(le(0, 0, 0, 5), java.util.Arrays.copyOfRange(m, m.length - 4, m.length));
        accepts(m);
    }

    @Test
    void frameLengthReadsDeclaredLengths() {
        byte[] m = call(false, "s", List.of("x"));
        assertEquals(m.length, MessageView.frameLength(MemorySegment.ofArray(m), 0));
        byte[] bad = m.clone();
        bad[0] = 'x';
        assertEquals(-WireError.BAD_ENDIANNESS, MessageView.frameLength(MemorySegment.ofArray(bad), 0));
        bad = m.clone();
        bad[3] = 2;
        assertEquals(-WireError.BAD_PROTOCOL_VERSION, MessageView.frameLength(MemorySegment.ofArray(bad), 0));
    }

    @Test
    void rejectsMessageLongerThan128MiB() {
        byte[] h = le('l', 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0);
        MemorySegment s = MemorySegment.ofArray(h);
        // body length 128 MiB - 16: total exactly 128 MiB is allowed
        WireBytes.putI32(s, 4, (int) (Protocol.MAX_MESSAGE_LENGTH - 16), false);
        assertEquals(Protocol.MAX_MESSAGE_LENGTH, MessageView.frameLength(s, 0));
        WireBytes.putI32(s, 4, (int) (Protocol.MAX_MESSAGE_LENGTH - 15), false);
        assertEquals(-WireError.MESSAGE_TOO_LONG, MessageView.frameLength(s, 0));
        rejects(WireError.MESSAGE_TOO_LONG, h, "128 MiB");
        WireBytes.putI32(s, 4, -1, false); // 4 GiB: unsigned, not negative
        assertEquals(-WireError.MESSAGE_TOO_LONG, MessageView.frameLength(s, 0));
    }

    @Test
    void rejectsBufferNotMatchingDeclaredLength() {
        byte[] m = call(false, "s", List.of("x"));
        rejects(WireError.TRUNCATED, java.util.Arrays.copyOf(m, m.length - 1), "shorter");
        rejects(WireError.LENGTH_MISMATCH, java.util.Arrays.copyOf(m, m.length + 1), "differs");
        rejects(WireError.TRUNCATED, java.util.Arrays.copyOf(m, 15), "shorter");
    }

    @Test
    void rejectsTypeZeroAndSerialZero() {
        byte[] m = call(false, "", List.of());
        byte[] t0 = m.clone();
        t0[1] = 0;
        rejects(WireError.BAD_MESSAGE_TYPE, t0, "INVALID");
        rejects(WireError.ZERO_SERIAL, raw(false, Protocol.METHOD_CALL, 0, 0, List.of(
                f(1, "o", new ObjectPath("/")), f(3, "s", "M")), "", List.of()), "serial is 0");
    }

    @Test
    void acceptsUnknownTypeAndFlags() {
        accepts(raw(false, 9, 0xf8, 1, List.of(), "", List.of()));
        assertEquals(9, v.type());
        assertEquals(0xf8, v.flags());
    }

    @Test
    void requiredFieldsPerMessageType() {
        Struct path = f(1, "o", new ObjectPath("/p"));
        Struct iface = f(2, "s", "a.b");
        Struct member = f(3, "s", "M");
        Struct err = f(4, "s", "a.b.Error");
        Struct reply = f(5, "u", new UInt32(3));
        accepts(raw(false, Protocol.METHOD_CALL, 0, 1, List.of(path, member), "", List.of()));
        rejects(WireError.MISSING_PATH, raw(false, Protocol.METHOD_CALL, 0, 1, List.of(member), "", List.of()), "PATH");
        rejects(WireError.MISSING_MEMBER, raw(false, Protocol.METHOD_CALL, 0, 1, List.of(path), "", List.of()), "MEMBER");
        accepts(raw(false, Protocol.SIGNAL, 0, 1, List.of(path, iface, member), "", List.of()));
        rejects(WireError.MISSING_INTERFACE, raw(false, Protocol.SIGNAL, 0, 1, List.of(path, member), "", List.of()), "INTERFACE");
        rejects(WireError.MISSING_PATH, raw(false, Protocol.SIGNAL, 0, 1, List.of(iface, member), "", List.of()), "PATH");
        accepts(raw(false, Protocol.METHOD_RETURN, 0, 1, List.of(reply), "", List.of()));
        assertEquals(3, v.replySerial());
        rejects(WireError.MISSING_REPLY_SERIAL, raw(false, Protocol.METHOD_RETURN, 0, 1, List.of(), "", List.of()), "REPLY_SERIAL");
        accepts(raw(false, Protocol.ERROR, 0, 1, List.of(err, reply), "", List.of()));
        assertEquals("a.b.Error", v.errorName());
        rejects(WireError.MISSING_ERROR_NAME, raw(false, Protocol.ERROR, 0, 1, List.of(reply), "", List.of()), "ERROR_NAME");
        rejects(WireError.MISSING_REPLY_SERIAL, raw(false, Protocol.ERROR, 0, 1, List.of(err), "", List.of()), "REPLY_SERIAL");
        rejects(WireError.ZERO_REPLY_SERIAL, raw(false, Protocol.METHOD_RETURN, 0, 1,
                List.of(f(5, "u", new UInt32(0))), "", List.of()), "REPLY_SERIAL is 0");
    }

    @Test
    void headerFieldsMustHaveTheirTypes() {
        Object[][] wrong = {
            {1, "s", "/p"}, {2, "o", new ObjectPath("/a")}, {3, "u", new UInt32(1)}, {4, "g", new SignatureValue("s")},
            {5, "i", 3}, {6, "o", new ObjectPath("/a")}, {7, "as", List.of("a.b")}, {8, "s", "s"}, {9, "i", 0},
        };
        for (Object[] w : wrong) {
            byte[] m = call(false, "", List.of(), f((Integer) w[0], (String) w[1], w[2]));
            int r = Msgs.wrap(v, m);
            // PATH/MEMBER/INTERFACE/DESTINATION already present in call(): wrong type is found first or it is a duplicate
            assertTrue(r == WireError.BAD_HEADER_FIELD_TYPE || r == WireError.DUPLICATE_HEADER_FIELD, v.errorDetail());
        }
        byte[] m = raw(false, Protocol.METHOD_RETURN, 0, 1, List.of(f(5, "i", 3)), "", List.of());
        rejects(WireError.BAD_HEADER_FIELD_TYPE, m, "REPLY_SERIAL");
        m = raw(false, Protocol.SIGNAL, 0, 1, List.of(f(1, "s", "/p"), f(2, "s", "a.b"), f(3, "s", "M")), "", List.of());
        rejects(WireError.BAD_HEADER_FIELD_TYPE, m, "PATH");
    }

    @Test
    void rejectsDuplicateFieldsAndFieldCodeZero() {
        rejects(WireError.DUPLICATE_HEADER_FIELD, call(false, "", List.of(), f(3, "s", "Other")), "MEMBER");
        rejects(WireError.BAD_HEADER_FIELD_CODE, call(false, "", List.of(), f(0, "s", "x")), "INVALID");
    }

    @Test
    void acceptsUnknownHeaderFieldsOfAnyType() {
        accepts(call(false, "", List.of(), f(10, "a{sv}", Map.of("k", new Variant("i", 1))), f(200, "(yd)", Struct.of((byte) 1, 2.5))));
        byte[] m = call(false, "", List.of(), f(11, "s", "xqz"));
        accepts(m);
        m[Msgs.indexOf(m, "xqz".getBytes(StandardCharsets.US_ASCII)) + 1] = (byte) 0xff;
        rejects(WireError.BAD_UTF8, m, "code 11");
    }

    @Test
    void rejectsInvalidNamesInHeader() {
        rejects(WireError.BAD_INTERFACE, raw(false, Protocol.METHOD_CALL, 0, 1,
                List.of(f(1, "o", new ObjectPath("/")), f(2, "s", "nodot"), f(3, "s", "M")), "", List.of()), "INTERFACE");
        rejects(WireError.BAD_MEMBER, raw(false, Protocol.METHOD_CALL, 0, 1,
                List.of(f(1, "o", new ObjectPath("/")), f(3, "s", "1M")), "", List.of()), "MEMBER");
        rejects(WireError.BAD_ERROR_NAME, raw(false, Protocol.ERROR, 0, 1,
                List.of(f(4, "s", "Err"), f(5, "u", new UInt32(1))), "", List.of()), "ERROR_NAME");
        rejects(WireError.BAD_DESTINATION, raw(false, Protocol.METHOD_CALL, 0, 1,
                List.of(f(1, "o", new ObjectPath("/")), f(3, "s", "M"), f(6, "s", "x..y")), "", List.of()), "DESTINATION");
        rejects(WireError.BAD_SENDER, raw(false, Protocol.METHOD_CALL, 0, 1,
                List.of(f(1, "o", new ObjectPath("/")), f(3, "s", "M"), f(7, "s", "bad")), "", List.of()), "SENDER");
        byte[] p = raw(false, Protocol.METHOD_CALL, 0, 1,
                List.of(f(1, "o", new ObjectPath("/ab")), f(3, "s", "M")), "", List.of());
        p[Msgs.indexOf(p, "/ab".getBytes(StandardCharsets.US_ASCII)) + 1] = '-';
        rejects(WireError.BAD_OBJECT_PATH_VALUE, p, "PATH");
        rejects(WireError.LOCAL_PATH, raw(false, Protocol.METHOD_CALL, 0, 1,
                List.of(f(1, "o", new ObjectPath(Protocol.LOCAL_PATH)), f(3, "s", "M")), "", List.of()), "Local");
        rejects(WireError.LOCAL_INTERFACE, raw(false, Protocol.SIGNAL, 0, 1,
                List.of(f(1, "o", new ObjectPath("/")), f(2, "s", Protocol.LOCAL_INTERFACE), f(3, "s", "M")), "", List.of()), "Local");
    }

    /** Which error a bad name reports does not depend on the header-field fast path. */
    @Test
    void badUtf8InANameIsReportedAsUtf8AndAnInvalidNameAfterLaterFieldErrors() {
        byte[] m = raw(false, Protocol.METHOD_CALL, 0, 1,
                List.of(f(1, "o", new ObjectPath("/")), f(2, "s", "a.bc"), f(3, "s", "M")), "", List.of());
        m[Msgs.indexOf(m, "a.bc".getBytes(StandardCharsets.US_ASCII)) + 2] = (byte) 0xc0; // overlong lead byte
        rejects(WireError.BAD_UTF8, m, "INTERFACE");
        byte[] p = raw(false, Protocol.METHOD_CALL, 0, 1,
                List.of(f(1, "o", new ObjectPath("/ab")), f(3, "s", "M")), "", List.of());
        p[Msgs.indexOf(p, "/ab".getBytes(StandardCharsets.US_ASCII)) + 1] = (byte) 0xff;
        rejects(WireError.BAD_UTF8, p, "PATH");
        // The invalid interface name comes first, but the duplicate MEMBER is found while parsing,
        // before names are judged.
        rejects(WireError.DUPLICATE_HEADER_FIELD, raw(false, Protocol.METHOD_CALL, 0, 1,
                List.of(f(1, "o", new ObjectPath("/")), f(2, "s", "nodot"), f(3, "s", "M"), f(3, "s", "N")),
                "", List.of()), "MEMBER");
    }

    @Test
    void rejectsBodyWithoutSignatureAndBodyLongerThanSignature() {
        byte[] m = call(false, "i", List.of(1));
        // drop the SIGNATURE field by renaming its code to an unknown one (type 'g' is fine there)
        byte[] noSig = m.clone();
        noSig[Msgs.indexOf(noSig, le(8, 1, 'g', 0))] = 42;
        rejects(WireError.BODY_WITHOUT_SIGNATURE, noSig, "SIGNATURE");
        byte[] longer = raw(false, Protocol.METHOD_CALL, 0, 1, List.of(f(1, "o", new ObjectPath("/")), f(3, "s", "M"),
                f(8, "g", new SignatureValue("y"))), "yy", List.of((byte) 1, (byte) 2));
        rejects(WireError.BODY_TOO_LONG, longer, "after the values");
        byte[] shorter = raw(false, Protocol.METHOD_CALL, 0, 1, List.of(f(1, "o", new ObjectPath("/")), f(3, "s", "M"),
                f(8, "g", new SignatureValue("yi"))), "y", List.of((byte) 1));
        rejects(WireError.VALUE_TRUNCATED, shorter, "in body");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void rejectsNonZeroPadding(boolean big) {
        byte[] m = call(big, "yx", List.of((byte) 1, 2L));
        accepts(m);
        m[(int) v.bodyOffset() + 1] = 1; // padding between y and the 8-aligned x
        rejects(WireError.BAD_PADDING, m, "padding");
        byte[] h = call(big, "y", List.of((byte) 1));
        accepts(h);
        h[(int) v.bodyOffset() - 1] = 1; // header padding before the body, if any
        assertTrue(Msgs.wrap(v, h) != WireError.OK);
    }

    @Test
    void rejectsBooleanOtherThanZeroOrOne() {
        byte[] m = call(false, "b", List.of(true));
        accepts(m);
        assertEquals(List.of(true), Unmarshaller.readAll(v.body()));
        m[(int) v.bodyOffset()] = 2;
        rejects(WireError.BAD_BOOLEAN, m, "boolean");
    }

    @Test
    void stringRules() {
        byte[] m = call(false, "s", List.of("abcdefghij"));
        accepts(m);
        int s = (int) v.bodyOffset() + 4;
        byte[] nul = m.clone();
        nul[s + 3] = 0;
        rejects(WireError.STRING_INTERIOR_NUL, nul, "NUL");
        byte[] unterminated = m.clone();
        unterminated[s + 10] = 'x';
        rejects(WireError.STRING_NOT_TERMINATED, unterminated, "NUL-terminated");
        for (int[] bad : new int[][] {{0xff}, {0xc0, 0x80}, {0xed, 0xa0, 0x80}, {0xf4, 0x90, 0x80, 0x80}, {0xe2, 0x28, 0xa1}, {0x80}}) {
            byte[] u = m.clone();
            for (int i = 0; i < bad.length; i++) {
                u[s + 2 + i] = (byte) bad[i];
            }
            rejects(WireError.BAD_UTF8, u, "UTF-8");
        }
        byte[] ok = m.clone();
        ok[s] = (byte) 0xf0; ok[s + 1] = (byte) 0x9f; ok[s + 2] = (byte) 0x98; ok[s + 3] = (byte) 0x80; // U+1F600
        accepts(ok);
    }

    @Test
    void rejectsArrayLongerThan64MiB() {
        byte[] m = call(false, "ay", List.of(List.of((byte) 1)));
        accepts(m);
        WireBytes.putI32(MemorySegment.ofArray(m), v.bodyOffset(), Protocol.MAX_ARRAY_LENGTH + 1, false);
        rejects(WireError.ARRAY_TOO_LONG, m, "64 MiB");
    }

    @Test
    void acceptsArrayOfExactly64MiB() {
        byte[] head = call(false, "ay", List.of(List.of()));
        accepts(head);
        int bo = (int) v.bodyOffset();
        byte[] m = java.util.Arrays.copyOf(head, bo + 4 + Protocol.MAX_ARRAY_LENGTH);
        MemorySegment s = MemorySegment.ofArray(m);
        WireBytes.putI32(s, 4, 4 + Protocol.MAX_ARRAY_LENGTH, false);
        WireBytes.putI32(s, bo, Protocol.MAX_ARRAY_LENGTH, false);
        accepts(m);
        assertEquals(4 + Protocol.MAX_ARRAY_LENGTH, v.bodyLength());
    }

    @Test
    void rejectsArrayElementsOverrunningArray() {
        byte[] m = call(false, "aiy", List.of(List.of(1, 2), (byte) 9));
        accepts(m);
        WireBytes.putI32(MemorySegment.ofArray(m), v.bodyOffset(), 6, false);
        rejects(WireError.VALUE_TRUNCATED, m, "array");
    }

    @Test
    void unixFdsAgainstIndicesAndReceivedFds() {
        Struct fds2 = f(9, "u", new UInt32(2));
        byte[] m = call(false, "hh", List.of(new UnixFd(0), new UnixFd(1)), fds2);
        accepts(m, 2);
        assertEquals(2, v.unixFds());
        rejects(WireError.UNIX_FDS_NOT_RECEIVED, m, 1, "UNIX_FDS");
        byte[] out = call(false, "h", List.of(new UnixFd(2)), fds2);
        rejects(WireError.FD_INDEX_OUT_OF_RANGE, out, 2, "UNIX_FD index");
        byte[] none = call(false, "h", List.of(new UnixFd(0)));
        rejects(WireError.FD_INDEX_OUT_OF_RANGE, none, 0, "UNIX_FD index");
    }

    @Test
    void variantsMustHoldOneCompleteTypeAndNestAtMost64() {
        byte[] m = call(false, "v", List.of(new Variant("i", 5)));
        accepts(m);
        int bo = (int) v.bodyOffset();
        byte[] two = call(false, "vi", List.of(new Variant("y", (byte) 5), 0));
        accepts(two);
        two[bo] = 2; two[bo + 1] = 'y'; two[bo + 2] = 'y'; two[bo + 3] = 0; // "yy" with the old value byte as NUL
        rejects(WireError.SIGNATURE_NOT_SINGLE_TYPE, two, "single complete type");
        Object deep = 1;
        for (int i = 0; i < 64; i++) { // 64 nested variants: the limit
            deep = new Variant(i == 0 ? "i" : "v", deep);
        }
        accepts(call(false, "v", List.of(deep)));
        rejects(WireError.NESTING_TOO_DEEP, call(false, "v", List.of(new Variant("v", deep))), "64");
    }

    @Test
    void argAccessorsFindStringsAndPaths() {
        byte[] m = call(false, "a{sv}sio", List.of(Map.of("k", new Variant("as", List.of("x"))), "two", 3, new ObjectPath("/p/q")));
        accepts(m);
        assertEquals("two", v.argString(1));
        assertNull(v.argString(0));
        assertNull(v.argString(2));
        assertEquals("/p/q", v.argString(3));
        assertTrue(v.argIsObjectPath(3));
        assertFalse(v.argIsObjectPath(1));
        assertEquals(3, v.argStringLength(1));
        assertEquals('t', m[(int) v.argStringOffset(1)]);
    }

    /** A call with an {@code ay} body of {@code n} bytes (values i % 251). */
    private static byte[] bytesCall(int n) {
        List<Byte> body = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) body.add((byte) (i % 251));
        return callOf("Bytes", "ay", List.of(body));
    }

    @Test
    void opaqueHeadAcceptsAByteArrayWhoseBodyHasNotArrived() {
        byte[] m = bytesCall(50_000);
        MemorySegment seg = MemorySegment.ofArray(m);
        long head = MessageView.headLength(seg, 0);
        MessageView v = new MessageView();
        assertTrue(v.wrapOpaqueHead(seg, 0, head + 4, 0), "header and the array length suffice");
        assertTrue(v.isHeadOnly());
        assertTrue(v.hasOpaqueBody());
        assertEquals(m.length, v.length());
        assertEquals(50_004, v.bodyLength());
        assertEquals("Bytes", v.member());
        assertEquals("org.example.Dest", v.destination());
        assertFalse(v.wrapOpaqueHead(seg, 0, head + 3, 0), "the array length is not all there");
        assertFalse(v.wrapOpaqueHead(seg, 0, m.length, 0), "a whole message is wrapped, not head-wrapped");
        assertEquals(WireError.OK, Msgs.wrap(v, m));
        assertFalse(v.isHeadOnly(), "a full wrap clears head-only");
    }

    @Test
    void opaqueHeadRefusesOtherBodiesAndInconsistentLengths() {
        MessageView v = new MessageView();
        byte[] s = callOf("Str", "s", List.of("x".repeat(40_000)));
        MemorySegment seg = MemorySegment.ofArray(s);
        assertFalse(v.wrapOpaqueHead(seg, 0, MessageView.headLength(seg, 0) + 100, 0), "a string must be validated");
        byte[] m = bytesCall(50_000);
        seg = MemorySegment.ofArray(m);
        long head = MessageView.headLength(seg, 0);
        m[(int) head] ^= 1; // array length no longer body length - 4
        assertFalse(v.wrapOpaqueHead(seg, 0, head + 4, 0), "array length disagrees with the body length");
        m[(int) head] ^= 1;
        byte[] badMember = m.clone();
        badMember[Msgs.indexOf(badMember, "Bytes".getBytes(StandardCharsets.US_ASCII))] = '9';
        assertFalse(v.wrapOpaqueHead(MemorySegment.ofArray(badMember), 0, head + 4, 0), "the header is still validated");
    }

    /** A call like {@link Msgs#call} with the member and signature given. */
    private static byte[] callOf(String member, String sig, List<?> body) {
        return raw(false, Protocol.METHOD_CALL, 0, 7, List.of(
                f(Protocol.FIELD_PATH, "o", new ObjectPath("/a/b")),
                f(Protocol.FIELD_INTERFACE, "s", "a.b.C"),
                f(Protocol.FIELD_MEMBER, "s", member),
                f(Protocol.FIELD_DESTINATION, "s", "org.example.Dest"),
                f(Protocol.FIELD_SIGNATURE, "g", new SignatureValue(sig))), sig, body);
    }

    @Test
    void rememberedNamesAndSignaturesDoNotLetAnInvalidOneThrough() {
        MessageView v = new MessageView();
        byte[] good = callOf("Method", "s", List.of("x"));
        assertEquals(WireError.OK, Msgs.wrap(v, good), v.errorDetail());
        assertEquals(WireError.OK, Msgs.wrap(v, good), "the same message again");
        // Same length as the remembered member, one byte different: checked, and invalid.
        byte[] badMember = good.clone();
        badMember[Msgs.indexOf(badMember, "Method".getBytes(StandardCharsets.US_ASCII))] = '1';
        assertEquals(WireError.BAD_MEMBER, Msgs.wrap(v, badMember), v.errorDetail());
        assertEquals(WireError.OK, Msgs.wrap(v, good));
        // A signature of the remembered length with a bad type code: checked, and invalid.
        byte[] badSig = good.clone();
        int sigAt = Msgs.indexOf(badSig, new byte[] {8, 1, 'g', 0, 1, 's', 0});
        badSig[sigAt + 5] = '!';
        assertTrue(Msgs.wrap(v, badSig) != WireError.OK, "bad signature accepted");
        // Other valid values are validated and then remembered in turn.
        assertEquals(WireError.OK, Msgs.wrap(v, callOf("Other", "u", List.of(new UInt32(3)))), v.errorDetail());
        assertEquals("Other", v.member());
        assertEquals("u", v.signature());
        assertEquals(WireError.OK, Msgs.wrap(v, good));
        assertEquals("Method", v.member());
        assertEquals("s", v.signature());
    }
}
