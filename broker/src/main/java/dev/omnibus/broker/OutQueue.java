package dev.omnibus.broker;

import dev.omnibus.transport.Errno;
import dev.omnibus.transport.IoVecs;
import dev.omnibus.transport.Posix;
import dev.omnibus.transport.SplicePipe;
import dev.omnibus.transport.StreamSocket;
import java.lang.foreign.MemorySegment;

/**
 * The bytes and file descriptors waiting to be sent to one peer, flushed with sendmsg.
 *
 * <p>Messages are appended whole into one native buffer. A message that carries fds is recorded as
 * a mark (its offset, length and fds): the flush sends such a message in a sendmsg of its own that
 * starts at its first byte, so the receiver gets the fds together with that message and no other
 * (libdbus and sd-bus both attribute received fds to the message being read). Every other run of
 * bytes goes out in as few writes as the kernel takes.
 *
 * <p>A large body that crossed the bus in a kernel pipe ({@link PipePool}) is queued as a mark too:
 * the pipe, at its position between the bytes; the flush splices it into the socket when the bytes
 * before it are written.
 *
 * <p>Owns the queued fds and pipes: fds are closed once sent, pipes go back to the pool once drained;
 * both are released when the queue is closed. Bus thread only.
 */
final class OutQueue implements AutoCloseable {
    /** Outcome of {@link #flush}. */
    static final int FLUSHED = 0, BLOCKED = 1, FAILED = 2;


    private final NativeBuffer buf;
    private final PipePool pipes;
    private long[] markOffset = new long[4];
    private long[] markLength = new long[4];
    private int[][] markFds = new int[4][];
    private SplicePipe[] markPipe = new SplicePipe[4];
    private int markHead, markCount;
    /** Bytes flushed so far: the absolute stream position of buf.start. Marks hold absolute positions, so compaction does not move them. */
    private long flushed;
    private long queuedFds;
    /** Bytes held in queued pipes. */
    private long pipedBytes;

    /**
     * An empty queue; its buffer comes from {@code pool} when first needed and goes back when drained;
     * drained pipes go back to {@code pipes}.
     */
    OutQueue(BlockPool pool, PipePool pipes) {
        this.buf = new NativeBuffer(BlockPool.BLOCK, pool);
        this.pipes = pipes;
    }

    long pendingBytes() { return buf.size() + pipedBytes; }
    long pendingFds() { return queuedFds; }
    boolean isEmpty() { return buf.size() == 0 && pipedBytes == 0; }
    /** The buffer outgrew what an idle queue keeps: the bus should sweep it later. */
    boolean isLarge() { return buf.isLarge(); }
    long capacity() { return buf.capacity(); }
    /** See {@link NativeBuffer#shrinkIfIdle}. */
    boolean shrinkIfIdle() { return buf.shrinkIfIdle(); }

    /** Reserves {@code n} bytes at the tail; the caller writes them at {@link #tail()} then calls {@link #commit}. */
    MemorySegment reserve(long n) {
        buf.ensureFree(n);
        return buf.segment();
    }

    long tail() { return buf.end; }

    void commit(long n) { buf.end += n; }

    /** Drops the first {@code n} queued bytes, which were sent by other means (no fds among them). */
    void skip(long n) {
        if (markCount > 0 && markOffset[markHead] < flushed + n) throw new IllegalStateException("skipping a message with fds");
        flushed += n;
        buf.consume(n);
    }

    /** Attaches fds (ownership moves here) to the message of {@code length} bytes about to be queued. */
    void attachFds(int[] fds, long length) {
        int i = addMark(length);
        markFds[i] = fds;
        queuedFds += fds.length;
    }

    /**
     * Queues what {@code pipe} holds after the bytes queued so far (ownership of the pipe moves
     * here): the rest of a message whose start was queued as bytes.
     */
    void appendPipe(SplicePipe pipe) {
        int i = addMark(pipe.held());
        markPipe[i] = pipe;
        pipedBytes += pipe.held();
    }

    private int addMark(long length) {
        if (markCount == markFds.length) growMarks();
        int i = (markHead + markCount) % markFds.length;
        markOffset[i] = flushed + buf.size();
        markLength[i] = length;
        markCount++;
        return i;
    }

    private void popMark() {
        markFds[markHead] = null;
        markPipe[markHead] = null;
        markCount--;
        markHead = (markHead + 1) % markFds.length;
    }

    private void growMarks() {
        int n = markFds.length * 2;
        long[] o = new long[n], l = new long[n];
        int[][] f = new int[n][];
        SplicePipe[] pp = new SplicePipe[n];
        for (int k = 0; k < markCount; k++) {
            int j = (markHead + k) % markFds.length;
            o[k] = markOffset[j];
            l[k] = markLength[j];
            f[k] = markFds[j];
            pp[k] = markPipe[j];
        }
        markOffset = o;
        markLength = l;
        markFds = f;
        markPipe = pp;
        markHead = 0;
    }

    /** A drained queue gives its block back (see {@link NativeBuffer#releaseIfPoolSized}). */
    void releaseIfPoolSized() {
        buf.releaseIfPoolSized();
    }

    /** Writes as much as the kernel takes. */
    int flush(StreamSocket socket, IoVecs iov) {
        while (true) {
            long pos = flushed;
            if (markCount > 0 && markPipe[markHead] != null && markOffset[markHead] == pos) {
                SplicePipe pipe = markPipe[markHead];
                long n = pipe.drainTo(socket, pipe.held());
                if (n == -Errno.EAGAIN) return BLOCKED;
                if (n < 0) return FAILED;
                pipedBytes -= n;
                if (pipe.held() > 0) continue; // the kernel took part: the next splice says whether it is full
                popMark();
                pipes.give(pipe);
                continue;
            }
            if (buf.size() == 0) break;
            long len;
            int[] fds = null;
            if (markCount > 0 && markOffset[markHead] == pos) {
                fds = markFds[markHead];
                len = markLength[markHead];
            } else if (markCount > 0) {
                len = markOffset[markHead] - pos;
            } else {
                len = buf.size();
            }
            iov.clear();
            iov.add(buf.segment(), buf.start, len);
            long n = socket.write(iov, fds, fds == null ? 0 : fds.length);
            if (n == -Errno.EAGAIN) return BLOCKED;
            if (n < 0) return FAILED;
            if (fds != null) {
                // The kernel holds its own references to fds in flight; ours can go.
                closeAll(fds);
                queuedFds -= fds.length;
                // The fds went with the first byte; a partial rest goes out as plain bytes.
                popMark();
            }
            flushed += n;
            buf.consume(n);
            if (n < len) return BLOCKED;
        }
        releaseIfPoolSized();
        return FLUSHED;
    }

    private static void closeAll(int[] fds) {
        for (int fd : fds) Posix.close(fd);
    }

    @Override
    public void close() {
        while (markCount > 0) {
            int[] f = markFds[markHead];
            if (f != null) closeAll(f);
            SplicePipe p = markPipe[markHead];
            if (p != null) pipes.discard(p);
            popMark();
        }
        queuedFds = 0;
        pipedBytes = 0;
        buf.close();
    }
}
