package dev.omnibus.wire;

/** A D-Bus UINT16 ('q') in the generic value model ({@link Marshaller}); value in [0, 65535]. */
public record UInt16(int value) {
    public UInt16 {
        if (value < 0 || value > 0xffff) {
            throw new IllegalArgumentException("UINT16 out of range: " + value);
        }
    }
}
