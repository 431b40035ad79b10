package dev.omnibus.broker;

import static dev.omnibus.broker.TestClient.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.omnibus.broker.TestClient.Received;
import dev.omnibus.wire.BodyReader;
import dev.omnibus.wire.BodyWriter;
import dev.omnibus.wire.MessageBuilder;
import dev.omnibus.wire.Protocol;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Routing through a real in-process bus over real sockets: Hello and unique names, name ownership
 * and its signals, unicast calls and replies, reply tracking, broadcast with match rules, and what
 * the bus does to the header of a message it forwards (SENDER stitched, unknown fields dropped).
 */
class BusRoutingTest {
    private static final String NAME = "com.example.Routing";
    private static final Duration QUIET = Duration.ofMillis(100);

    private InProcessBus bus;

    @BeforeEach
    void start() { bus = InProcessBus.start(); }

    @AfterEach
    void stop() { bus.close(); }

    @Test
    void helloGivesDistinctUniqueNamesAndAnnouncesThem() {
        try (TestClient watcher = bus.client()) {
            watcher.addMatch("type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged'");
            try (TestClient a = bus.client(); TestClient b = bus.client()) {
                assertTrue(a.uniqueName.startsWith(":1."), a.uniqueName);
                assertNotEquals(a.uniqueName, b.uniqueName);
                assertNotEquals(watcher.uniqueName, a.uniqueName);
                List<Received> seen = watcher.sync();
                assertEquals(List.of(List.of(a.uniqueName, "", a.uniqueName), List.of(b.uniqueName, "", b.uniqueName)),
                        seen.stream().map(Received::strings).toList());
                assertTrue(seen.stream().allMatch(r -> TestClient.BUS.equals(r.sender())));
            }
        }
    }

    @Test
    void secondHelloIsAnErrorAndKeepsTheConnection() {
        try (TestClient a = bus.client()) {
            Received r = a.callBusAndWait("Hello", "");
            assertEquals(Protocol.ERROR, r.type(), r.toString());
            assertTrue(a.pingBus(TIMEOUT));
        }
    }

    @Test
    void callBeforeHelloIsDeniedButHelloMayFollow() {
        try (TestClient a = TestClient.authenticated(bus.socket, false)) {
            Received denied = a.callBusAndWait("GetId", "");
            assertTrue(denied.isError(DBusErrors.ACCESS_DENIED), denied.toString());
            Received hello = a.callBusAndWait("Hello", "");
            assertEquals(Protocol.METHOD_RETURN, hello.type(), hello.toString());
        }
    }

    @Test
    void requestAndReleaseNameSignalInOrderAndQueueOwners() {
        try (TestClient watcher = bus.client(); TestClient a = bus.client(); TestClient b = bus.client()) {
            watcher.addMatch("type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged',arg0='" + NAME + "'");

            // a becomes primary owner, allowing replacement: NameAcquired, then the reply.
            long s = a.callBus("RequestName", "su", NAME, 0x1);
            Received first = a.read(TIMEOUT), second = a.read(TIMEOUT);
            assertTrue(first.isSignal("NameAcquired") && NAME.equals(first.arg0()), first.toString());
            assertEquals(s, second.replySerial());
            assertEquals(1, second.body().readUint32(), "DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER");
            assertEquals(List.of(List.of(NAME, "", a.uniqueName)), watcher.sync().stream().map(Received::strings).toList());

            // b replaces a: a hears NameLost (and is queued), b NameAcquired then its reply.
            s = b.callBus("RequestName", "su", NAME, 0x2);
            first = b.read(TIMEOUT);
            second = b.read(TIMEOUT);
            assertTrue(first.isSignal("NameAcquired"), first.toString());
            assertEquals(1, second.body().readUint32());
            assertEquals(s, second.replySerial());
            List<Received> lost = a.sync();
            assertEquals(1, lost.size(), lost.toString());
            assertTrue(lost.get(0).isSignal("NameLost") && NAME.equals(lost.get(0).arg0()));
            assertEquals(List.of(List.of(NAME, a.uniqueName, b.uniqueName)), watcher.sync().stream().map(Received::strings).toList());

            // a was queued, not dropped: asking again keeps it in the queue (dbus-daemon: IN_QUEUE).
            Received again = a.callBusAndWait("RequestName", "su", NAME, 0x1);
            assertEquals(2, again.body().readUint32(), "DBUS_REQUEST_NAME_REPLY_IN_QUEUE");

            // b releases: b hears NameLost before its reply, a gets the name back.
            s = b.callBus("ReleaseName", "s", NAME);
            List<Received> toB = b.readThrough(s);
            assertEquals(2, toB.size(), toB.toString());
            assertTrue(toB.get(0).isSignal("NameLost") && NAME.equals(toB.get(0).arg0()), toB.toString());
            assertEquals(1, toB.get(1).body().readUint32(), "DBUS_RELEASE_NAME_REPLY_RELEASED");
            List<Received> toA = a.sync();
            assertEquals(1, toA.size(), toA.toString());
            assertTrue(toA.get(0).isSignal("NameAcquired") && NAME.equals(toA.get(0).arg0()));
            assertEquals(List.of(List.of(NAME, b.uniqueName, a.uniqueName)), watcher.sync().stream().map(Received::strings).toList());

            assertEquals(3, b.callBusAndWait("ReleaseName", "s", NAME).body().readUint32(), "DBUS_RELEASE_NAME_REPLY_NOT_OWNER");
            assertEquals(2, b.callBusAndWait("ReleaseName", "s", "com.example.NobodyHasIt").body().readUint32(),
                    "DBUS_RELEASE_NAME_REPLY_NON_EXISTENT");

            // The owner disconnecting frees the name.
            a.close();
            List<Received> gone = watcher.sync();
            assertEquals(List.of(List.of(NAME, a.uniqueName, "")), gone.stream().map(Received::strings).toList());
        }
    }

