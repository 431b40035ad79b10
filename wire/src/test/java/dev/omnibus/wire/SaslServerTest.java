package dev.omnibus.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.omnibus.wire.SaslServer.Mechanism;
import dev.omnibus.wire.SaslServer.State;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Replies expected here were taken from dbus-daemon 1.14.10 with the same input lines. */
class SaslServerTest {
    static final String GUID = "e4d4faffe0dbdc2229c1b5956b0807f6";
    static final String OK = "OK " + GUID + "\r\n";
    static final String REJECTED_ALL = "REJECTED EXTERNAL DBUS_COOKIE_SHA1 ANONYMOUS\r\n";
    static final Set<Mechanism> ALL = EnumSet.allOf(Mechanism.class);

    /** A fixed in-memory keyring: one cookie, id 7. */
    static final SaslCookieSource ONE_COOKIE = new SaslCookieSource() {
        @Override
        public SaslCookie currentCookie(String context, long uid) {
            return new SaslCookie(7, "c0ffee");
        }

        @Override
        public SaslCookie cookie(String context, long uid, long id) {
            return id == 7 ? new SaslCookie(7, "c0ffee") : null;
        }
    };

    static SaslServer unixServer() {
        return new SaslServer(GUID, ALL, 1000, true, ONE_COOKIE);
    }

    /** Feeds text, returns the output produced. */
    static String send(SaslServer s, String text) {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        int used = s.feed(MemorySegment.ofArray(b), 0, b.length);
        if (s.state() != State.AUTHENTICATED && s.state() != State.FAILED) {
            assertEquals(b.length, used, "everything consumed before authentication ends");
        }
        return new String(s.takeOutput(), StandardCharsets.ISO_8859_1);
    }

