package dev.omnibus.wire;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One entry of a D-Bus address (spec: "Server Addresses"): a transport name such as {@code unix} or
 * {@code tcp} and its key/value parameters, values already unescaped. Parameters keep their order;
 * the map is unmodifiable. {@link #toString()} gives the escaped text form, which
 * {@link Address#parse} reads back to an equal entry. Immutable.
 */
public record AddressEntry(String transport, Map<String, String> params) {

    public AddressEntry {
        Objects.requireNonNull(transport, "transport");
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /** The (unescaped) value of key {@code k}, or null. */
    public String get(String k) {
        return params.get(k);
    }

    /** {@code transport:key=value,...} with every value escaped. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(transport).append(':');
        boolean first = true;
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append(e.getKey()).append('=').append(Address.escape(e.getValue()));
        }
        return sb.toString();
    }
}
