package dev.omnibus.transport;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Child process for {@link SystemdActivationTest}: started by systemd-socket-activate, adopts its
 * sockets with {@link Listeners#systemd()}, accepts one connection and answers with the address
 * it adopted, e.g. {@code UNIX_PATH /tmp/x dbus}.
 */
public final class SystemdChild {
    private SystemdChild() {}

    public static void main(String[] args) throws Exception {
        List<Listener> ls = Listeners.systemd();
        Listener l = ls.getFirst();
        StreamSocket s = TestIo.acceptWithin(l);
        BoundAddress a = l.address();
        String reply = ls.size() + " " + l.fd() + " " + a.kind() + " " + a.path() + " " + a.fdName() + "\n";
        byte[] b = reply.getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(b.length);
            MemorySegment.copy(b, 0, seg, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, b.length);
            s.setBlocking(true);
            s.write(seg, 0, b.length);
        }
        s.close();
        l.close();
    }
}
