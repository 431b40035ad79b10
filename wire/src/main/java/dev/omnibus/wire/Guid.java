package dev.omnibus.wire;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HexFormat;

/**
 * A server GUID (spec: "UUIDs"): 16 random bytes, written as 32 lowercase hex characters. Sent in the
 * SASL {@code OK} line and the {@code guid=} address key, returned by {@code GetId}. Immutable.
 *
 * <p>libdbus puts a timestamp in the last 4 bytes; the spec only requires uniqueness, so all 16 bytes
 * here come from {@code /dev/urandom} (not {@code java.security.SecureRandom}, whose provider set-up
 * costs ~15 ms of daemon start-up).
 */
public final class Guid {
    private final String hex;

    private Guid(String hex) {
        this.hex = hex;
    }

    public static Guid random() {
        byte[] b;
        try (FileInputStream in = new FileInputStream("/dev/urandom")) {
            b = in.readNBytes(16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /dev/urandom", e);
        }
        if (b.length != 16) throw new IllegalStateException("short read from /dev/urandom");
        return new Guid(HexFormat.of().formatHex(b));
    }

    /** 32 lowercase hex characters. */
    public String hex() {
        return hex;
    }

    @Override
    public String toString() {
        return hex;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Guid g && g.hex.equals(hex);
    }

    @Override
    public int hashCode() {
        return hex.hashCode();
    }
}
