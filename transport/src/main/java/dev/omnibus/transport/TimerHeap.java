package dev.omnibus.transport;

import java.util.Arrays;

/**
 * A binary min-heap of {@link Timer}s by (deadline, sequence): equal deadlines fire in scheduling
 * order. Each timer knows its index so cancel is O(log n). Owned by one {@link EventLoop}; loop
 * thread only.
 */
final class TimerHeap {
    private Timer[] heap = new Timer[64];
    private int size;

    int size() { return size; }

    Timer peek() { return size == 0 ? null : heap[0]; }

    void add(Timer t) {
        if (size == heap.length) heap = Arrays.copyOf(heap, size * 2);
        heap[size] = t;
        t.index = size;
        up(size++);
    }

    Timer poll() {
        if (size == 0) return null;
        Timer t = heap[0];
        removeAt(0);
        return t;
    }

    boolean remove(Timer t) {
        int i = t.index;
        if (i < 0 || i >= size || heap[i] != t) return false;
        removeAt(i);
        return true;
    }

    private void removeAt(int i) {
        Timer t = heap[i];
        t.index = -1;
        size--;
        if (i != size) {
            Timer last = heap[size];
            heap[i] = last;
            last.index = i;
            heap[size] = null;
            down(i);
            if (heap[i] == last) up(i);
        } else {
            heap[size] = null;
        }
    }

    private void up(int i) {
        Timer t = heap[i];
        while (i > 0) {
            int p = (i - 1) >>> 1;
            Timer pt = heap[p];
            if (!t.before(pt)) break;
            heap[i] = pt;
            pt.index = i;
            i = p;
        }
        heap[i] = t;
        t.index = i;
    }

    private void down(int i) {
        Timer t = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int c = 2 * i + 1;
            int r = c + 1;
            if (r < size && heap[r].before(heap[c])) c = r;
            if (!heap[c].before(t)) break;
            heap[i] = heap[c];
            heap[i].index = i;
            i = c;
        }
        heap[i] = t;
        t.index = i;
    }
}
