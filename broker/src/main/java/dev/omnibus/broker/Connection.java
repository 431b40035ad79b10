package dev.omnibus.broker;

import dev.omnibus.transport.Errno;
import dev.omnibus.transport.EventHandler;
import dev.omnibus.transport.EventLoop;
import dev.omnibus.transport.FdList;
import dev.omnibus.transport.IoVecs;
import dev.omnibus.transport.Posix;
import dev.omnibus.transport.SplicePipe;
import dev.omnibus.transport.StreamSocket;
import dev.omnibus.transport.Timer;
import dev.omnibus.wire.MessageView;
import dev.omnibus.wire.SaslServer;
import dev.omnibus.wire.SenderStitch;
import dev.omnibus.wire.WireError;
import java.lang.foreign.MemorySegment;

/**
 * The I/O side of one client: the socket, the SASL exchange, framing of received bytes into
 * messages, and the outbound queue. Received messages are validated here and handed to the bus
 * one at a time; the bus answers by queueing bytes with {@link #out}.
 *
 * <p>Reading is budgeted: after {@link #READ_BUDGET} bytes in one turn the connection yields and
 * asks the loop to call it again after the others ({@link EventLoop#markReady}), so one flooding
 * peer cannot starve the rest. Output is not written here on every message: the bus collects
 * connections with new output and flushes them after the current batch of input, so replies batch.
 *
 * <p>Splicing: a large message whose body is one byte array ({@code ay}) and whose only recipient is
 * one peer does not have its body read at all. Once its header is in, the stitched header (with the
 * SENDER field, which does not depend on the recipient) is written into a kernel pipe
 * ({@link PipePool}), the rest of the body is spliced from this socket behind it, and when it is all
 * there the message is routed as usual, the recipient's socket (or queue) getting the pipe. The
 * pages of the body cross the bus without being copied, and the recipient gets the message in one
 * write. After such a message the next read takes only about a header ({@link #PROBE}), so that the
 * next large body stays in the socket for splicing too. When the routing no longer allows what the
 * header did by the time the body is complete (a monitor connected meanwhile, say), or the pipe
 * fills up, the body is read back from the pipe and the message goes the usual way.
 *
 * <p>Bus thread only.
 */
final class Connection implements EventHandler {
    /** Bytes read from one peer before yielding to others. */
    static final int READ_BUDGET = 256 * 1024;
    /**
     * Capacity of the bus's shared read buffer ({@link Bus#readScratch}): a connection with nothing
     * pending reads into it, so an idle connection holds no input buffer, and the bytes of most
     * reads land in one cache-warm block. Frames that do not fit are read into the connection's own.
     */
    static final long SCRATCH_CAPACITY = 64 * 1024;
    /** Leftovers up to this size move back into the scratch at the start of a turn. */
    private static final long SMALL_LEFTOVER = 4096;
    private static final int[] NO_FDS = new int[0];
    /** Bodies with at least this many bytes still to come are spliced (see the class comment). */
    static final long SPLICE_MIN = 32 * 1024;
    /** Bodies with more than this still to come are read as usual: a pipe holds at most about this. */
    static final long SPLICE_MAX = PipePool.CAPACITY;
    /** The read after a spliced message asks for this much: a typical header and its body's length. */
    static final long PROBE = 256;
    /** A stitched header and the body bytes read with it are staged into the pipe only up to this size. */
    private static final long STAGE_MAX = 128 * 1024;

    final Bus bus;
    final StreamSocket socket;
    final OutQueue out;
    Peer peer;
    SaslServer sasl;
    boolean fdsNegotiated;
    boolean authenticated;
    boolean closed;
    /** Waiting for EPOLLOUT: the kernel buffer was full at the last flush. */
    boolean writeBlocked;
    /** Queued in the bus's flush list. */
    boolean flushPending;
    /** In the bus's list of connections with large buffers to shrink once idle. */
    boolean buffersWatched;
    /** Disconnect as soon as the outbound queue is written (after a SASL failure). */
    boolean closeWhenFlushed;
    Timer authTimer;

