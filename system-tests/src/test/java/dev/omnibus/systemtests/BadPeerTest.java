package dev.omnibus.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Misbehaving peers on raw sockets: each must be disconnected alone, and the bus must go on serving
 * everybody else (checked after each case with a fresh well-behaved raw peer, and in
 * {@link #wellBehavedClientsCarryOnWhileBadPeersComeAndGo} with dbus-python clients pinging and
 * counting signals while all the bad peers come and go).
 */
class BadPeerTest extends WithBus {

    private static final Duration DISCONNECT = Duration.ofSeconds(10);
    private static final String DRIVER = "org.freedesktop.DBus";
    private static final String DRIVER_PATH = "/org/freedesktop/DBus";

    /** A fresh peer completes Hello and GetId: the bus still serves. */
    private void assertBusServes() throws Exception {
        assertTrue(bus.isAlive(), "daemon died\n" + bus.stderr());
        try (RawPeer good = RawPeer.registered(bus.socket())) {
            good.send(RawMessage.call(2, DRIVER, DRIVER_PATH, DRIVER, "GetId").toBytes());
            RawMessage.Parsed reply = good.readReplyTo(2, Duration.ofSeconds(10));
            assertNotNull(reply, "no GetId reply\n" + bus.stderr());
            assertEquals(RawMessage.METHOD_RETURN, reply.type(), reply.toString());
            assertTrue(reply.firstString().matches("[0-9a-f]{32}"), reply.toString());
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    // --- the bad peers, each returning whether the bus hung up on it -------------------------

    /** Not even the leading NUL byte of the SASL handshake, and a line no server understands. */
    private boolean garbageSasl() throws Exception {
        try (RawPeer peer = RawPeer.connect(bus.socket())) {
            peer.send(ascii("GET / HTTP/1.1\r\nHost: bus\r\n\r\n"));
            return peer.awaitDisconnect(DISCONNECT);
        }
    }

    /** Half a message, then the peer closes: the bus must drop the partial frame and the peer. */
    private void truncatedThenClose() throws Exception {
        try (RawPeer peer = RawPeer.registered(bus.socket())) {
            byte[] whole = RawMessage.call(2, DRIVER, DRIVER_PATH, DRIVER, "GetId").toBytes();
            peer.send(Arrays.copyOf(whole, whole.length / 2));
        }
    }

    private boolean invalidSignature() throws Exception {
        try (RawPeer peer = RawPeer.registered(bus.socket())) {
            peer.send(RawMessage.call(2, DRIVER, DRIVER_PATH, DRIVER, "NameHasOwner")
                    .body("a{", w -> w.u32(0)).toBytes());
            return peer.awaitDisconnect(DISCONNECT);
        }
    }

    /** PATH (code 1) must be an OBJECT_PATH; this one claims STRING. */
    private boolean headerFieldOfWrongType() throws Exception {
        try (RawPeer peer = RawPeer.registered(bus.socket())) {
            RawMessage m = RawMessage.of(RawMessage.METHOD_CALL, 2)
                    .field(RawMessage.FIELD_PATH, "s", w -> w.string(DRIVER_PATH))
                    .field(RawMessage.FIELD_INTERFACE, "s", w -> w.string(DRIVER))
                    .field(RawMessage.FIELD_MEMBER, "s", w -> w.string("GetId"))
                    .field(RawMessage.FIELD_DESTINATION, "s", w -> w.string(DRIVER));
            peer.send(m.toBytes());
            return peer.awaitDisconnect(DISCONNECT);
        }
    }

    /** A body length over the spec's 128 MiB message maximum (and dbus-daemon's max_message_size). */
    private boolean lengthOverLimit() throws Exception {
        try (RawPeer peer = RawPeer.registered(bus.socket())) {
            peer.send(RawMessage.call(2, DRIVER, DRIVER_PATH, DRIVER, "NameHasOwner")
                    .body("s", w -> w.string("x")).claimBodyLength(0x7fff_fff0).toBytes());
            return peer.awaitDisconnect(DISCONNECT);
        }
    }

    /**
     * The first message after BEGIN must be Hello (spec "Message Bus Messages"). dbus-daemon 1.14
     * does not disconnect: it answers org.freedesktop.DBus.Error.AccessDenied "Client tried to send a
     * message other than Hello without being registered" (destination ":not.active.yet") and a later
     * Hello on the same connection still works. Returns true if that is what happened.
     */
    private boolean callBeforeHello() throws Exception {
        try (RawPeer peer = RawPeer.authenticated(bus.socket())) {
            peer.send(RawMessage.call(1, DRIVER, DRIVER_PATH, DRIVER, "GetId").toBytes());
            RawMessage.Parsed error = peer.readReplyTo(1, DISCONNECT);
            assertNotNull(error, "no answer to a call before Hello");
            assertEquals(RawMessage.ERROR, error.type(), error.toString());
            assertEquals("org.freedesktop.DBus.Error.AccessDenied", error.errorName());
            assertEquals("Client tried to send a message other than Hello without being registered",
                    error.firstString());
            peer.send(RawMessage.hello(2));
            RawMessage.Parsed hello = peer.readReplyTo(2, DISCONNECT);
            return hello != null && hello.type() == RawMessage.METHOD_RETURN && hello.firstString().startsWith(":");
        }
    }

    /** A monitor may not send anything after BecomeMonitor (spec "Becoming a monitor"). */
    private boolean monitorThatSends() throws Exception {
        try (RawPeer peer = RawPeer.registered(bus.socket())) {
            peer.send(RawMessage.call(2, DRIVER, DRIVER_PATH, "org.freedesktop.DBus.Monitoring", "BecomeMonitor")
                    .body("asu", w -> w.u32(0).u32(0)).toBytes());
            RawMessage.Parsed reply = peer.readReplyTo(2, Duration.ofSeconds(10));
            assertNotNull(reply, "no BecomeMonitor reply");
            assertEquals(RawMessage.METHOD_RETURN, reply.type(), "BecomeMonitor: " + reply);
            peer.send(RawMessage.call(3, DRIVER, DRIVER_PATH, DRIVER, "GetId").toBytes());
            return peer.awaitDisconnect(DISCONNECT);
        }
    }

    // --- one test per bad peer ---------------------------------------------------------------

    @Test
    void garbageSaslDisconnectsOnlyThatPeer() throws Exception {
        assertTrue(garbageSasl(), "bus kept a peer that sent HTTP instead of SASL");
        assertBusServes();
    }

    @Test
    void truncatedMessageThenCloseLeavesBusServing() throws Exception {
        truncatedThenClose();
        assertBusServes();
    }

    @Test
    void invalidSignatureDisconnects() throws Exception {
        assertTrue(invalidSignature(), "bus kept a peer that sent signature 'a{'");
        assertBusServes();
    }

    @Test
    void headerFieldOfWrongTypeDisconnects() throws Exception {
        assertTrue(headerFieldOfWrongType(), "bus kept a peer whose PATH field was a STRING");
        assertBusServes();
    }

    @Test
    void bodyLengthOverLimitDisconnects() throws Exception {
        assertTrue(lengthOverLimit(), "bus kept a peer announcing a 2 GiB body");
        assertBusServes();
    }

    @Test
    void callBeforeHelloGetsAccessDeniedAndHelloStillWorks() throws Exception {
        assertTrue(callBeforeHello(), "Hello after the refused call failed");
        assertBusServes();
    }

    @Test
    void monitorThatSendsIsDisconnected() throws Exception {
        assertTrue(monitorThatSends(), "bus kept a monitor that sent a message");
        assertBusServes();
    }

    @Test
    void wellBehavedClientsCarryOnWhileBadPeersComeAndGo() throws Exception {
        BackgroundProcess soak = bus.spawn(BusDaemon.python("soak.py"));
        soak.awaitLine("READY"::equals, Duration.ofSeconds(30));
        for (int round = 0; round < 3; round++) {
            assertTrue(garbageSasl(), "garbage SASL");
            truncatedThenClose();
            assertTrue(invalidSignature(), "invalid signature");
            assertTrue(headerFieldOfWrongType(), "header field type");
            assertTrue(lengthOverLimit(), "length over limit");
            assertTrue(callBeforeHello(), "call before Hello, then Hello");
            assertTrue(monitorThatSends(), "monitor that sends");
        }
        soak.send("stop");
        String result = soak.awaitLineStartingWith("calls ", Duration.ofSeconds(30));
        Matcher m = Pattern.compile("calls (\\d+) errors (\\d+) sent (\\d+) received (\\d+)").matcher(result);
        assertTrue(m.matches(), result);
        assertTrue(Long.parseLong(m.group(1)) > 0, "the pinging client made calls: " + result);
        assertEquals("0", m.group(2), "calls failed while bad peers came and went: " + soak.describe());
        assertEquals(m.group(3), m.group(4), "every signal sent was received: " + result);
        assertBusServes();
    }
}
