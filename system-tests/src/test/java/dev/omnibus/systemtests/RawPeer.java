package dev.omnibus.systemtests;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;

/**
 * A raw connection to the bus over {@link SocketChannel} that can misbehave: it speaks SASL and
 * D-Bus by hand ({@link RawMessage}) so a test can send garbage, truncated or invalid messages and
 * observe whether the bus disconnects it. Non-blocking channel polled with a selector so every read
 * has a timeout. Used by one test thread.
 */
public final class RawPeer implements AutoCloseable {

    private final SocketChannel channel;
    private final Selector selector;
    private final ByteBuffer in = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    private boolean eof;

    private RawPeer(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
        in.flip();
    }

    /** Connects without authenticating. */
    public static RawPeer connect(Path socket) throws IOException {
        return new RawPeer(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
    }

    /** Connects, authenticates with EXTERNAL as this process's uid, and sends BEGIN. */
    public static RawPeer authenticated(Path socket) throws IOException {
        RawPeer peer = connect(socket);
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        String hexUid = HexFormat.of().formatHex(Integer.toString(uid).getBytes(StandardCharsets.US_ASCII));
        peer.send(("\0AUTH EXTERNAL " + hexUid + "\r\n").getBytes(StandardCharsets.US_ASCII));
        String reply = peer.readLine(Duration.ofSeconds(10));
        if (reply == null || !reply.startsWith("OK ")) {
            throw new AssertionError("EXTERNAL auth refused: " + reply);
        }
        peer.send("BEGIN\r\n".getBytes(StandardCharsets.US_ASCII));
        return peer;
    }

    /** Authenticates and completes Hello; returns the peer (its unique name is checked). */
    public static RawPeer registered(Path socket) throws IOException {
        RawPeer peer = authenticated(socket);
        peer.send(RawMessage.hello(1));
        RawMessage.Parsed reply = peer.readMessage(Duration.ofSeconds(10));
        if (reply == null || reply.type() != RawMessage.METHOD_RETURN || reply.firstString() == null
                || !reply.firstString().startsWith(":")) {
            throw new AssertionError("Hello failed: " + reply);
        }
        return peer;
    }

    public void send(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (b.hasRemaining()) {
            if (channel.write(b) == 0) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("bus does not read");
                }
                Thread.onSpinWait();
            }
        }
    }

    /** Reads more bytes into the buffer; false on timeout or EOF. */
    private boolean fill(long deadlineNanos) throws IOException {
        if (eof) {
            return false;
        }
        while (true) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            selector.select(Math.max(1, left / 1_000_000));
            selector.selectedKeys().clear();
            in.compact();
            int n;
            try {
                n = channel.read(in);
            } catch (IOException reset) {
                n = -1; // ECONNRESET is the bus hanging up too
            } finally {
                in.flip();
            }
            if (n < 0) {
                eof = true;
                return false;
            }
            if (n > 0) {
                return true;
            }
        }
    }

    /** Reads one CRLF-terminated SASL line, or null on EOF/timeout. */
    public String readLine(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (int i = in.position(); i + 1 < in.limit(); i++) {
                if (in.get(i) == '\r' && in.get(i + 1) == '\n') {
                    byte[] line = new byte[i - in.position()];
                    in.get(line);
                    in.position(in.position() + 2);
                    return new String(line, StandardCharsets.US_ASCII);
                }
            }
            if (!fill(deadline)) {
                return null;
            }
        }
    }

    /** Reads one whole message, or null on EOF/timeout. */
    public RawMessage.Parsed readMessage(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (in.remaining() >= 16) {
                ByteOrder order = in.get(in.position()) == 'B' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
                in.order(order);
                int bodyLen = in.getInt(in.position() + 4);
                int fieldsLen = in.getInt(in.position() + 12);
                int total = ((16 + fieldsLen + 7) & ~7) + bodyLen;
                if (in.remaining() >= total) {
                    byte[] m = new byte[total];
                    in.get(m);
                    return RawMessage.Parsed.parse(m);
                }
            }
            if (!fill(deadline)) {
                return null;
            }
        }
    }

    /** Reads messages until one replies to {@code serial}; null on EOF/timeout. */
    public RawMessage.Parsed readReplyTo(int serial, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            RawMessage.Parsed m = readMessage(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (m == null || m.replySerial() == serial) {
                return m;
            }
        }
    }

    /**
     * Discards whatever the bus sends until it closes the connection; true if it did within the
     * timeout, false if the connection is still open after it.
     */
    public boolean awaitDisconnect(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!eof) {
            in.position(in.limit());
            if (!fill(deadline) && !eof) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        selector.close();
        channel.close();
    }
}