    @Test
    void unicastCallAndReplyCarryStitchedSenders() {
        try (TestClient a = bus.client(); TestClient b = bus.client()) {
            long serial = a.call(b.uniqueName, "/obj", "com.example.Echo", "Echo", "su", "hi", 42);
            Received call = b.read(TIMEOUT);
            assertNotNull(call);
            assertEquals(Protocol.METHOD_CALL, call.type());
            assertEquals(a.uniqueName, call.sender());
            assertEquals(serial, call.serial());
            BodyReader r = call.body();
            assertEquals("hi", r.readString());
            assertEquals(42, r.readUint32());

            long replySerial = b.nextSerial();
            MessageBuilder reply = new MessageBuilder().reset(Protocol.METHOD_RETURN, 0, replySerial)
                    .destination(a.uniqueName).replySerial(serial);
            reply.body("s").writeString("back");
            b.send(reply, replySerial);

            Received got = a.read(TIMEOUT);
            assertEquals(Protocol.METHOD_RETURN, got.type());
            assertEquals(b.uniqueName, got.sender());
            assertEquals(serial, got.replySerial());
            assertEquals("back", got.body().readString());
        }
    }

    @Test
    void callByWellKnownNameReachesItsOwner() {
        try (TestClient a = bus.client(); TestClient b = bus.client()) {
            assertEquals(1, b.callBusAndWait("RequestName", "su", NAME, 0).body().readUint32());
            long serial = a.call(NAME, "/obj", "com.example.Echo", "Echo", "");
            Received call = b.readUntil(m -> m.type() == Protocol.METHOD_CALL, TIMEOUT);
            assertEquals(serial, call.serial());
            assertEquals(NAME, call.destination());
            assertEquals(a.uniqueName, call.sender());
        }
    }

    @Test
    void replyNobodyWaitsForIsDropped() {
        try (TestClient a = bus.client(); TestClient b = bus.client()) {
            long serial = a.call(b.uniqueName, "/obj", "com.example.Echo", "Echo", "");
            assertEquals(serial, b.read(TIMEOUT).serial());

            // Unknown serial: dropped. Then the real reply, then a duplicate of it: only one arrives.
            for (long rs : new long[] {serial + 1000, serial, serial}) {
                long s = b.nextSerial();
                MessageBuilder m = new MessageBuilder().reset(Protocol.METHOD_RETURN, 0, s)
                        .destination(a.uniqueName).replySerial(rs);
                m.body("u").writeUint32(s);
                b.send(m, s);
            }
            b.sync(); // the bus has handled all three
            List<Received> got = a.sync();
            assertEquals(1, got.size(), got.toString());
            assertEquals(serial, got.get(0).replySerial());
        }
    }

    @Test
    void callerGetsNoReplyWhenCalleeDisconnects() {
        try (TestClient a = bus.client()) {
            TestClient b = bus.client();
            long serial = a.call(b.uniqueName, "/obj", "com.example.Echo", "Echo", "");
            assertEquals(serial, b.read(TIMEOUT).serial());
            b.close();
            Received err = a.readReplyTo(serial, TIMEOUT);
            assertNotNull(err, "no answer after the callee left");
            assertTrue(err.isError(DBusErrors.NO_REPLY), err.toString());
            assertEquals(TestClient.BUS, err.sender());
        }
    }

    @Test
    void callToMissingNameIsServiceUnknown() {
        try (TestClient a = bus.client()) {
            for (String dest : new String[] {"com.example.Nobody", ":1.99999"}) {
                long serial = a.call(dest, "/obj", "com.example.Echo", "Echo", "");
                Received err = a.readReplyTo(serial, TIMEOUT);
                assertTrue(err.isError(DBusErrors.SERVICE_UNKNOWN), dest + ": " + err);
            }
            // With NO_REPLY_EXPECTED nothing comes back.
            long s = a.nextSerial();
            a.send(new MessageBuilder().reset(Protocol.METHOD_CALL, Protocol.FLAG_NO_REPLY_EXPECTED, s)
                    .destination("com.example.Nobody").path("/obj").member("Echo"), s);
            assertTrue(a.sync().isEmpty());
        }
    }

