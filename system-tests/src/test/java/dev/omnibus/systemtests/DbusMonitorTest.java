package dev.omnibus.systemtests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** dbus-monitor (BecomeMonitor, with eavesdrop fallback) in text, --binary and --pcap modes. */
class DbusMonitorTest extends WithBus {


    private void emit(String member) throws Exception {
        ProcessRun r = bus.run("dbus-send", "--session", "--type=signal", "/org/omnibus/Mon",
                "org.omnibus.Mon." + member, "string:payload-" + member);
        assertTrue(r.succeeded(), r.describe());
    }

    @Test
    void seesSignalEmittedByDbusSend() throws Exception {
        BackgroundProcess monitor = bus.spawn("dbus-monitor", "--session", "type='signal',interface='org.omnibus.Mon'");
        String header = monitor.pokeUntilLine(l -> l.contains("member=Seen"), Duration.ofSeconds(20),
                () -> emit("Seen"));
        assertTrue(header.startsWith("signal "), header);
        assertTrue(header.contains("path=/org/omnibus/Mon; interface=org.omnibus.Mon; member=Seen"), header);
        assertTrue(header.matches(".*sender=:1\\.\\d+ -> destination=\\(null destination\\).*"), header);
        monitor.awaitLine(l -> l.contains("string \"payload-Seen\""), Duration.ofSeconds(5));
    }

    @Test
    void filterExcludesOtherSignals() throws Exception {
        BackgroundProcess monitor = bus.spawn("dbus-monitor", "--session", "type='signal',member='Wanted'");
        monitor.pokeUntilLine(l -> l.contains("member=Wanted"), Duration.ofSeconds(20), () -> {
            emit("Unwanted");
            emit("Wanted");
        });
        assertTrue(monitor.lines().stream().noneMatch(l -> l.contains("member=Unwanted")), monitor.describe());
    }

    /** Runs a monitor with its stdout in a file, emitting signals until the file holds one. */
    private byte[] captureBytes(String mode, String member) throws Exception {
        Path out = bus.dir().resolve("capture" + mode);
        BackgroundProcess monitor = bus.spawn("/bin/sh", "-c",
                "exec dbus-monitor --session " + mode + " \"type='signal',member='" + member + "'\" > " + out);
        byte[] needle = member.getBytes(StandardCharsets.US_ASCII);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            emit(member);
            Thread.sleep(200);
            byte[] bytes = Files.readAllBytes(out);
            if (indexOf(bytes, needle) >= 0) {
                monitor.close();
                return Files.readAllBytes(out);
            }
        }
        throw new AssertionError("monitor " + mode + " captured no " + member + "\n" + monitor.describe());
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void binaryModeWritesRawMessages() throws Exception {
        byte[] bytes = captureBytes("--binary", "BinaryPing");
        // Each record is a whole D-Bus message: the first starts with the endianness byte and
        // protocol version 1.
        assertTrue(bytes[0] == 'l' || bytes[0] == 'B', "endianness byte: " + bytes[0]);
        assertEquals(1, bytes[3], "protocol version");
    }

    @Test
    void pcapModeWritesPcapWithDbusLinkType() throws Exception {
        byte[] bytes = captureBytes("--pcap", "PcapPing");
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        assertEquals(0xa1b2c3d4, b.getInt(0), "pcap magic");
        assertEquals(231, b.getInt(20), "LINKTYPE_DBUS");
        byte[] firstPacket = Arrays.copyOfRange(bytes, 24 + 16, 24 + 16 + 4);
        assertTrue(firstPacket[0] == 'l' || firstPacket[0] == 'B', "packet is a D-Bus message");
        assertArrayEquals(new byte[] {1}, new byte[] {firstPacket[3]}, "protocol version");
    }
}
