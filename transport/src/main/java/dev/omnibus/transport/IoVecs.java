package dev.omnibus.transport;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A reusable native array of {@code struct iovec} for one gather write ({@link StreamSocket#write}).
 *
 * <pre>
 *  iovec[i] @ 16*i : | iov_base (8, address) | iov_len (8) |
 * </pre>
 *
 * <p>Entries {@code [start, count)} are pending; {@link #consume(long)} advances past bytes the
 * kernel took, so a partial write resumes where it stopped without rebuilding the array. The
 * segments added must stay alive (and native) until written. Capacity is fixed at construction,
 * at most {@link Native#IOV_MAX}; {@link #add} returns false when full. Not thread-safe; the owner
 * is the thread writing the socket. The native array lives until {@link #close()} (or GC if never
 * closed).
 */
public final class IoVecs implements AutoCloseable {
    private static final int IOVEC = 16;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment vec;
    private final int capacity;
    private int start;
    private int count;
    private long remaining;

    public IoVecs(int capacity) {
        if (capacity < 1 || capacity > Native.IOV_MAX) throw new IllegalArgumentException("capacity " + capacity);
        this.capacity = capacity;
        this.vec = arena.allocate((long) IOVEC * capacity, 8);
    }

    public void clear() {
        start = 0;
        count = 0;
        remaining = 0;
    }

    /** Appends {@code seg[off, off+len)} (a native segment); false if the array is full. */
    public boolean add(MemorySegment seg, long off, long len) {
        if (count == capacity) return false;
        if (!seg.isNative()) throw new IllegalArgumentException("heap segment cannot be written by the kernel");
        if (off < 0 || len < 0 || off + len > seg.byteSize()) throw new IndexOutOfBoundsException();
        if (len == 0) return true;
        long p = (long) IOVEC * count;
        vec.set(JAVA_LONG, p, seg.address() + off);
        vec.set(JAVA_LONG, p + 8, len);
        count++;
        remaining += len;
        return true;
    }

    /** Number of pending entries. */
    public int count() { return count - start; }

    public int capacity() { return capacity; }

    /** Bytes not yet written. */
    public long remaining() { return remaining; }

    public boolean isEmpty() { return remaining == 0; }

    /** Marks {@code n} bytes written: drops whole entries and trims the first partly written one. */
    public void consume(long n) {
        if (n < 0 || n > remaining) throw new IllegalArgumentException("consume " + n + " of " + remaining);
        remaining -= n;
        while (n > 0) {
            long p = (long) IOVEC * start;
            long len = vec.get(JAVA_LONG, p + 8);
            if (n >= len) {
                n -= len;
                start++;
            } else {
                vec.set(JAVA_LONG, p, vec.get(JAVA_LONG, p) + n);
                vec.set(JAVA_LONG, p + 8, len - n);
                n = 0;
            }
        }
        if (start == count) clear();
    }

    /** Address of the first pending entry, for msghdr.msg_iov. */
    long firstAddress() { return vec.address() + (long) IOVEC * start; }

    @Override
    public void close() { arena.close(); }
}
