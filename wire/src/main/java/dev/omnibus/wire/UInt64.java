package dev.omnibus.wire;

/** A D-Bus UINT64 ('t') in the generic value model; the 64 bits, read unsigned. */
public record UInt64(long bits) {
    @Override
    public String toString() {
        return "UInt64[" + Long.toUnsignedString(bits) + "]";
    }
}