    /**
     * This connection's own input buffer: holds what a turn left unprocessed (a partial frame, or
     * frames held back by back-pressure) and frames too large for the scratch. Empty and released
     * between turns for most connections.
     */
    private final NativeBuffer own;
    /** The buffer of the current turn: {@link #own} or the bus's scratch (only during readSome). */
    private NativeBuffer in;
    private final FdList inFds = new FdList();
    /** Bytes needed before the next frame can be parsed (0: unknown). */
    private long needed;

    Connection(Bus bus, StreamSocket socket, SaslServer sasl) {
        this.bus = bus;
        this.socket = socket;
        this.sasl = sasl;
        this.out = new OutQueue(bus.blocks, bus.pipes);
        this.own = new NativeBuffer(BlockPool.BLOCK, bus.blocks);
        this.in = own;
    }

    @Override
    public void onReady(int events) {
        if (closed) return;
        if ((events & EventLoop.WRITABLE) != 0 && writeBlocked) {
            writeBlocked = false;
            flush();
            if (closed) return;
        }
        if (events == 0 || (events & ~EventLoop.WRITABLE) != 0) {
            readSome(events);
        }
    }

    private void readSome(int events) {
        NativeBuffer scratch = bus.readScratch;
        long left = own.size();
        if (left == 0) {
            in = scratch;
        } else if (left <= SMALL_LEFTOVER && needed <= SCRATCH_CAPACITY) {
            // A pipelining peer leaves a partial frame after almost every read: carry it into the
            // scratch, so that this turn reads with the scratch's window, not the own buffer's rest.
            own.moveAllTo(scratch);
            in = scratch;
        }
        try {
            readTurn(events);
        } finally {
            if (in == scratch) leaveScratch(scratch);
            if (!dispatching) own.releaseIfPoolSized();
        }
    }

    /** Moves what is left in the scratch (a partial frame, held-back frames) into the own buffer. */
    private void leaveScratch(NativeBuffer scratch) {
        if (closed) {
            scratch.consume(scratch.size());
        } else {
            scratch.moveAllTo(own);
        }
        in = own;
    }

    private void readTurn(int events) {
        long budget = READ_BUDGET;
        boolean drained = false;
        while (!closed) {
            if (out.pendingBytes() > bus.limits().get(Limit.MAX_OUTGOING_BYTES)) {
                // Back-pressure: a peer that does not read what the bus owes it (driver replies it
                // asked for, errors) is not read either until it catches up; flush() resumes it.
                readPaused = true;
                return;
            }
            if (splicing != null) {
                long n = spliceSome();
                if (n < 0) return;
                budget -= n;
                if (budget <= 0 && splicing != null) {
                    bus.loop.markReady(this);
                    return;
                }
                continue;
            }
            if (in.size() > 0 && !processInput()) return;
            if (splicing != null) continue;
            if (drained) {
                watchPendingFds();
                return;
            }
            if (budget <= 0) {
                bus.loop.markReady(this);
                return;
            }
            long want = Math.max(4096, needed - in.size());
            if (in == bus.readScratch && SCRATCH_CAPACITY - in.size() < want) {
                leaveScratch(in); // the frame being read does not fit: go on in the own buffer
            }
            in.ensureFree(want);
            if (in.isLarge()) bus.watchBuffers(this);
            long asked = probing ? Math.min(in.free(), probeLength()) : in.free();
            long n = socket.read(in.segment(), in.end, asked, inFds);
            if (n > 0) {
                in.end += n;
                budget -= n;
                // Skip the read that would only return EAGAIN (one syscall per wake-up): a short
                // read without fds empties an AF_UNIX or TCP stream's queue (the kernel stops
                // early only at an fd-carrying or, with SO_PASSCRED, credential boundary), and data
                // arriving later is a new edge. Only in a turn woken by plain readability: a
                // hang-up reported with it must still be read as EOF, and a resumed turn (events
                // 0) has no edge to rely on.
                drained = events == EventLoop.READABLE && n < asked && inFds.size() == 0;
                if (inFds.size() > 0) {
                    if (!fdsNegotiated) {
                        inFds.closeAll();
                        bus.protocolViolation(this, "sent file descriptors without negotiating them");
                        return;
                    }
                    moveReceivedFds();
                }
                if (pendingFdCount > bus.limits().get(Limit.MAX_INCOMING_UNIX_FDS)) {
                    bus.protocolViolation(this, "exceeded max_incoming_unix_fds");
                    return;
                }
                continue;
            }
            if (n == -Errno.EAGAIN) {
                watchPendingFds();
                return;
            }
            if (n == 0) {
                bus.disconnect(this, null);
            } else if (n == StreamSocket.FDS_TRUNCATED) {
                bus.protocolViolation(this, "sent more file descriptors than the bus can receive in one message");
            } else {
                bus.disconnect(this, "read failed: " + Errno.name((int) -n));
            }
            return;
        }
    }

