package dev.omnibus.daemon;

import dev.omnibus.broker.PolicyCheck;
import dev.omnibus.wire.MessageView;
import dev.omnibus.wire.Protocol;

/**
 * dbus-daemon 1.14's wording for a policy decision about one message, as it appears in the
 * AccessDenied error and in the log, e.g. {@code Rejected send message, 2 matched rules;
 * type="method_call", sender=":1.1" (uid=1001 pid=511 comm="dbus-send ...") interface="x.Y"
 * member="Z" error name="(unset)" requested_reply="0" destination="x.Svc" (bus)} (captured from the
 * installed daemon). Cold path: built only when a message is refused or a log="true" rule fires.
 */
final class DenialText {
    private DenialText() {}

    /** {@code prefix} is "Rejected send message", "Rejected receive message" or "Would reject message". */
    static String of(String prefix, int matchedRules, PolicyCheck c) {
        MessageView m = c.message();
        return prefix + ", " + matchedRules + " matched rules; type=\"" + typeName(m.type())
                + "\", sender=\"" + c.senderName() + "\" (" + c.senderProcess() + ") interface=\""
                + orUnset(m.interfaceName()) + "\" member=\"" + orUnset(m.member()) + "\" error name=\""
                + orUnset(m.errorName()) + "\" requested_reply=\"" + (c.requestedReply() ? 1 : 0)
                + "\" destination=\"" + orUnset(m.destination()) + "\" (" + c.receiverProcess() + ")";
    }

    static String typeName(int type) {
        return switch (type) {
            case Protocol.METHOD_CALL -> "method_call";
            case Protocol.METHOD_RETURN -> "method_return";
            case Protocol.ERROR -> "error";
            case Protocol.SIGNAL -> "signal";
            default -> "invalid";
        };
    }

    private static String orUnset(String s) {
        return s == null ? "(unset)" : s;
    }
}
