package dev.omnibus.wire;

/** A D-Bus VARIANT in the generic value model: a single complete type and a value of it. */
public record Variant(String signature, Object value) {
    public Variant {
        if (!Signature.isSingleCompleteType(signature)) {
            throw new IllegalArgumentException("variant needs a single complete type: " + signature);
        }
    }
}
