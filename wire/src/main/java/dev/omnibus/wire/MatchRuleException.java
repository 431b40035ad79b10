package dev.omnibus.wire;

/**
 * A match rule text that {@link MatchRule#parse} refused. The message says what is wrong; the broker
 * sends it verbatim as the text of {@code org.freedesktop.DBus.Error.MatchRuleInvalid}.
 *
 * <p>Cold path only: thrown from AddMatch/RemoveMatch handling, never per routed message.
 */
public final class MatchRuleException extends Exception {
    private static final long serialVersionUID = 1L;

    public MatchRuleException(String message) {
        super(message, null, false, false); // no stack trace: an expected, client-caused failure
    }
}
