package dev.omnibus.broker;

import dev.omnibus.transport.SplicePipe;

/**
 * The kernel pipes through which large message bodies cross the bus without being copied (see
 * {@link Connection}, "splicing"). A pipe is taken by a connection while it splices a body in,
 * passes with the body to the recipient's {@link OutQueue} if the recipient cannot take it at once,
 * and comes back here empty. A few empty pipes are kept for the next body.
 *
 * <p>At most {@link #MAX_OPEN} pipes exist at a time (each costs two fds and counts against the
 * user's pipe limits); when they are all in use, or the kernel refuses a pipe, large bodies are
 * simply read and copied as any other. Bus thread only.
 */
final class PipePool implements AutoCloseable {
    /** Requested size of every pipe (F_SETPIPE_SZ): 1 MiB, /proc/sys/fs/pipe-max-size by default. */
    static final int CAPACITY = 1 << 20;
    /** Pipes open at most, in use or spare. */
    static final int MAX_OPEN = 64;
    /** Empty pipes kept for reuse. */
    private static final int MAX_SPARE = 4;

    private final SplicePipe[] spare = new SplicePipe[MAX_SPARE];
    private int spareCount;
    private int open;
    /** The kernel refused a pipe: do not ask again until one comes back. */
    private boolean refused;

    /** An empty pipe, or null when none can be had now. */
    SplicePipe take() {
        if (spareCount > 0) {
            SplicePipe p = spare[--spareCount];
            spare[spareCount] = null;
            return p;
        }
        if (open >= MAX_OPEN || refused) return null;
        SplicePipe p = SplicePipe.open(CAPACITY);
        if (p == null) {
            refused = true;
            Log.info("splicing large messages paused: no pipe of " + CAPACITY + " bytes available");
            return null;
        }
        open++;
        return p;
    }

    /** Takes back a pipe; one still holding bytes is closed (its bytes are dropped). */
    void give(SplicePipe p) {
        refused = false;
        if (p.held() != 0 || spareCount == MAX_SPARE) {
            discard(p);
            return;
        }
        spare[spareCount++] = p;
    }

    /** Closes a pipe taken from here, with whatever it holds. */
    void discard(SplicePipe p) {
        p.close();
        open--;
    }

    /** Pipes open now (in use or spare). */
    int open() { return open; }

    @Override
    public void close() {
        while (spareCount > 0) discard(spare[--spareCount]);
    }
}