    static String hex(String s) {
        return HexFormat.of().formatHex(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void authExternalWithMatchingUidSucceeds() {
        SaslServer s = unixServer();
        assertEquals(State.WAITING_FOR_NUL, s.state());
        assertEquals(OK, send(s, "\0AUTH EXTERNAL " + hex("1000") + "\r\n"));
        assertEquals(State.WAITING_FOR_BEGIN, s.state());
        assertEquals("", send(s, "BEGIN\r\n"));
        assertEquals(State.AUTHENTICATED, s.state());
        assertEquals(1000, s.authenticatedUid());
        assertEquals(Mechanism.EXTERNAL, s.mechanism());
        assertFalse(s.unixFdNegotiated());
        assertNull(s.failureReason());
    }

    @Test
    void authWithoutMechanismListsMechanisms() {
        SaslServer s = unixServer();
        assertEquals(REJECTED_ALL, send(s, "\0AUTH\r\n"));
        assertEquals(State.AUTHENTICATING, s.state());
    }

    @Test
    void rejectedListsOnlyUsableMechanisms() {
        assertEquals("REJECTED EXTERNAL\r\n",
                send(new SaslServer(GUID, EnumSet.of(Mechanism.EXTERNAL), 0, true, null), "\0AUTH\r\n"));
        // no cookie source: no DBUS_COOKIE_SHA1; unknown uid (tcp): no EXTERNAL
        assertEquals("REJECTED ANONYMOUS\r\n", send(new SaslServer(GUID, ALL, -1, false, null), "\0AUTH\r\n"));
    }

    @Test
    void authExternalWithoutInitialResponseAsksForData() {
        SaslServer s = unixServer();
        assertEquals("DATA\r\n", send(s, "\0AUTH EXTERNAL\r\n"));
        assertEquals(OK, send(s, "DATA\r\n"));
        assertEquals(1000, s.authenticatedUid());
    }

    @Test
    void authExternalThenDataWithUid() {
        SaslServer s = unixServer();
        send(s, "\0AUTH EXTERNAL\r\n");
        assertEquals(OK, send(s, "DATA " + hex("1000") + "\r\n"));
    }

    @Test
    void authExternalThenDataWithOtherUidIsRejected() {
        SaslServer s = unixServer();
        send(s, "\0AUTH EXTERNAL\r\n");
        assertEquals(REJECTED_ALL, send(s, "DATA " + hex("0") + "\r\n"));
        assertEquals("DATA\r\n", send(s, "AUTH EXTERNAL\r\n"));
    }

    @Test
    void authExternalWithOtherUidIsRejected() {
        assertEquals(REJECTED_ALL, send(unixServer(), "\0AUTH EXTERNAL " + hex("0") + "\r\n"));
        assertEquals(REJECTED_ALL, send(unixServer(), "\0AUTH EXTERNAL " + hex("root") + "\r\n"));
    }

    @Test
    void uidWithLeadingZerosIsTheSameUid() {
        assertEquals(OK, send(new SaslServer(GUID, ALL, 0, true, null), "\0AUTH EXTERNAL " + hex("00") + "\r\n"));
    }

    @Test
    void externalIsRefusedWhenPeerUidIsUnknown() {
        SaslServer s = new SaslServer(GUID, ALL, -1, false, ONE_COOKIE);
        assertEquals("REJECTED DBUS_COOKIE_SHA1 ANONYMOUS\r\n", send(s, "\0AUTH EXTERNAL\r\n"));
    }

    @Test
    void badHexIsAnErrorNotARejection() {
        SaslServer s = unixServer();
        assertEquals("ERROR \"Invalid hex encoding\"\r\n", send(s, "\0AUTH EXTERNAL zz\r\n"));
        assertEquals("ERROR \"Invalid hex encoding\"\r\n", send(s, "AUTH EXTERNAL 31 extra\r\n"));
        assertEquals("ERROR \"Invalid hex encoding\"\r\n", send(s, "AUTH EXTERNAL 313\r\n"));
        assertEquals(OK, send(s, "AUTH EXTERNAL 31303030\r\n")); // still free to authenticate
    }

    @Test
    void extraSpacesBeforeMechanismAreSkipped() {
        assertEquals(OK, send(unixServer(), "\0AUTH  EXTERNAL " + hex("1000") + "\r\n"));
    }

    @Test
    void anonymousOnlyWhereAllowed() {
        SaslServer s = new SaslServer(GUID, EnumSet.of(Mechanism.EXTERNAL), 1000, true, null);
        assertEquals("REJECTED EXTERNAL\r\n", send(s, "\0AUTH ANONYMOUS\r\n"));
        SaslServer a = unixServer();
        assertEquals(OK, send(a, "\0AUTH ANONYMOUS " + hex("trace é") + "\r\n"));
        send(a, "BEGIN\r\n");
        assertEquals(State.AUTHENTICATED, a.state());
        assertEquals(-1, a.authenticatedUid());
        assertEquals(Mechanism.ANONYMOUS, a.mechanism());
    }

    @Test
    void anonymousWithoutTraceSucceedsAndInvalidUtf8TraceIsRejected() {
        assertEquals(OK, send(unixServer(), "\0AUTH ANONYMOUS\r\n"));
        assertEquals(REJECTED_ALL, send(unixServer(), "\0AUTH ANONYMOUS ff\r\n"));
    }

    @Test
    void cookieSha1ExchangeSucceedsWithTheRightDigest() {
        SaslServer s = unixServer();
        String data = send(s, "\0AUTH DBUS_COOKIE_SHA1 " + hex("1000") + "\r\n");
        assertTrue(data.startsWith("DATA "), data);
        String[] challenge = new String(HexFormat.of().parseHex(data.substring(5).strip()), StandardCharsets.US_ASCII)
                .split(" ");
        assertEquals("org_freedesktop_general", challenge[0]);
        assertEquals("7", challenge[1]);
        assertEquals(48, challenge[2].length());
        String digest = SaslServer.sha1Hex(challenge[2] + ":abcd:c0ffee");
        assertEquals(OK, send(s, "DATA " + hex("abcd " + digest) + "\r\n"));
        assertEquals(1000, s.authenticatedUid());
        assertEquals(Mechanism.DBUS_COOKIE_SHA1, s.mechanism());
    }

    @Test
    void cookieSha1WithWrongDigestOrUnknownUserIsRejected() {
        SaslServer s = unixServer();
        send(s, "\0AUTH DBUS_COOKIE_SHA1 " + hex("1000") + "\r\n");
        assertEquals(REJECTED_ALL, send(s, "DATA " + hex("abcd " + "0".repeat(40)) + "\r\n"));
        assertEquals(REJECTED_ALL, send(s, "AUTH DBUS_COOKIE_SHA1\r\n"));          // no user named
        assertEquals(REJECTED_ALL, send(s, "AUTH DBUS_COOKIE_SHA1 " + hex("0") + "\r\n")); // not the peer
        assertEquals(REJECTED_ALL, send(s, "AUTH DBUS_COOKIE_SHA1 " + hex("bob") + "\r\n"));
    }

    @Test
    void cookieSha1WithoutCookieIsRejected() {
        SaslCookieSource none = new SaslCookieSource() {
            @Override
            public SaslCookie currentCookie(String context, long uid) {
                return null;
            }

            @Override
            public SaslCookie cookie(String context, long uid, long id) {
                return null;
            }
        };
        SaslServer s = new SaslServer(GUID, ALL, -1, false, none);
        assertEquals("REJECTED DBUS_COOKIE_SHA1 ANONYMOUS\r\n", send(s, "\0AUTH DBUS_COOKIE_SHA1 " + hex("0") + "\r\n"));
    }

    @Test
    void cancelAndErrorRejectInsideAConversation() {
        SaslServer s = unixServer();
        assertEquals("DATA\r\n", send(s, "\0AUTH EXTERNAL\r\n"));
        assertEquals(REJECTED_ALL, send(s, "CANCEL\r\n"));
        assertEquals("DATA\r\n", send(s, "AUTH EXTERNAL\r\n"));
        assertEquals(REJECTED_ALL, send(s, "ERROR \"no\"\r\n"));
        assertEquals(OK, send(s, "AUTH EXTERNAL " + hex("1000") + "\r\n"));
        assertEquals(REJECTED_ALL, send(s, "CANCEL\r\n"));
        assertEquals(State.AUTHENTICATING, s.state());
        assertEquals(OK, send(s, "AUTH EXTERNAL " + hex("1000") + "\r\n"));
        assertEquals(REJECTED_ALL, send(s, "ERROR\r\n"));
    }

    @Test
    void errorsOutsideAConversation() {
        SaslServer s = unixServer();
        assertEquals("ERROR \"Not currently in an auth conversation\"\r\n", send(s, "\0CANCEL\r\n"));
        assertEquals("ERROR \"Not currently in an auth conversation\"\r\n", send(s, "DATA\r\n"));
        assertEquals("ERROR \"Need to authenticate first\"\r\n", send(s, "NEGOTIATE_UNIX_FD\r\n"));
        assertEquals("ERROR \"Unknown command\"\r\n", send(s, "FOO\r\n"));
        assertEquals("ERROR \"Unknown command\"\r\n", send(s, "auth EXTERNAL\r\n"));
        assertEquals("ERROR \"Unknown command\"\r\n", send(s, "\r\n"));
        assertEquals(REJECTED_ALL, send(s, "ERROR\r\n"));
        send(s, "AUTH EXTERNAL\r\n");
        assertEquals("ERROR \"Sent AUTH while another AUTH in progress\"\r\n", send(s, "AUTH EXTERNAL\r\n"));
        assertEquals("ERROR \"Unknown command\"\r\n", send(s, "FOO\r\n"));
        send(s, "DATA\r\n");
        assertEquals("ERROR \"Sent AUTH while expecting BEGIN\"\r\n", send(s, "AUTH EXTERNAL\r\n"));
        assertEquals("ERROR \"Sent DATA while expecting BEGIN\"\r\n", send(s, "DATA\r\n"));
        assertEquals("ERROR \"Unknown command\"\r\n", send(s, "FOO\r\n"));
        assertEquals(State.WAITING_FOR_BEGIN, s.state());
    }

    @Test
    void negotiateUnixFdAfterOk() {
        SaslServer s = unixServer();
        send(s, "\0AUTH EXTERNAL 31303030\r\n");
        assertEquals("AGREE_UNIX_FD\r\n", send(s, "NEGOTIATE_UNIX_FD\r\n"));
        send(s, "BEGIN\r\n");
        assertTrue(s.unixFdNegotiated());
    }

    @Test
    void negotiateUnixFdWhenNotCapableIsAnError() {
        SaslServer s = new SaslServer(GUID, ALL, -1, false, null);
        send(s, "\0AUTH ANONYMOUS\r\n");
        assertEquals("ERROR \"Unix FD passing not supported, not authenticated or otherwise not possible\"\r\n",
                send(s, "NEGOTIATE_UNIX_FD\r\n"));
        send(s, "BEGIN\r\n");
        assertEquals(State.AUTHENTICATED, s.state());
        assertFalse(s.unixFdNegotiated());
    }

    @Test
    void beginBeforeOkFails() {
        SaslServer s = unixServer();
        send(s, "\0BEGIN\r\n");
        assertEquals(State.FAILED, s.state());
        assertEquals("BEGIN before authentication succeeded", s.failureReason());
        SaslServer t = unixServer();
        send(t, "\0AUTH EXTERNAL\r\nBEGIN\r\n");
        assertEquals(State.FAILED, t.state());
    }

    @Test
    void firstByteOtherThanNulFails() {
        SaslServer s = unixServer();
        send(s, "AUTH EXTERNAL 31303030\r\n");
        assertEquals(State.FAILED, s.state());
        assertEquals("first byte is not the credentials NUL byte", s.failureReason());
        assertFalse(s.hasOutput());
    }

    @Test
    void sixthRejectionDisconnects() {
        SaslServer s = unixServer();
        send(s, "\0");
        for (int i = 1; i <= 5; i++) {
            assertEquals(REJECTED_ALL, send(s, "AUTH FOO\r\n"));
            assertEquals(State.AUTHENTICATING, s.state());
        }
        assertEquals(REJECTED_ALL, send(s, "AUTH FOO\r\n")); // still sent, then the peer must go
        assertEquals(State.FAILED, s.state());
        assertEquals("too many failed authentication attempts (6)", s.failureReason());
    }

    @Test
    void fiveRejectionsStillAllowSuccess() {
        SaslServer s = unixServer();
        send(s, "\0" + "ERROR\r\n".repeat(5));
        assertEquals(OK, send(s, "AUTH EXTERNAL 31303030\r\n"));
    }

    @Test
    void unknownCommandsDoNotCountAsRejections() {
        SaslServer s = unixServer();
        send(s, "\0" + "FOO\r\n".repeat(50));
        assertEquals(State.AUTHENTICATING, s.state());
    }

    @Test
    void lineOf16KiBIsBufferedButLongerFails() {
        SaslServer s = unixServer();
        send(s, "\0" + "A".repeat(SaslServer.MAX_LINE));
        assertEquals(State.AUTHENTICATING, s.state());
        assertEquals("ERROR \"Unknown command\"\r\n", send(s, "\r\n"));
        send(s, "A".repeat(SaslServer.MAX_LINE + 1));
        assertEquals(State.FAILED, s.state());
        assertEquals("line longer than 16384 bytes", s.failureReason());
    }

    @Test
    void pipelinedExchangeStopsRightAfterBegin() {
        SaslServer s = unixServer();
        byte[] auth = "\0AUTH EXTERNAL 31303030\r\nNEGOTIATE_UNIX_FD\r\nBEGIN\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[auth.length + 16 + 3];
        System.arraycopy(auth, 0, all, 3, auth.length);
        all[3 + auth.length] = 'l'; // first byte of the first message
        int used = s.feed(MemorySegment.ofArray(all), 3, all.length - 3);
        assertEquals(auth.length, used);
        assertEquals(State.AUTHENTICATED, s.state());
        assertEquals(OK + "AGREE_UNIX_FD\r\n", new String(s.takeOutput(), StandardCharsets.US_ASCII));
        assertFalse(s.hasOutput());
        assertEquals(0, s.feed(MemorySegment.ofArray(all), 3 + used, 16), "consumes nothing once authenticated");
    }

    @Test
    void bytesSplitAnywhereGiveTheSameResult() {
        byte[] auth = "\0AUTH EXTERNAL 31303030\r\nNEGOTIATE_UNIX_FD\r\nBEGIN\r\nl".getBytes(StandardCharsets.US_ASCII);
        SaslServer s = unixServer();
        int consumed = 0;
        for (int i = 0; i < auth.length; i++) {
            consumed += s.feed(MemorySegment.ofArray(auth), i, 1);
        }
        assertEquals(auth.length - 1, consumed);
        assertEquals(State.AUTHENTICATED, s.state());
        assertTrue(s.unixFdNegotiated());
    }

    @Test
    void beginWithArgumentsIsStillBegin() {
        SaslServer s = unixServer();
        send(s, "\0AUTH EXTERNAL 31303030\r\nBEGIN x\r\n");
        assertEquals(State.AUTHENTICATED, s.state());
    }
}