    /** Consumes whole frames from the input buffer. False when the connection closed meanwhile. */
    private boolean processInput() {
        MemorySegment seg = in.segment();
        if (sasl != null) {
            int consumed = sasl.feed(seg, in.start, (int) Math.min(in.size(), Integer.MAX_VALUE));
            in.consume(consumed);
            if (sasl.hasOutput()) queueRaw(sasl.takeOutput());
            switch (sasl.state()) {
                case FAILED -> {
                    bus.authFailed(this, sasl.failureReason());
                    return false;
                }
                case AUTHENTICATED -> {
                    fdsNegotiated = sasl.unixFdNegotiated();
                    SaslServer done = sasl;
                    sasl = null;
                    if (!bus.authenticated(this, done)) return false;
                }
                default -> {
                    return true;
                }
            }
        }
        MessageView view = bus.view;
        while (in.size() >= MessageView.FIXED_HEADER_LENGTH) {
            long len = MessageView.frameLength(seg, in.start);
            if (len < 0) {
                bus.protocolViolation(this, WireError.describe((int) -len));
                return false;
            }
            if (len > bus.limits().get(Limit.MAX_MESSAGE_SIZE)) {
                bus.protocolViolation(this, "message of " + len + " bytes exceeds max_message_size");
                return false;
            }
            if (in.size() < len) {
                needed = len;
                probing = false;
                long rest = len - in.size();
                if (rest >= SPLICE_MIN && rest <= SPLICE_MAX && !spliceRefused) startSplice(seg, len);
                return true;
            }
            needed = 0;
            spliceRefused = false;
            int rc = view.wrap(seg, in.start, len, pendingFdCount);
            if (rc != WireError.OK) {
                bus.protocolViolation(this, "invalid message: " + view.errorDetail());
                return false;
            }
            int nfds = view.unixFds();
            if (nfds > bus.limits().get(Limit.MAX_MESSAGE_UNIX_FDS)) {
                bus.protocolViolation(this, "message carries " + nfds + " fds, over max_message_unix_fds");
                return false;
            }
            int[] fds = nfds == 0 ? NO_FDS : takeFds(nfds);
            // After a large byte-array message, expect another: read only its header next.
            probing = len >= SPLICE_MIN && view.hasOpaqueBody();
            dispatching = true;
            try {
                bus.dispatch(peer, view, fds);
            } finally {
                dispatching = false;
            }
            if (closed) {
                own.close(); // deferred by close(): the view may have pointed into it until now
                return false;
            }
            in.consume(len);
            seg = in.segment();
        }
        return true;
    }