    @Test
    void broadcastReachesOnlyMatchingSubscribers() {
        try (TestClient emitter = bus.client(); TestClient s1 = bus.client(); TestClient s2 = bus.client();
                TestClient s3 = bus.client()) {
            s1.addMatch("type='signal',interface='com.example.Sig',member='Ping'");
            s2.addMatch("type='signal',interface='com.example.Sig',member='Other'");
            s3.addMatch("type='signal',sender='" + s1.uniqueName + "'");

            emitSignal(emitter, "Ping", 7);
            emitter.sync(); // the bus has routed it before answering the emitter's Ping

            List<Received> got1 = s1.sync();
            assertEquals(1, got1.size(), got1.toString());
            assertEquals("Ping", got1.get(0).member());
            assertEquals(emitter.uniqueName, got1.get(0).sender());
            assertEquals(7, got1.get(0).body().readUint32());
            assertTrue(s2.sync().isEmpty());
            assertTrue(s3.sync().isEmpty());
            assertTrue(emitter.sync().isEmpty(), "no rule of the emitter's own");
        }
    }

    @Test
    void removeMatchStopsDeliveryAndUnknownRuleIsAnError() {
        String rule = "type='signal',interface='com.example.Sig',member='Ping'";
        try (TestClient emitter = bus.client(); TestClient s = bus.client()) {
            s.addMatch(rule);
            s.addMatch(rule); // rules count: one RemoveMatch removes one of them
            emitSignal(emitter, "Ping", 1);
            emitter.sync();
            assertEquals(1, s.sync().size(), "a message goes once to a peer however many rules match");

            assertEquals(Protocol.METHOD_RETURN, s.callBusAndWait("RemoveMatch", "s", rule).type());
            emitSignal(emitter, "Ping", 2);
            emitter.sync();
            assertEquals(1, s.sync().size(), "the second copy of the rule still matches");

            assertEquals(Protocol.METHOD_RETURN, s.callBusAndWait("RemoveMatch", "s", rule).type());
            emitSignal(emitter, "Ping", 3);
            emitter.sync();
            assertTrue(s.sync().isEmpty());

            Received err = s.callBusAndWait("RemoveMatch", "s", rule);
            assertTrue(err.isError(DBusErrors.MATCH_RULE_NOT_FOUND), err.toString());
            Received bad = s.callBusAndWait("AddMatch", "s", "type='nonsense'");
            assertTrue(bad.isError(DBusErrors.MATCH_RULE_INVALID), bad.toString());
        }
    }

    @Test
    void forgedSenderIsReplacedOnUnicastAndBroadcast() {
        try (TestClient a = bus.client(); TestClient b = bus.client()) {
            b.addMatch("type='signal',member='Forged'");
            for (String forged : new String[] {"org.freedesktop.DBus", ":1.424242", b.uniqueName}) {
                long s = a.nextSerial();
                a.send(new MessageBuilder().reset(Protocol.SIGNAL, 0, s).path("/obj")
                        .interfaceName("com.example.Sig").member("Forged").sender(forged), s);
                s = a.nextSerial();
                a.send(new MessageBuilder().reset(Protocol.METHOD_CALL, Protocol.FLAG_NO_REPLY_EXPECTED, s)
                        .destination(b.uniqueName).path("/obj").member("Forged").sender(forged), s);
            }
            a.sync();
            List<Received> got = b.sync();
            assertEquals(6, got.size(), got.toString());
            for (Received r : got) assertEquals(a.uniqueName, r.sender(), r.toString());
        }
    }

    @Test
    void unknownHeaderFieldsAreStrippedAndTheBodyKept() {
        try (TestClient a = bus.client(); TestClient b = bus.client()) {
            long serial = a.nextSerial();
            byte[] msg = RawMessages.callWithUnknownField(serial, b.uniqueName, 100, "secret", "payload");
            a.sendRaw(msg);
            Received call = b.read(TIMEOUT);
            assertNotNull(call);
            assertEquals(serial, call.serial());
            assertEquals(a.uniqueName, call.sender());
            int[] codes = RawMessages.headerFieldCodes(call.bytes);
            assertFalse(Arrays.stream(codes).anyMatch(c -> c == 100), "unknown field forwarded: " + Arrays.toString(codes));
            assertTrue(Arrays.stream(codes).anyMatch(c -> c == Protocol.FIELD_SENDER));
            assertEquals("payload", call.body().readString());
            assertArrayEquals(RawMessages.body(msg), RawMessages.body(call.bytes));
        }
    }

    private static void emitSignal(TestClient from, String member, int value) {
        long s = from.nextSerial();
        MessageBuilder m = new MessageBuilder().reset(Protocol.SIGNAL, 0, s).path("/obj")
                .interfaceName("com.example.Sig").member(member);
        BodyWriter w = m.body("u");
        w.writeUint32(value);
        from.send(m, s);
    }
}
