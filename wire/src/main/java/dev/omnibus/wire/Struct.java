package dev.omnibus.wire;

import java.util.List;

/** A D-Bus STRUCT in the generic value model: its fields in order (at least one). */
public record Struct(List<Object> fields) {
    public Struct {
        fields = List.copyOf(fields);
        if (fields.isEmpty()) {
            throw new IllegalArgumentException("a struct has at least one field");
        }
    }

    public static Struct of(Object... fields) {
        return new Struct(List.of(fields));
    }
}
