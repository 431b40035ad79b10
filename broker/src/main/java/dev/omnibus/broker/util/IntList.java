package dev.omnibus.broker.util;

import java.util.Arrays;

/**
 * A growable list of primitive ints (no boxing).
 *
 * <p>Owns one backing array that only grows; {@link #clear()} keeps it so a reused list stops
 * allocating once it has reached its working size. Not thread-safe: used by the bus thread only.
 */
public final class IntList {
    private int[] items;
    private int size;

    public IntList() {
        this(8);
    }

    public IntList(int initialCapacity) {
        items = new int[Math.max(1, initialCapacity)];
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public int get(int index) {
        if (index >= size) {
            throw new IndexOutOfBoundsException(index);
        }
        return items[index];
    }

    public void set(int index, int value) {
        if (index >= size) {
            throw new IndexOutOfBoundsException(index);
        }
        items[index] = value;
    }

    public void add(int value) {
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        items[size++] = value;
    }

    /** Inserts at {@code index}, shifting later elements right. */
    public void insert(int index, int value) {
        if (index > size) {
            throw new IndexOutOfBoundsException(index);
        }
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        System.arraycopy(items, index, items, index + 1, size - index);
        items[index] = value;
        size++;
    }

    /** Removes the element at {@code index} keeping order; returns it. */
    public int removeAt(int index) {
        if (index >= size) {
            throw new IndexOutOfBoundsException(index);
        }
        int v = items[index];
        System.arraycopy(items, index + 1, items, index, size - index - 1);
        size--;
        return v;
    }

    /** Index of the first occurrence of {@code value}, or -1. */
    public int indexOf(int value) {
        for (int i = 0; i < size; i++) {
            if (items[i] == value) {
                return i;
            }
        }
        return -1;
    }

    public boolean contains(int value) {
        return indexOf(value) >= 0;
    }

    public void clear() {
        size = 0;
    }

    /** A copy of the contents (cold path: tests, debug output). */
    public int[] toArray() {
        return Arrays.copyOf(items, size);
    }

    @Override
    public String toString() {
        return Arrays.toString(toArray());
    }
}