    /** The pipe the body of the current message is being spliced into; null when not splicing. */
    private SplicePipe splicing;
    /** Body bytes still to splice into {@link #splicing}. */
    private long spliceLeft;
    /** Bytes at the front of {@link #splicing} that are the stitched copy of what {@code in} holds. */
    private long spliceStaged;
    /** The last message was a large byte array: read about a header at a time (see the class comment). */
    private boolean probing;
    /** The current message's body stopped splicing (the pipe filled up): it is read the usual way. */
    private boolean spliceRefused;
    /** The last splice found the socket readable but moved nothing (see {@link #spliceSome}). */
    private boolean spliceStalled;

    /**
     * The frame of {@code len} bytes at in.start is incomplete: starts splicing the rest of its body
     * if the message qualifies (see the class comment). {@code in} holds exactly its first bytes.
     */
    private void startSplice(MemorySegment seg, long len) {
        MessageView view = bus.view;
        if (pendingFdCount != 0 || !view.wrapOpaqueHead(seg, in.start, in.size(), 0) || !bus.router.canSplice(peer, view)) {
            return;
        }
        long prefix = in.end - view.bodyOffset(); // body bytes already read
        int header = SenderStitch.headerLength(view, peer.uniqueNameUtf8.length);
        if (header + prefix > STAGE_MAX) return;
        SplicePipe pipe = bus.pipes.take();
        if (pipe == null) return;
        NativeBuffer stage = bus.spliceStage;
        stage.ensureFree(header + prefix);
        MemorySegment st = stage.segment();
        SenderStitch.writeHeader(view, peer.uniqueNameUtf8, st, 0);
        MemorySegment.copy(seg, view.bodyOffset(), st, header, prefix);
        if (pipe.fillFrom(st, 0, header + prefix) != header + prefix) {
            bus.pipes.discard(pipe);
            return;
        }
        splicing = pipe;
        spliceStalled = false;
        spliceStaged = header + prefix;
        spliceLeft = len - in.size();
    }

    /**
     * Splices more of the body; routes the message once it is complete. Returns the bytes moved,
     * or -1 when the turn ends (the socket ran dry, or the connection closed).
     */
    private long spliceSome() {
        long n = splicing.fillFrom(socket, spliceLeft);
        if (n > 0) {
            spliceStalled = false;
            spliceLeft -= n;
            if (spliceLeft == 0) finishSplice();
            return closed ? -1 : n;
        }
        if (n == -Errno.EAGAIN) {
            if (socket.pendingInput() > 0) {
                // Bytes arrived since the splice found none, or the pipe is full: twice in a row
                // means full, and the rest comes the usual way.
                if (spliceStalled) unsplice();
                spliceStalled = true;
                return 0;
            }
            return -1;
        }
        if (n == 0) {
            bus.disconnect(this, null);
        } else {
            bus.disconnect(this, "read failed: " + Errno.name((int) -n));
        }
        return -1;
    }

    /** The whole body is in the pipe: route the message with it, or read it back if it cannot go that way. */
    private void finishSplice() {
        SplicePipe pipe = splicing;
        MessageView view = bus.view;
        if (!view.wrapOpaqueHead(in.segment(), in.start, in.size(), 0) || !bus.router.canSplice(peer, view)) {
            unsplice();
            return;
        }
        splicing = null;
        bus.pipedBody = pipe;
        dispatching = true;
        try {
            bus.dispatch(peer, view, NO_FDS);
        } finally {
            dispatching = false;
            if (bus.pipedBody != null) {
                // Not forwarded (refused, nobody to take it): the body is dropped with its pipe.
                bus.pipedBody = null;
                bus.pipes.discard(pipe);
            }
        }
        if (closed) {
            own.close(); // deferred by close(), as in processInput
            return;
        }
        in.consume(in.size());
        probing = true;
    }

