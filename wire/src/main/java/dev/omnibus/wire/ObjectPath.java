package dev.omnibus.wire;

/** A D-Bus OBJECT_PATH ('o') in the generic value model; always a valid path. */
public record ObjectPath(String path) {
    public ObjectPath {
        if (!Names.isValidObjectPath(path)) {
            throw new IllegalArgumentException("invalid object path: " + path);
        }
    }
}
