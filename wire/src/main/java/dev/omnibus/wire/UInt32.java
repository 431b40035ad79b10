package dev.omnibus.wire;

/** A D-Bus UINT32 ('u') in the generic value model ({@link Marshaller}); value in [0, 2^32). */
public record UInt32(long value) {
    public UInt32 {
        if (value < 0 || value > 0xffff_ffffL) {
            throw new IllegalArgumentException("UINT32 out of range: " + value);
        }
    }
}