    /**
     * Stops splicing: what the pipe holds is read back behind the bytes already in the input buffer,
     * and the message is completed and routed the usual way.
     */
    private void unsplice() {
        SplicePipe pipe = splicing;
        splicing = null;
        spliceRefused = true;
        if (in == bus.readScratch) leaveScratch(in);
        long held = pipe.held();
        own.ensureFree(held + spliceLeft);
        if (own.isLarge()) bus.watchBuffers(this);
        // The staged stitched header and body start are a copy of what the input buffer holds: drop them.
        for (long drop = spliceStaged; drop > 0; ) {
            long n = pipe.readInto(own.segment(), own.end, drop);
            if (n <= 0) break;
            drop -= n;
        }
        while (pipe.held() > 0) {
            long n = pipe.readInto(own.segment(), own.end, pipe.held());
            if (n <= 0) break;
            own.end += n;
        }
        if (pipe.held() > 0) {
            bus.pipes.discard(pipe);
            bus.disconnect(this, "lost the body of a message in a pipe");
            return;
        }
        bus.pipes.give(pipe);
    }

    /** How much the next read asks for while probing: the rest of the next header and its body's length. */
    private long probeLength() {
        if (in.size() < MessageView.FIXED_HEADER_LENGTH) return PROBE;
        long head = MessageView.headLength(in.segment(), in.start) + 4;
        return Math.max(1, head - in.size());
    }

    /** Received fds not yet claimed by a message, in arrival order (a message takes the first N). */
    private int[] pendingFds = new int[8];
    private int pendingFdCount;

    private void moveReceivedFds() {
        int n = inFds.size();
        if (pendingFdCount + n > pendingFds.length) {
            pendingFds = java.util.Arrays.copyOf(pendingFds, Math.max(pendingFds.length * 2, pendingFdCount + n));
        }
        inFds.takeRange(0, n, pendingFds, pendingFdCount);
        inFds.clear();
        pendingFdCount += n;
    }

    private int[] takeFds(int n) {
        int[] fds = java.util.Arrays.copyOf(pendingFds, n);
        System.arraycopy(pendingFds, n, pendingFds, 0, pendingFdCount - n);
        pendingFdCount -= n;
        if (pendingFdCount == 0 && pendingFdTimer != null) {
            pendingFdTimer.cancel();
            pendingFdTimer = null;
        }
        return fds;
    }

    /**
     * pending_fd_timeout (man dbus-daemon): fds that arrived ahead of the rest of their message may
     * wait that long; a peer that keeps them in the bus longer is disconnected. Root is exempt, as
     * with dbus-daemon.
     */
    private void watchPendingFds() {
        if (pendingFdCount == 0 || pendingFdTimer != null || peer.uid() == 0) return;
        long ms = bus.limits().get(Limit.PENDING_FD_TIMEOUT);
        pendingFdTimer = bus.loop.schedule(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(ms), () -> {
            pendingFdTimer = null;
            if (!closed && pendingFdCount > 0) {
                bus.protocolViolation(this, "held file descriptors in the bus for longer than pending_fd_timeout ("
                        + ms + " ms)");
            }
        });
    }

    private Timer pendingFdTimer;

    /** Queues bytes as they are (SASL lines). */
    void queueRaw(byte[] bytes) {
        MemorySegment s = out.reserve(bytes.length);
        MemorySegment.copy(bytes, 0, s, java.lang.foreign.ValueLayout.JAVA_BYTE, out.tail(), bytes.length);
        out.commit(bytes.length);
        bus.scheduleFlush(this);
    }

