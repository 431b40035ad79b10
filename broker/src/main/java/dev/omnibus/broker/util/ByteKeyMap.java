package dev.omnibus.broker.util;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A hash map from byte-string keys to non-null values that can be probed, without allocating,
 * with a byte range of a {@link MemorySegment} (a header field of a received message) or with a
 * {@link CharSequence} holding only ASCII (bus names, interfaces, members and object paths are
 * ASCII by the spec's "Valid names" rules, so their UTF-8 bytes are their chars).
 *
 * <p>Open addressing, linear probing, backward-shift deletion; the table is at most half full.
 * Keys are stored as {@code byte[]} copies owned by the map. Not thread-safe: bus thread only.
 */
public final class ByteKeyMap<V> {
    private byte[][] keys;
    private int[] hashes;
    private Object[] values;
    private int size;
    private int mask;

    public ByteKeyMap() {
        this(4);
    }

    public ByteKeyMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(2, expected) * 2 - 1) << 1;
        keys = new byte[cap][];
        hashes = new int[cap];
        values = new Object[cap];
        mask = cap - 1;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** FNV-1a over the bytes, then a finalizer so that probe runs stay short. */
    static int finish(int h) {
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        return h ^ (h >>> 13);
    }

    public static int hash(byte[] key) {
        int h = 0x811C9DC5;
        for (byte b : key) {
            h = (h ^ (b & 0xFF)) * 0x01000193;
        }
        return finish(h);
    }

    public static int hash(MemorySegment seg, long off, int len) {
        int h = 0x811C9DC5;
        for (int i = 0; i < len; i++) {
            h = (h ^ (seg.get(ValueLayout.JAVA_BYTE, off + i) & 0xFF)) * 0x01000193;
        }
        return finish(h);
    }

    public static int hash(CharSequence s) {
        int h = 0x811C9DC5;
        for (int i = 0, n = s.length(); i < n; i++) {
            h = (h ^ (s.charAt(i) & 0xFF)) * 0x01000193;
        }
        return finish(h);
    }

    /** True when {@code key} holds exactly the bytes {@code seg[off, off+len)}. */
    public static boolean equal(byte[] key, MemorySegment seg, long off, int len) {
        if (key.length != len) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (key[i] != seg.get(ValueLayout.JAVA_BYTE, off + i)) {
                return false;
            }
        }
        return true;
    }

    /** True when {@code key} holds exactly the chars of {@code s} (ASCII). */
    public static boolean equal(byte[] key, CharSequence s) {
        int n = s.length();
        if (key.length != n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if ((key[i] & 0xFF) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    public V get(MemorySegment seg, long off, int len) {
        int h = hash(seg, off, len);
        for (int i = h & mask; ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) {
                return null;
            }
            if (hashes[i] == h && equal(keys[i], seg, off, len)) {
                return (V) v;
            }
        }
    }

    @SuppressWarnings("unchecked")
    public V get(CharSequence key) {
        int h = hash(key);
        for (int i = h & mask; ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) {
                return null;
            }
            if (hashes[i] == h && equal(keys[i], key)) {
                return (V) v;
            }
        }
    }

    @SuppressWarnings("unchecked")
    public V get(byte[] key) {
        int h = hash(key);
        for (int i = h & mask; ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) {
                return null;
            }
            if (hashes[i] == h && Arrays.equals(keys[i], key)) {
                return (V) v;
            }
        }
    }

    /** Associates {@code value} (non-null) with a copy-free {@code key} the map now owns. */
    @SuppressWarnings("unchecked")
    public V put(byte[] key, V value) {
        if (value == null) {
            throw new NullPointerException("value");
        }
        int h = hash(key);
        int i = h & mask;
        for (; values[i] != null; i = (i + 1) & mask) {
            if (hashes[i] == h && Arrays.equals(keys[i], key)) {
                V old = (V) values[i];
                values[i] = value;
                return old;
            }
        }
        keys[i] = key;
        hashes[i] = h;
        values[i] = value;
        if (++size * 2 > values.length) {
            grow();
        }
        return null;
    }

    /** Convenience for cold paths: the key's UTF-8 bytes. */
    public V put(String key, V value) {
        return put(key.getBytes(StandardCharsets.UTF_8), value);
    }

    @SuppressWarnings("unchecked")
    public V remove(byte[] key) {
        int h = hash(key);
        int i = h & mask;
        for (; ; i = (i + 1) & mask) {
            if (values[i] == null) {
                return null;
            }
            if (hashes[i] == h && Arrays.equals(keys[i], key)) {
                break;
            }
        }
        V old = (V) values[i];
        int hole = i;
        for (int j = (hole + 1) & mask; values[j] != null; j = (j + 1) & mask) {
            int home = hashes[j] & mask;
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                hashes[hole] = hashes[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        keys[hole] = null;
        values[hole] = null;
        size--;
        return old;
    }

    private void grow() {
        byte[][] ok = keys;
        int[] oh = hashes;
        Object[] ov = values;
        int cap = ov.length * 2;
        keys = new byte[cap][];
        hashes = new int[cap];
        values = new Object[cap];
        mask = cap - 1;
        for (int k = 0; k < ov.length; k++) {
            if (ov[k] != null) {
                int i = oh[k] & mask;
                while (values[i] != null) {
                    i = (i + 1) & mask;
                }
                keys[i] = ok[k];
                hashes[i] = oh[k];
                values[i] = ov[k];
            }
        }
    }
}
