package dev.omnibus.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real bytes: messages written by libdbus (dbus-send, dbus-python), GLib (gdbus) and relayed by
 * the reference dbus-daemon validate and decode; messages MessageBuilder writes are accepted by
 * dbus-daemon and decoded by dbus-monitor.
 */
class RealClientsTest {
    @TempDir
    static Path dir;
    static Process daemon;
    static String address;

    @BeforeAll
    static void startDaemon() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/dbus-daemon")), "dbus-daemon installed");
        Path conf = dir.resolve("bus.conf");
        Files.writeString(conf, """
                <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
                 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
                <busconfig>
                  <type>session</type>
                  <listen>unix:path=%s</listen>
                  <auth>EXTERNAL</auth>
                  <policy context="default">
                    <allow send_destination="*" eavesdrop="true"/>
                    <allow eavesdrop="true"/>
                    <allow own="*"/>
                  </policy>
                </busconfig>
                """.formatted(dir.resolve("sock")));
        daemon = new ProcessBuilder("dbus-daemon", "--config-file=" + conf, "--print-address", "--nofork")
                .redirectError(dir.resolve("daemon.log").toFile()).start();
        address = new String(daemon.getInputStream().readNBytes(1), StandardCharsets.US_ASCII)
                + new java.io.BufferedReader(new java.io.InputStreamReader(daemon.getInputStream())).readLine();
        assertTrue(address.startsWith("unix:path="), address);
    }

    @AfterAll
    static void stopDaemon() {
        if (daemon != null) {
            daemon.destroy();
        }
    }

    private static Process monitor(Path out, boolean binary) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("dbus-monitor", "--address", address));
        if (binary) {
            cmd.add("--binary");
        }
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        // The monitor's own NameAcquired/NameLost show up once it is registered as a monitor.
        waitFor(out, s -> s.contains("NameLost"));
        return p;
    }

    private static void waitFor(Path file, Predicate<String> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (Files.exists(file) && done.test(Files.readString(file, StandardCharsets.ISO_8859_1))) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("timed out waiting on " + file + ": " + Files.readString(file, StandardCharsets.ISO_8859_1));
    }

    private static void run(String... cmd) throws Exception {
        runAttempts(1, cmd);
    }

    /**
     * Runs {@code cmd} until it exits 0, at most {@code attempts} times. gdbus emit once failed on a fresh CI
     * machine with "Error flushing connection: The connection is closed" against the reference dbus-daemon (not
     * reproduced in 600 local runs, with and without load); the point here is the bytes GLib writes, so a
     * repeated emit is fine: the monitor sees the same signal once more.
     */
    private static void runAttempts(int attempts, String... cmd) throws Exception {
        String failures = "";
        for (int i = 0; i < attempts; i++) {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), String.join(" ", cmd));
            if (p.exitValue() == 0) {
                return;
            }
            failures += "attempt " + (i + 1) + " exit " + p.exitValue() + ": " + out + "\n";
        }
        throw new AssertionError(String.join(" ", cmd) + ":\n" + failures + "dbus-daemon log:\n"
                + Files.readString(dir.resolve("daemon.log")));
    }

    @Test
    void messagesFromRealClientsValidateAndDecode() throws Exception {
        Path cap = dir.resolve("cap.bin");
        Process mon = monitor(cap, true);
        run("dbus-send", "--bus=" + address, "--type=signal", "/d/obj", "d.iface.DSig", "string:héllo",
                "int32:-5", "dict:string:int32:k,1", "array:objpath:/x,/y", "variant:double:2.5", "boolean:true",
                "uint64:18446744073709551615", "byte:200");
        run("dbus-send", "--bus=" + address, "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                "org.freedesktop.DBus.ListNames");
        runAttempts(3, "gdbus", "emit", "--address", address, "--object-path", "/g/obj", "--signal", "g.iface.GSig",
                "'text'", "@a{sv} {'k': <int32 7>, 'l': <['a', 'b']>}", "@(ynqiuxtd) (1, 2, 3, 4, 5, 6, 7, 8.5)");
        run("gdbus", "call", "--address", address, "--dest", "org.freedesktop.DBus", "--object-path",
                "/org/freedesktop/DBus", "--method", "org.freedesktop.DBus.GetNameOwner", "org.freedesktop.DBus");
        run("/usr/bin/python3", "-c", """
                import dbus, dbus.lowlevel, sys
                b = dbus.bus.BusConnection(sys.argv[1])
                m = dbus.lowlevel.SignalMessage('/py/obj', 'py.iface', 'PySig')
                m.append('h\\u00e9llo', {'a': dbus.Int32(1, variant_level=1)}, [dbus.ObjectPath('/x')],
                         dbus.Struct((dbus.Byte(1), 2.5), signature='yd'), dbus.UInt64(2**63), True,
                         signature='sa{sv}ao(yd)tb')
                b.send_message(m)
                b.flush()
                print(b.get_name_owner('org.freedesktop.DBus'))
                """, address);
        waitFor(cap, s -> s.contains("DSig") && s.contains("GSig") && s.contains("PySig")
                && s.contains("GetNameOwner") && s.contains("ListNames"));
        Thread.sleep(200); // let the replies arrive too
        mon.destroy();
        mon.waitFor();

        byte[] bytes = Files.readAllBytes(cap);
        MemorySegment seg = MemorySegment.ofArray(bytes);
        MessageView v = new MessageView();
        Map<String, List<Object>> bodies = new java.util.HashMap<>();
        int count = 0;
        int returns = 0;
        for (long off = 0; off < bytes.length; ) {
            long len = MessageView.frameLength(seg, off);
            assertTrue(len > 0, "frame at " + off);
            assertEquals(WireError.OK, v.wrap(seg, off, len, 0), () -> v.errorDetail());
            if (v.type() == Protocol.SIGNAL || v.type() == Protocol.METHOD_CALL) {
                bodies.put(v.member(), Unmarshaller.readAll(v.body()));
            } else {
                returns++;
                Unmarshaller.readAll(v.body());
            }
            count++;
            off += len;
        }
        assertTrue(count >= 10, "captured " + count);
        assertTrue(returns >= 3, "replies captured: " + returns);
        assertEquals(List.of("héllo", -5, Map.of("k", 1), List.of(new ObjectPath("/x"), new ObjectPath("/y")),
                new Variant("d", 2.5), true, new UInt64(-1), (byte) 200), bodies.get("DSig"));
        assertEquals(List.of("text", Map.of("k", new Variant("i", 7), "l", new Variant("as", List.of("a", "b"))),
                Struct.of((byte) 1, (short) 2, new UInt16(3), 4, new UInt32(5), 6L, new UInt64(7), 8.5)),
                bodies.get("GSig"));
        assertEquals(List.of("héllo", Map.of("a", new Variant("i", 1)), List.of(new ObjectPath("/x")),
                Struct.of((byte) 1, 2.5), new UInt64(Long.MIN_VALUE), true), bodies.get("PySig"));
        assertEquals(List.of("org.freedesktop.DBus"), bodies.get("GetNameOwner"));
    }

    private static MessageView readMessage(SocketChannel ch, ByteBuffer in, MessageView v) throws IOException {
        while (true) {
            if (in.position() >= 16) {
                MemorySegment seg = MemorySegment.ofArray(in.array());
                long len = MessageView.frameLength(seg, 0);
                assertTrue(len > 0);
                if (in.position() >= len) {
                    byte[] msg = java.util.Arrays.copyOf(in.array(), (int) len);
                    int rest = in.position() - (int) len;
                    System.arraycopy(in.array(), (int) len, in.array(), 0, rest);
                    in.position(rest);
                    assertEquals(WireError.OK, v.wrap(MemorySegment.ofArray(msg), 0, len, 0), v.errorDetail());
                    return v;
                }
            }
            assertTrue(ch.read(in) > 0, "connection closed");
        }
    }

    /** Reads until the reply to {@code serial}, validating every message on the way (e.g. NameAcquired). */
    private static MessageView readReply(SocketChannel ch, ByteBuffer in, MessageView v, long serial) throws IOException {
        do {
            readMessage(ch, in, v);
        } while (v.replySerial() != serial);
        return v;
    }

    @Test
    void builtMessagesAreAcceptedByDbusDaemonAndDecodedByDbusMonitor() throws Exception {
        Path text = dir.resolve("monitor.txt");
        Process mon = monitor(text, false);
        String uid = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow().split("\\s+")[1];
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("sock")))) {
            ch.write(ByteBuffer.wrap(("\0AUTH EXTERNAL " + HexFormat.of().formatHex(uid.getBytes(StandardCharsets.US_ASCII))
                    + "\r\n").getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer in = ByteBuffer.allocate(1 << 16);
            while (!new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII).contains("\r\n")) {
                assertTrue(ch.read(in) > 0);
            }
            assertTrue(new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII).startsWith("OK "));
            in.clear();
            ch.write(ByteBuffer.wrap("BEGIN\r\n".getBytes(StandardCharsets.US_ASCII)));

            MessageBuilder b = new MessageBuilder();
            b.reset(Protocol.METHOD_CALL, 0, 1).path("/org/freedesktop/DBus").interfaceName("org.freedesktop.DBus")
                    .member("Hello").destination("org.freedesktop.DBus");
            ch.write(ByteBuffer.wrap(b.toBytes()));
            MessageView v = new MessageView();
            readReply(ch, in, v, 1);
            assertEquals(Protocol.METHOD_RETURN, v.type());
            assertEquals(1, v.replySerial());
            String unique = v.argString(0);
            assertTrue(Names.isValidUniqueName(unique), unique);

            b.reset(Protocol.SIGNAL, 0, 2).path("/built/obj").interfaceName("built.Iface").member("BuiltSig");
            BodyWriter w = b.body("sa{sv}asq");
            w.writeString("stitched-value");
            w.beginArray("{sv}");
            w.beginDictEntry().writeString("key").beginVariant("i").writeInt32(4242).endVariant().endDictEntry();
            w.endArray();
            w.beginArray("s").writeString("one").writeString("two").endArray();
            w.writeUint16(65535);
            ch.write(ByteBuffer.wrap(b.toBytes()));
            // A round trip proves the daemon did not drop us for a malformed signal.
            b.reset(Protocol.METHOD_CALL, 0, 3).path("/org/freedesktop/DBus").interfaceName("org.freedesktop.DBus")
                    .member("GetId").destination("org.freedesktop.DBus");
            ch.write(ByteBuffer.wrap(b.toBytes()));
            readReply(ch, in, v, 3);
            assertEquals(Protocol.METHOD_RETURN, v.type(), v.errorName());
            assertEquals(3, v.replySerial());
        }
        waitFor(text, s -> s.contains("member=BuiltSig") && s.contains("uint16 65535"));
        mon.destroy();
        String out = Files.readString(text);
        assertTrue(out.contains("string \"stitched-value\""), out);
        assertTrue(out.contains("int32 4242"), out);
        assertTrue(out.contains("string \"two\""), out);
    }
}
