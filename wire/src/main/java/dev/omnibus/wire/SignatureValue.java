package dev.omnibus.wire;

/** A D-Bus SIGNATURE value ('g') in the generic value model; always a valid signature. */
public record SignatureValue(String signature) {
    public SignatureValue {
        if (!Signature.isValid(signature)) {
            throw new IllegalArgumentException("invalid signature: " + signature);
        }
    }
}
