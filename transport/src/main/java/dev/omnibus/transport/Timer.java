package dev.omnibus.transport;

/**
 * A one-shot timer scheduled with {@link EventLoop#schedule}. Lives in the loop's deadline heap
 * until it fires or is cancelled; {@link #cancel()} removes it in O(log n). Loop thread only.
 */
public final class Timer {
    final EventLoop loop;
    final long deadline;
    final long seq;
    final Runnable action;
    /** Position in the loop's heap, or -1 once fired or cancelled. */
    int index = -1;

    Timer(EventLoop loop, long deadline, long seq, Runnable action) {
        this.loop = loop;
        this.deadline = deadline;
        this.seq = seq;
        this.action = action;
    }

    /** Cancels the timer; returns false if it already fired or was cancelled. */
    public boolean cancel() { return loop.cancel(this); }

    /** True while scheduled (neither fired nor cancelled). */
    public boolean isPending() { return index >= 0; }

    /** The deadline on the {@link EventLoop#nanoTime()} clock. */
    public long deadline() { return deadline; }

    boolean before(Timer o) { return deadline < o.deadline || (deadline == o.deadline && seq < o.seq); }
}
