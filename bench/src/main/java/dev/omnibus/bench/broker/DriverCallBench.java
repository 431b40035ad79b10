package dev.omnibus.bench.broker;

import dev.omnibus.broker.Activator;
import dev.omnibus.broker.Bus;
import dev.omnibus.broker.BusLimits;
import dev.omnibus.broker.BusSettings;
import dev.omnibus.broker.Policy;
import dev.omnibus.transport.ErrnoException;
import dev.omnibus.transport.Errno;
import dev.omnibus.transport.EventLoop;
import dev.omnibus.transport.FdList;
import dev.omnibus.transport.Listeners;
import dev.omnibus.transport.NativeMemory;
import dev.omnibus.transport.Posix;
import dev.omnibus.transport.StreamSocket;
import dev.omnibus.wire.Guid;
import dev.omnibus.wire.MessageBuilder;
import dev.omnibus.wire.MessageView;
import dev.omnibus.wire.Protocol;
import dev.omnibus.wire.SaslServer;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * Bus driver calls ({@code org.freedesktop.DBus} methods) answered by a real {@link Bus} on its own
 * loop thread, over a real unix socket: each invocation writes {@link #BATCH} pipelined calls in one
 * write and reads the {@link #BATCH} replies, so the socket round trip is shared by the batch and the
 * figure is dominated by the bus side: framing, validation, routing to the driver, the call itself,
 * building and queueing the reply. {@code -prof gc} counts the bus thread's allocation too.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar DriverCallBench -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC"})
public class DriverCallBench {
    static final int BATCH = 64;
    private static final String DBUS = "org.freedesktop.DBus";
    private static final String PATH = "/org/freedesktop/DBus";

    /** Which driver method every call of the batch is. */
    @Param({"GetNameOwner", "NameHasOwner", "GetConnectionUnixUser", "AddMatch+RemoveMatch", "RequestName+ReleaseName", "Ping"})
    String call;

    private Path dir;
    private EventLoop loop;
    private Thread busThread;
    private StreamSocket client;
    private String uniqueName;
    private final FdList fds = new FdList();
    private MemorySegment in = NativeMemory.malloc(1 << 20);
    private long inStart, inEnd;
    private MemorySegment batch;
    private final MessageView reply = new MessageView();
    private long serial = 1;

    @Setup(Level.Trial)
    public void start() throws IOException, ErrnoException {
        dir = Files.createTempDirectory("omnibus-driver-bench");
        Path socket = dir.resolve("bus");
        loop = new EventLoop();
        long euid = Posix.geteuid();
        Bus bus = new Bus(loop, new BusSettings("session", Guid.random().hex(), BusLimits.session(),
                EnumSet.of(SaslServer.Mechanism.EXTERNAL), false, euid, Policy.sessionDefault(euid), Activator.NONE, false));
        bus.listen(Listeners.unixPath(socket));
        busThread = Thread.ofPlatform().name("bench-bus").daemon().start(loop::run);
        client = StreamSocket.connectUnix(socket);
        client.setBlocking(true);
        String uidHex = toHex(Long.toString(euid).getBytes(StandardCharsets.US_ASCII));
        write(("\0AUTH EXTERNAL " + uidHex + "\r\nBEGIN\r\n").getBytes(StandardCharsets.US_ASCII));
        MessageBuilder hello = new MessageBuilder().reset(Protocol.METHOD_CALL, 0, serial++)
                .path(PATH).interfaceName(DBUS).member("Hello").destination(DBUS);
        write(hello.toBytes());
        skipLine(); // "OK <guid>"
        uniqueName = readReply(1).argString(0);
        // A well-known name to look up, owned by this connection.
        MessageBuilder own = new MessageBuilder().reset(Protocol.METHOD_CALL, 0, serial++).path(PATH).interfaceName(DBUS)
                .member("RequestName").destination(DBUS);
        own.body("su").writeString("org.example.Bench").writeUint32(0);
        write(own.toBytes());
        awaitReplies(1);
        batch = buildBatch();
    }

    /** The {@code index}-th call of a batch; pairs (add/remove, request/release) alternate. */
    private void callOf(MessageBuilder b, int index) {
        b.reset(Protocol.METHOD_CALL, 0, 1000 + index).path(PATH).interfaceName(DBUS).destination(DBUS);
        switch (call) {
            case "GetNameOwner" -> b.member("GetNameOwner").body("s").writeString("org.example.Bench");
            case "NameHasOwner" -> b.member("NameHasOwner").body("s").writeString("org.example.Bench");
            case "GetConnectionUnixUser" -> b.member("GetConnectionUnixUser").body("s").writeString(uniqueName);
            case "AddMatch+RemoveMatch" -> b.member(index % 2 == 0 ? "AddMatch" : "RemoveMatch").body("s")
                    .writeString("type='signal',sender='org.example.Other',interface='org.example.I',member='Changed',path='/p'");
            case "RequestName+ReleaseName" -> {
                if (index % 2 == 0) {
                    b.member("RequestName").body("su").writeString("org.example.Bench.N").writeUint32(0);
                } else {
                    b.member("ReleaseName").body("s").writeString("org.example.Bench.N");
                }
            }
            case "Ping" -> b.interfaceName("org.freedesktop.DBus.Peer").member("Ping");
            default -> throw new IllegalArgumentException(call);
        }
    }

    /** {@link #BATCH} calls back to back, in native memory. */
    private MemorySegment buildBatch() {
        MessageBuilder b = new MessageBuilder();
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < BATCH; i++) {
            callOf(b, i);
            all.writeBytes(b.toBytes());
        }
        return nativeCopy(all.toByteArray());
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int batchOfCalls() throws IOException {
        sendBatch(batch);
        return awaitReplies(BATCH);
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException, IOException {
        client.close();
        NativeMemory.free(batch);
        NativeMemory.free(in);
        loop.execute(loop::stop);
        busThread.join(5000);
        loop.close();
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(dir);
    }

    // ---- a minimal blocking client ----------------------------------------------------------

    /** Writes all of {@code seg} (the client socket blocks). */
    private void sendBatch(MemorySegment seg) throws IOException {
        for (long off = 0; off < seg.byteSize(); ) {
            long n = client.write(seg, off, seg.byteSize() - off);
            if (n < 0) throw new IOException("write: " + Errno.name((int) -n));
            off += n;
        }
    }

    private void write(byte[] bytes) throws IOException {
        MemorySegment seg = nativeCopy(bytes);
        try {
            sendBatch(seg);
        } finally {
            NativeMemory.free(seg);
        }
    }

    private static MemorySegment nativeCopy(byte[] bytes) {
        MemorySegment seg = NativeMemory.malloc(bytes.length);
        MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return seg;
    }

    /** Reads until {@code n} replies (method returns or errors) have arrived; returns the error count. */
    private int awaitReplies(int n) throws IOException {
        int errors = 0;
        while (n > 0) {
            MessageView m = next();
            if (m.type() == Protocol.METHOD_RETURN || m.type() == Protocol.ERROR) {
                n--;
                if (m.type() == Protocol.ERROR) errors++;
            }
        }
        if (errors > 0 && !call.equals("RequestName+ReleaseName")) throw new IllegalStateException(errors + " error replies");
        return errors;
    }

    private MessageView readReply(long replySerial) throws IOException {
        for (;;) {
            MessageView m = next();
            if (m.replySerial() == replySerial) return m;
        }
    }

    /** The next whole message from the bus (valid until the next call); blocking reads. */
    private MessageView next() throws IOException {
        for (;;) {
            long have = inEnd - inStart;
            if (have >= MessageView.FIXED_HEADER_LENGTH) {
                long len = MessageView.frameLength(in, inStart);
                if (len < 0) throw new IOException("bad frame from the bus");
                if (have >= len) {
                    reply.wrap(in, inStart, len, 0);
                    inStart += len;
                    return reply;
                }
            }
            fill();
        }
    }

    private void fill() throws IOException {
        if (inStart == inEnd) {
            inStart = 0;
            inEnd = 0;
        } else if (inEnd > in.byteSize() / 2) {
            MemorySegment.copy(in, inStart, in, 0, inEnd - inStart);
            inEnd -= inStart;
            inStart = 0;
        }
        for (;;) {
            long n = client.read(in, inEnd, in.byteSize() - inEnd, fds);
            if (n > 0) {
                inEnd += n;
                return;
            }
            if (n == 0) throw new IOException("the bus hung up");
            if (n != -Errno.EINTR) throw new IOException("read: " + Errno.name((int) -n));
        }
    }

    private void skipLine() throws IOException {
        for (;;) {
            for (long p = inStart; p + 1 < inEnd; p++) {
                if (in.get(ValueLayout.JAVA_BYTE, p) == '\r' && in.get(ValueLayout.JAVA_BYTE, p + 1) == '\n') {
                    inStart = p + 2;
                    return;
                }
            }
            fill();
        }
    }

    private static String toHex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) s.append(String.format("%02x", x));
        return s.toString();
    }
}
