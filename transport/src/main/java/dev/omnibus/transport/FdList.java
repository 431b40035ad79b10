package dev.omnibus.transport;

import java.util.Arrays;

/**
 * A growable list of owned file descriptors, e.g. the fds one {@link StreamSocket#read} received.
 *
 * <p>Invariant: every entry {@code >= 0} is an fd this list owns and must close or hand on; an entry
 * taken with {@link #take(int)} becomes -1 and is no longer owned. {@link #closeAll()} closes each
 * owned entry exactly once and empties the list, so calling it twice closes nothing twice.
 * Not thread-safe: used by the thread that owns the socket (the loop thread).
 */
public final class FdList {
    private int[] fds;
    private int size;

    public FdList() { this(16); }

    public FdList(int initialCapacity) { fds = new int[Math.max(1, initialCapacity)]; }

    /** Appends an fd the list now owns. */
    public void add(int fd) {
        if (size == fds.length) fds = Arrays.copyOf(fds, size * 2);
        fds[size++] = fd;
    }

    public int size() { return size; }

    public boolean isEmpty() { return size == 0; }

    /** The fd at {@code i} (still owned by the list), or -1 if it was taken. */
    public int get(int i) {
        if (i >= size) throw new IndexOutOfBoundsException(i);
        return fds[i];
    }

    /** Transfers ownership of the fd at {@code i} to the caller; the entry becomes -1. */
    public int take(int i) {
        if (i >= size) throw new IndexOutOfBoundsException(i);
        int fd = fds[i];
        fds[i] = -1;
        return fd;
    }

    /** Copies {@code count} fds starting at {@code from} into {@code dst}, transferring ownership. */
    public void takeRange(int from, int count, int[] dst, int dstOff) {
        for (int i = 0; i < count; i++) dst[dstOff + i] = take(from + i);
    }

    /** Closes every still-owned fd and empties the list. */
    public void closeAll() { closeFrom(0); }

    /** Closes the owned fds at index {@code from} and after, and truncates the list there. */
    void closeFrom(int from) {
        for (int i = from; i < size; i++) {
            int fd = fds[i];
            if (fd >= 0) {
                fds[i] = -1;
                Native.close(fd);
            }
        }
        size = Math.min(size, from);
    }

    /** Empties the list; allowed only when every entry was taken (otherwise fds would leak). */
    public void clear() {
        for (int i = 0; i < size; i++) {
            if (fds[i] >= 0) throw new IllegalStateException("clear() would leak fd " + fds[i]);
        }
        size = 0;
    }

    @Override
    public String toString() { return "FdList" + Arrays.toString(Arrays.copyOf(fds, size)); }
}
