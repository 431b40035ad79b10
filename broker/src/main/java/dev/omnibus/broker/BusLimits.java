package dev.omnibus.broker;

import java.util.Arrays;

/**
 * One value per {@link Limit}: the limits a bus enforces. Immutable; a reload swaps the whole
 * object on the bus thread.
 */
public final class BusLimits {
    private final long[] values;

    private BusLimits(long[] values) { this.values = values; }

    /** dbus-daemon's built-in defaults (what the system bus runs with). */
    public static BusLimits system() {
        long[] v = new long[Limit.values().length];
        for (Limit l : Limit.values()) v[l.ordinal()] = l.systemDefault();
        return new BusLimits(v);
    }

    /** Debian's session.conf values. */
    public static BusLimits session() {
        long[] v = new long[Limit.values().length];
        for (Limit l : Limit.values()) v[l.ordinal()] = l.sessionDefault();
        return new BusLimits(v);
    }

    public long get(Limit l) { return values[l.ordinal()]; }

    /** {@link #get} clamped to int, for counts. */
    public int count(Limit l) { return (int) Math.min(Integer.MAX_VALUE, values[l.ordinal()]); }

    public BusLimits with(Limit l, long value) {
        long[] v = values.clone();
        v[l.ordinal()] = value;
        return new BusLimits(v);
    }

    @Override public boolean equals(Object o) { return o instanceof BusLimits b && Arrays.equals(values, b.values); }
    @Override public int hashCode() { return Arrays.hashCode(values); }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("BusLimits{");
        for (Limit l : Limit.values()) {
            sb.append(l.ordinal() == 0 ? "" : ", ").append(l.configName()).append('=').append(values[l.ordinal()]);
        }
        return sb.append('}').toString();
    }
}
