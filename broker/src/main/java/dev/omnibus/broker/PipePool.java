package dev.omnibus.broker;

import dev.omnibus.transport.SplicePipe;

/**
 * The kernel pipes through which large message bodies cross the bus without being copied (see
 * {@link Connection}, "splicing"). A pipe is taken by a connection while it splices a body in,
 * passes with the body to the recipient's {@link OutQueue} if the recipient cannot take it at once,
 * and comes back here empty. A few empty pipes are kept for the next body.
 *
 * <p>At most {@link #MAX_OPEN} pipes exist at a time: each costs two fds, and its size counts
 * against the pipe pages the kernel allows per user (/proc/sys/fs/pipe-user-pages-soft, 64 MiB by
 * default, shared with every other process of a session bus's user), so the bus takes a quarter of
 * that at most. When they are all in use, or the kernel refuses a pipe, large bodies are simply read
 * and copied as any other. Bus thread only.
 */
final class PipePool implements AutoCloseable {
    /** Requested size of every pipe (F_SETPIPE_SZ): 1 MiB, /proc/sys/fs/pipe-max-size by default. */
    static final int CAPACITY = 1 << 20;
    /** Pipes open at most, in use or spare. */
    static final int MAX_OPEN = 16;
    /** Empty pipes kept for reuse. */
    private static final int MAX_SPARE = 4;

    private final SplicePipe[] spare = new SplicePipe[MAX_SPARE];
    private int spareCount;
    private int open;
    /** The kernel refused a pipe: ask again only when one comes back, or every {@link #RETRY_EVERY} takes. */
    private boolean refused;
    private int refusedTakes;
    private static final int RETRY_EVERY = 256;
    /** The refusal was logged (once per bus: it can recur under load). */
    private boolean refusalLogged;

    /** An empty pipe, or null when none can be had now. */
    SplicePipe take() {
        if (spareCount > 0) {
            SplicePipe p = spare[--spareCount];
            spare[spareCount] = null;
            return p;
        }
        if (open >= MAX_OPEN) return null;
        if (refused && (++refusedTakes & (RETRY_EVERY - 1)) != 0) return null;
        SplicePipe p = SplicePipe.open(CAPACITY);
        if (p == null) {
            refused = true;
            if (!refusalLogged) {
                refusalLogged = true;
                Log.info("large messages are copied while the kernel refuses a pipe of " + CAPACITY
                        + " bytes (fds or /proc/sys/fs/pipe-user-pages-soft exhausted)");
            }
            return null;
        }
        refused = false;
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