    /**
     * Writes what the kernel takes. On a full kernel buffer it asks for EPOLLOUT and waits; once the
     * queue is written, EPOLLOUT interest is dropped again (it would wake the loop every time the
     * peer reads). Resumes reading a peer paused by back-pressure once its queue is under the limit.
     */
    void flush() {
        if (closed || writeBlocked) return;
        int r = out.flush(socket, bus.iov);
        if (out.isLarge()) bus.watchBuffers(this);
        if (r == OutQueue.FAILED) {
            bus.disconnect(this, null);
            return;
        }
        if (r == OutQueue.BLOCKED) {
            writeBlocked = true;
            if (!hadWriteInterest) bus.loop.modify(socket.fd(), EventLoop.READABLE | EventLoop.WRITABLE, this);
            hadWriteInterest = true;
        } else {
            if (hadWriteInterest) bus.loop.modify(socket.fd(), EventLoop.READABLE, this);
            hadWriteInterest = false;
            if (closeWhenFlushed) {
                bus.disconnect(this, null);
                return;
            }
        }
        if (readPaused && out.pendingBytes() <= bus.limits().get(Limit.MAX_OUTGOING_BYTES)) {
            readPaused = false;
            bus.loop.markReady(this);
        }
    }

    /**
     * Sends a large message to this peer, whose queue is empty, without copying its body: the
     * stitched header (written at the queue's tail, not yet committed) and the body, still in the
     * sender's input buffer, go out in one sendmsg. Whatever the kernel does not take is queued as
     * usual (header and body copied in, the bytes already sent skipped) and flushed later, so order
     * and back-pressure are as for any queued message.
     */
    void writeThrough(int header, MemorySegment body, long bodyOffset, long bodyLength) {
        IoVecs iov = bus.iov;
        iov.clear();
        iov.add(out.reserve(header), out.tail(), header);
        iov.add(body, bodyOffset, bodyLength);
        long n = socket.write(iov, null, 0);
        if (n == header + bodyLength) {
            out.releaseIfPoolSized();
            return;
        }
        out.commit(header);
        MemorySegment s = out.reserve(bodyLength);
        MemorySegment.copy(body, bodyOffset, s, out.tail(), bodyLength);
        out.commit(bodyLength);
        if (n > 0) out.skip(n);
        // A failed write fails again in flush(), which disconnects the peer.
        bus.scheduleFlush(this);
    }

    /**
     * Sends a whole message (stitched header and body) held in {@code pipe}: spliced into the socket
     * at once when nothing is queued before it; what the kernel does not take (or all of it, behind
     * other queued bytes) is queued with the pipe. The pipe is this queue's or the pool's afterwards.
     */
    void sendPiped(SplicePipe pipe) {
        if (out.isEmpty() && !writeBlocked) {
            while (pipe.held() > 0 && pipe.drainTo(socket, pipe.held()) > 0) {
                // the kernel takes the pages; go on until it is full
            }
            if (pipe.held() == 0) {
                bus.pipes.give(pipe);
                return;
            }
        }
        out.appendPipe(pipe);
        // A failed splice fails again in flush(), which disconnects the peer.
        bus.scheduleFlush(this);
    }

    private boolean hadWriteInterest;
    /** Reading stopped because this peer's own outbound queue is over max_outgoing_bytes. */
    private boolean readPaused;
    /** A message of this connection is being routed: its input buffer must outlive close(). */
    private boolean dispatching;

    long inputCapacity() { return own.capacity(); }

    /**
     * Shrinks both buffers if they are large and empty (the bus's sweep); true when neither is large
     * any more. The input buffer stays while a message in it is being routed.
     */
    boolean shrinkIdleBuffers() {
        boolean inSmall = dispatching ? !own.isLarge() : own.shrinkIfIdle();
        return out.shrinkIfIdle() & inSmall;
    }

    void close() {
        if (closed) return;
        closed = true;
        if (authTimer != null) authTimer.cancel();
        if (pendingFdTimer != null) pendingFdTimer.cancel();
        bus.loop.unregisterBeforeClose(socket.fd());
        socket.close();
        out.close();
        if (splicing != null) {
            bus.pipes.discard(splicing);
            splicing = null;
        }
        if (!dispatching) own.close();
        inFds.closeAll();
        for (int i = 0; i < pendingFdCount; i++) Posix.close(pendingFds[i]);
        pendingFdCount = 0;
    }
}
