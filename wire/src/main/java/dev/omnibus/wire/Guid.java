package dev.omnibus.wire;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A server GUID (spec: "UUIDs"): 16 random bytes, written as 32 lowercase hex characters. Sent in the
 * SASL {@code OK} line and the {@code guid=} address key, returned by {@code GetId}. Immutable.
 *
 * <p>libdbus puts a timestamp in the last 4 bytes; the spec only requires uniqueness, so all 16 bytes
 * here come from {@link SecureRandom}.
 */
public final class Guid {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final String hex;

    private Guid(String hex) {
        this.hex = hex;
    }

    public static Guid random() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
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
