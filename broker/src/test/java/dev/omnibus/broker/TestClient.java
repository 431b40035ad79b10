package dev.omnibus.broker;

import dev.omnibus.transport.Errno;
import dev.omnibus.transport.ErrnoException;
import dev.omnibus.transport.FdList;
import dev.omnibus.transport.IoVecs;
import dev.omnibus.transport.Posix;
import dev.omnibus.transport.StreamSocket;
import dev.omnibus.wire.BodyReader;
import dev.omnibus.wire.BodyWriter;
import dev.omnibus.wire.MessageBuilder;
import dev.omnibus.wire.MessageView;
import dev.omnibus.wire.Protocol;
import dev.omnibus.wire.WireError;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A D-Bus client for broker tests, speaking the protocol by hand over a real
 * {@link StreamSocket}: SASL EXTERNAL (optionally with NEGOTIATE_UNIX_FD), Hello, calls and signals
 * built with {@link MessageBuilder}, replies read as {@link Received} (a {@link MessageView} over a
 * private copy, plus the fds that came with it). It can also misbehave: {@link #sendRaw} writes any
 * bytes, so tests can send garbage, truncated or invalid messages.
 *
 * <p>The socket stays non-blocking; reads poll with a short park until a deadline, so no test can
 * hang on a bus that stopped answering. Received fds are owned by the test (close them). One thread
 * at a time; not thread-safe.
 */
final class TestClient implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    static final String BUS = "org.freedesktop.DBus";
    static final String BUS_PATH = "/org/freedesktop/DBus";

    private final StreamSocket socket;
    private MemorySegment in = Arena.ofAuto().allocate(64 * 1024);
    private long start, end;
    private final FdList rxFds = new FdList();
    private final ArrayDeque<Integer> pendingFds = new ArrayDeque<>();
    private final IoVecs iov = new IoVecs(1);
    private MemorySegment out = Arena.ofAuto().allocate(64 * 1024);
    private boolean eof;
    private long nextSerial = 1;
    String uniqueName;

    private TestClient(StreamSocket socket) { this.socket = socket; }

    /** Connects without saying anything. */
    static TestClient connect(Path busSocket) {
        try {
            return new TestClient(StreamSocket.connectUnix(busSocket));
        } catch (ErrnoException e) {
            throw new AssertionError("connect " + busSocket, e);
        }
    }

    /** Connects and completes SASL EXTERNAL as this process's euid, optionally negotiating fd passing. */
    static TestClient authenticated(Path busSocket, boolean negotiateFds) {
        TestClient c = connect(busSocket);
        String uid = Integer.toString(Posix.geteuid());
        c.sendRaw("\0AUTH EXTERNAL " + HexFormat.of().formatHex(uid.getBytes(StandardCharsets.US_ASCII)) + "\r\n");
        String ok = c.readLine(TIMEOUT);
        if (ok == null || !ok.startsWith("OK ")) throw new AssertionError("EXTERNAL refused: " + ok);
        if (negotiateFds) {
            c.sendRaw("NEGOTIATE_UNIX_FD\r\n");
            String agreed = c.readLine(TIMEOUT);
            if (!"AGREE_UNIX_FD".equals(agreed)) throw new AssertionError("fd passing refused: " + agreed);
        }
        c.sendRaw("BEGIN\r\n");
        return c;
    }

    /** Authenticated and registered: Hello answered and the NameAcquired for the unique name consumed. */
    static TestClient registered(Path busSocket) { return registered(busSocket, false); }

    static TestClient registered(Path busSocket, boolean negotiateFds) {
        TestClient c = authenticated(busSocket, negotiateFds);
        long serial = c.callBus("Hello", "");
        Received reply = c.read(TIMEOUT);
        if (reply == null || reply.type() != Protocol.METHOD_RETURN || reply.replySerial() != serial) {
            throw new AssertionError("Hello failed: " + reply);
        }
        c.uniqueName = reply.body().readString();
        Received acquired = c.read(TIMEOUT);
        if (acquired == null || !acquired.isSignal("NameAcquired") || !c.uniqueName.equals(acquired.arg0())) {
            throw new AssertionError("expected NameAcquired after Hello, got " + acquired);
        }
        return c;
    }

    int fd() { return socket.fd(); }

    long nextSerial() { return nextSerial++; }

    // ---- sending ---------------------------------------------------------------------------------

    void sendRaw(String ascii) { sendRaw(ascii.getBytes(StandardCharsets.ISO_8859_1)); }

    void sendRaw(byte[] bytes) { send(bytes, null); }

    /** Writes all of {@code bytes}, the fds (if any) with the first byte; fails after {@link #TIMEOUT}. */
    void send(byte[] bytes, int[] fds) {
        if (!trySend(bytes, fds, TIMEOUT)) throw new AssertionError("bus does not read (" + bytes.length + " bytes)");
    }

    /**
     * As {@link #send} but returns false when nothing could be written in {@code timeout}, or the
     * connection is closed. Once part of the message is written the rest must follow (or the stream
     * would be torn), so then it waits up to {@link #TIMEOUT} more and fails if that is not enough.
     */
    boolean trySend(byte[] bytes, int[] fds, Duration timeout) {
        if (out.byteSize() < bytes.length) out = Arena.ofAuto().allocate(Math.max(bytes.length, out.byteSize() * 2));
        MemorySegment.copy(bytes, 0, out, ValueLayout.JAVA_BYTE, 0, bytes.length);
        long deadline = System.nanoTime() + timeout.toNanos();
        long done = 0;
        int backoff = 0;
        while (done < bytes.length) {
            long n;
            if (done == 0 && fds != null && fds.length > 0) {
                iov.clear();
                iov.add(out, 0, bytes.length);
                n = socket.write(iov, fds, fds.length);
            } else {
                n = socket.write(out, done, bytes.length - done);
            }
            if (n > 0) {
                done += n;
                backoff = 0;
            } else if (n == -Errno.EAGAIN) {
                if (System.nanoTime() > deadline) {
                    if (done == 0) return false;
                    if (System.nanoTime() > deadline + TIMEOUT.toNanos()) throw new AssertionError("bus stopped reading mid-message");
                }
                backoff = pause(backoff);
            } else {
                return false;
            }
        }
        return true;
    }

    /** Sends a built message; returns its serial. */
    long send(MessageBuilder m, long serial) {
        send(m.toBytes(), null);
        return serial;
    }

    /** A method call to the bus driver with simple arguments (s, u, i, o, g, h, as). */
    long callBus(String member, String signature, Object... args) {
        return call(BUS, BUS_PATH, BUS, member, signature, args);
    }

    long call(String dest, String path, String iface, String member, String signature, Object... args) {
        long serial = nextSerial++;
        MessageBuilder b = new MessageBuilder().reset(Protocol.METHOD_CALL, 0, serial)
                .destination(dest).path(path).interfaceName(iface).member(member);
        writeArgs(b, signature, args);
        send(b.toBytes(), null);
        return serial;
    }

    /** Calls the bus driver and waits for the reply (other messages meanwhile are dropped). */
    Received callBusAndWait(String member, String signature, Object... args) {
        long serial = callBus(member, signature, args);
        Received r = readReplyTo(serial, TIMEOUT);
        if (r == null) throw new AssertionError("no reply to " + member + " (disconnected: " + eof + ")");
        return r;
    }

    /** AddMatch, checked. */
    void addMatch(String rule) {
        Received r = callBusAndWait("AddMatch", "s", rule);
        if (r.type() != Protocol.METHOD_RETURN) throw new AssertionError("AddMatch " + rule + ": " + r);
    }

    static void writeArgs(MessageBuilder b, String signature, Object... args) {
        if (signature.isEmpty()) return;
        BodyWriter w = b.body(signature);
        int i = 0;
        for (int k = 0; k < signature.length(); k++) {
            char t = signature.charAt(k);
            Object a = args[i++];
            switch (t) {
                case 's' -> w.writeString((String) a);
                case 'o' -> w.writeObjectPath((String) a);
                case 'g' -> w.writeSignature((String) a);
                case 'u' -> w.writeUint32(((Number) a).longValue());
                case 'i' -> w.writeInt32(((Number) a).intValue());
                case 'h' -> w.writeUnixFd(((Number) a).intValue());
                case 'a' -> {
                    if (signature.charAt(++k) != 's') throw new IllegalArgumentException(signature);
                    w.beginArray();
                    for (Object s : (List<?>) a) w.writeString((String) s);
                    w.endArray();
                }
                default -> throw new IllegalArgumentException("test helper does not write " + t);
            }
        }
    }

    /** Ping through the bus driver: true when the bus answers this connection in time. */
    boolean pingBus(Duration timeout) {
        long serial = call(BUS, BUS_PATH, "org.freedesktop.DBus.Peer", "Ping", "");
        Received r = readReplyTo(serial, timeout);
        return r != null && r.type() == Protocol.METHOD_RETURN;
    }

    /**
     * Round trip through the bus: returns every message that arrived before the driver's answer to a
     * Ping sent now. Whatever the bus queued for this connection before it handled the Ping is in the
     * list (the bus writes each connection's output in order).
     */
    List<Received> sync() {
        long serial = call(BUS, BUS_PATH, "org.freedesktop.DBus.Peer", "Ping", "");
        List<Received> before = new ArrayList<>();
        for (;;) {
            Received r = read(TIMEOUT);
            if (r == null) throw new AssertionError("no answer to Ping (disconnected: " + eof + ")");
            if (r.replySerial() == serial && BUS.equals(r.sender())) return before;
            before.add(r);
        }
    }

    // ---- reading ---------------------------------------------------------------------------------

    boolean isEof() { return eof; }

    /** One CRLF-terminated SASL line without the CRLF, or null on EOF or timeout. */
    String readLine(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
            for (long i = start; i + 1 < end; i++) {
                if (in.get(ValueLayout.JAVA_BYTE, i) == '\r' && in.get(ValueLayout.JAVA_BYTE, i + 1) == '\n') {
                    byte[] line = in.asSlice(start, i - start).toArray(ValueLayout.JAVA_BYTE);
                    start = i + 2;
                    return new String(line, StandardCharsets.US_ASCII);
                }
            }
            if (!fill(deadline)) return null;
        }
    }

    /** The next whole message, or null on EOF or timeout. */
    Received read(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
            if (end - start >= MessageView.FIXED_HEADER_LENGTH) {
                long len = MessageView.frameLength(in, start);
                if (len < 0) throw new AssertionError("bus sent a bad frame: " + WireError.describe((int) -len));
                if (end - start >= len) {
                    byte[] bytes = in.asSlice(start, len).toArray(ValueLayout.JAVA_BYTE);
                    start += len;
                    return Received.of(bytes, pendingFds);
                }
                ensureRoom(len);
            }
            if (!fill(deadline)) return null;
        }
    }

    /** Reads until a message replies to {@code serial}; others are dropped. Null on EOF or timeout. */
    Received readReplyTo(long serial, Duration timeout) {
        return readUntil(r -> (r.type() == Protocol.METHOD_RETURN || r.type() == Protocol.ERROR) && r.replySerial() == serial, timeout);
    }

    /** Every message up to and including the reply to {@code serial}, in arrival order. */
    List<Received> readThrough(long serial) {
        List<Received> got = new ArrayList<>();
        for (;;) {
            Received r = read(TIMEOUT);
            if (r == null) throw new AssertionError("no reply to serial " + serial + " after " + got);
            got.add(r);
            if ((r.type() == Protocol.METHOD_RETURN || r.type() == Protocol.ERROR) && r.replySerial() == serial) return got;
        }
    }

    /** Reads until {@code want} accepts a message; others are dropped (their fds closed). */
    Received readUntil(Predicate<Received> want, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
            Received r = read(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (r == null || want.test(r)) return r;
            r.closeFds();
        }
    }

    /** Drops whatever arrives until the bus closes the connection; true if it did within the timeout. */
    boolean awaitDisconnect(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!eof) {
            start = end;
            closePendingFds();
            if (!fill(deadline) && !eof) return false;
        }
        closePendingFds();
        return true;
    }

    /** Reads exactly {@code count} messages and hands each to {@code each}; fails if they do not all arrive in time. */
    void drain(Consumer<Received> each, long count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (long i = 0; i < count; i++) {
            Received r = read(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (r == null) throw new AssertionError("only " + i + " of " + count + " messages arrived (eof " + eof + ")");
            each.accept(r);
        }
    }

    private void ensureRoom(long len) {
        if (in.byteSize() - start >= len) return;
        long size = end - start;
        MemorySegment bigger = in.byteSize() >= len + size ? in : Arena.ofAuto().allocate(Math.max(len, in.byteSize() * 2));
        MemorySegment.copy(in, start, bigger, 0, size);
        in = bigger;
        start = 0;
        end = size;
    }

    /** Reads more bytes; false on EOF or at the deadline. */
    private boolean fill(long deadline) {
        if (eof) return false;
        if (start == end) {
            start = end = 0;
        } else if (end == in.byteSize()) {
            ensureRoom(in.byteSize() * 2);
        }
        int backoff = 0;
        for (;;) {
            long n = socket.read(in, end, in.byteSize() - end, rxFds);
            for (int i = 0; i < rxFds.size(); i++) pendingFds.add(rxFds.take(i));
            rxFds.clear();
            if (n > 0) {
                end += n;
                return true;
            }
            if (n != -Errno.EAGAIN) {
                eof = true; // 0, ECONNRESET: the bus hung up
                return false;
            }
            if (System.nanoTime() > deadline) return false;
            backoff = pause(backoff);
        }
    }

    private static int pause(int backoff) {
        // Short spins first (latency tests), then up to 1 ms naps (floods).
        if (backoff < 50) Thread.onSpinWait();
        else LockSupport.parkNanos(Math.min(1_000_000, 1_000L << Math.min(10, backoff - 50)));
        return backoff + 1;
    }

    private void closePendingFds() {
        Integer fd;
        while ((fd = pendingFds.poll()) != null) Posix.close(fd);
    }

    @Override
    public void close() {
        if (socket.isClosed()) return;
        closePendingFds();
        socket.close();
        iov.close();
    }

    @Override
    public String toString() { return "TestClient[" + uniqueName + ", fd " + socket.fd() + "]"; }

    /** One message as the client received it: a validated view over a private copy and its fds. */
    static final class Received {
        final byte[] bytes;
        final MessageView view = new MessageView();
        final int[] fds;

        private Received(byte[] bytes, int[] fds) {
            this.bytes = bytes;
            this.fds = fds;
        }

        static Received of(byte[] bytes, ArrayDeque<Integer> pendingFds) {
            MemorySegment seg = MemorySegment.ofArray(bytes);
            // The UNIX_FDS field is needed before wrap: read it with a first pass that allows any count.
            MessageView probe = new MessageView();
            int rc = probe.wrap(seg, 0, bytes.length, Integer.MAX_VALUE);
            if (rc != WireError.OK) throw new AssertionError("bus sent an invalid message: " + probe.errorDetail());
            int n = probe.unixFds();
            if (pendingFds.size() < n) throw new AssertionError("message claims " + n + " fds, " + pendingFds.size() + " arrived");
            int[] fds = new int[n];
            for (int i = 0; i < n; i++) fds[i] = pendingFds.poll();
            Received r = new Received(bytes, fds);
            rc = r.view.wrap(seg, 0, bytes.length, n);
            if (rc != WireError.OK) throw new AssertionError("bus sent an invalid message: " + r.view.errorDetail());
            return r;
        }

        int type() { return view.type(); }
        long serial() { return view.serial(); }
        long replySerial() { return view.replySerial(); }
        String sender() { return view.sender(); }
        String destination() { return view.destination(); }
        String member() { return view.member(); }
        String errorName() { return view.errorName(); }
        BodyReader body() { return view.body(); }

        String arg0() {
            String sig = view.signature();
            return sig != null && !sig.isEmpty() && (sig.charAt(0) == 's' || sig.charAt(0) == 'o') ? view.argString(0) : null;
        }

        /** String arguments of an all-string body (NameOwnerChanged). */
        List<String> strings() {
            List<String> out = new ArrayList<>();
            BodyReader r = body();
            while (r.hasNext()) out.add(r.readString());
            return out;
        }

        boolean isSignal(String member) { return type() == Protocol.SIGNAL && member.equals(member()); }

        boolean isError(String name) { return type() == Protocol.ERROR && name.equals(errorName()); }

        void closeFds() {
            for (int fd : fds) Posix.close(fd);
        }

        @Override
        public String toString() {
            String kind = switch (type()) {
                case Protocol.METHOD_CALL -> "call " + view.interfaceName() + "." + member();
                case Protocol.METHOD_RETURN -> "return";
                case Protocol.ERROR -> "error " + errorName();
                case Protocol.SIGNAL -> "signal " + view.interfaceName() + "." + member();
                default -> "type " + type();
            };
            return kind + " serial=" + serial() + " reply=" + replySerial() + " from=" + sender()
                    + " to=" + destination() + " sig=" + view.signature() + (arg0() != null ? " arg0=" + arg0() : "");
        }
    }
}
