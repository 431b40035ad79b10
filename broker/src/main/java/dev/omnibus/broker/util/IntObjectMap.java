package dev.omnibus.broker.util;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A hash map from primitive {@code int} keys to non-null object values: open addressing with
 * linear probing and backward-shift deletion, so there are no tombstones and lookups stay short
 * after many removals (peers connect and disconnect all day).
 *
 * <p>Invariants: {@code values[i] == null} marks an empty slot; the table length is a power of
 * two and at most 1/2 full. Not thread-safe: used by the bus thread only.
 */
public final class IntObjectMap<V> {
    private int[] keys;
    private Object[] values;
    private int size;
    private int mask;

    public IntObjectMap() {
        this(16);
    }

    public IntObjectMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, expected) * 2 - 1) << 1;
        keys = new int[cap];
        values = new Object[cap];
        mask = cap - 1;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    static int mix(int key) {
        int h = key * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    @SuppressWarnings("unchecked")
    public V get(int key) {
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) {
                return null;
            }
            if (keys[i] == key) {
                return (V) v;
            }
        }
    }

    public boolean containsKey(int key) {
        return get(key) != null;
    }

    /** Associates {@code value} (non-null) with {@code key}; returns the previous value or null. */
    @SuppressWarnings("unchecked")
    public V put(int key, V value) {
        if (value == null) {
            throw new NullPointerException("value");
        }
        int i = mix(key) & mask;
        for (; values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) {
                V old = (V) values[i];
                values[i] = value;
                return old;
            }
        }
        keys[i] = key;
        values[i] = value;
        if (++size * 2 > keys.length) {
            grow();
        }
        return null;
    }

    /** Removes {@code key}; returns its value or null when absent. */
    @SuppressWarnings("unchecked")
    public V remove(int key) {
        int i = mix(key) & mask;
        for (; ; i = (i + 1) & mask) {
            if (values[i] == null) {
                return null;
            }
            if (keys[i] == key) {
                break;
            }
        }
        V old = (V) values[i];
        // Backward-shift: move later entries of the probe run into the hole when their home
        // slot is not between the hole and their position (cyclically).
        int hole = i;
        for (int j = (hole + 1) & mask; values[j] != null; j = (j + 1) & mask) {
            int home = mix(keys[j]) & mask;
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        values[hole] = null;
        size--;
        return old;
    }

    /** Calls {@code action} with every value (cold path; allocation depends on the consumer). */
    @SuppressWarnings("unchecked")
    public void forEachValue(Consumer<? super V> action) {
        Object[] vs = values;
        for (Object v : vs) {
            if (v != null) {
                action.accept((V) v);
            }
        }
    }

    public void clear() {
        Arrays.fill(values, null);
        size = 0;
    }

    private void grow() {
        int[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new int[oldKeys.length * 2];
        values = new Object[oldValues.length * 2];
        mask = keys.length - 1;
        for (int k = 0; k < oldKeys.length; k++) {
            if (oldValues[k] != null) {
                int i = mix(oldKeys[k]) & mask;
                while (values[i] != null) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[k];
                values[i] = oldValues[k];
            }
        }
    }
}
