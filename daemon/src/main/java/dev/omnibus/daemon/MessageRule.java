package dev.omnibus.daemon;

import dev.omnibus.broker.PolicyCheck;
import dev.omnibus.daemon.config.PolicyRule;
import dev.omnibus.wire.MessageView;
import dev.omnibus.wire.Protocol;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * One compiled {@code <allow>}/{@code <deny>} send or receive rule, matched against a message the
 * way dbus-daemon 1.14 matches it (man dbus-daemon, {@code <deny>}; verified against the installed
 * daemon by {@code SystemPolicyComparisonTest}):
 *
 * <ul>
 *   <li>Replies (messages with a REPLY_SERIAL): an allow rule that leaves requested_reply at its
 *       default (true) and is not eavesdrop="true" does not match an unrequested reply; a deny rule
 *       with requested_reply="false" (the default) does not match a requested reply.</li>
 *   <li>Receive rules: an allow rule without eavesdrop="true" does not match an eavesdropped copy;
 *       a deny rule with eavesdrop="true" matches only eavesdropped copies.</li>
 *   <li>interface: a message without an INTERFACE field is not matched by allow rules naming an
 *       interface, but is matched by deny rules naming one (the man page's warning).</li>
 *   <li>path, member, error: textual; a message without the field does not match.</li>
 *   <li>send_destination / receive_sender: the other end owns the name (send_destination_prefix:
 *       a name at or below the prefix); when the other end is the bus driver, the DESTINATION /
 *       SENDER field is compared instead.</li>
 *   <li>send_broadcast: true matches only messages without DESTINATION, false only with.</li>
 *   <li>min_fds / max_fds: bounds on the message's UNIX_FDS.</li>
 * </ul>
 *
 * Strings are kept as UTF-8 heap segments and compared in place with the message bytes, so
 * matching allocates nothing. Immutable; built on the config thread, matched on the bus thread.
 */
final class MessageRule {
    static final int ANY = -1;

    final boolean send;
    final boolean allow;
    /** Protocol message type code, or {@link #ANY}. */
    final int type;
    final MemorySegment path;
    final MemorySegment iface;
    final MemorySegment member;
    final MemorySegment error;
    /** send_destination(_prefix) or receive_sender as a string, null = any. */
    final String name;
    final MemorySegment nameBytes;
    final boolean namePrefix;
    /** send_broadcast: 1 true, 0 false, {@link #ANY}. */
    final int broadcast;
    final boolean requestedReply;
    final boolean eavesdrop;
    final int minFds;
    final int maxFds;
    final boolean log;

    MessageRule(PolicyRule r) {
        this.send = r.kind() == PolicyRule.Kind.SEND;
        this.allow = r.allow();
        PolicyRule.MessageType t = r.messageType();
        this.type = t == null ? ANY : switch (t) {
            case METHOD_CALL -> Protocol.METHOD_CALL;
            case METHOD_RETURN -> Protocol.METHOD_RETURN;
            case ERROR -> Protocol.ERROR;
            case SIGNAL -> Protocol.SIGNAL;
        };
        this.path = bytes(r.path());
        this.iface = bytes(r.interfaceName());
        this.member = bytes(r.member());
        this.error = bytes(r.errorName());
        String n = r.peerName();
        this.namePrefix = r.peerNameIsPrefix();
        this.name = n == null || (!namePrefix && "*".equals(n)) ? null : n;
        this.nameBytes = bytes(name);
        Boolean b = send ? r.broadcast() : null;
        this.broadcast = b == null ? ANY : b ? 1 : 0;
        this.requestedReply = r.requestedReply();
        this.eavesdrop = r.eavesdrop();
        this.minFds = r.minFds();
        this.maxFds = r.maxFds();
        this.log = r.log();
    }

    private static MemorySegment bytes(String s) {
        return s == null ? null : MemorySegment.ofArray(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * True for an allow rule that matches every message, eavesdropped or not, requested reply or
     * not: after it (and no later deny) nothing can be refused.
     */
    boolean allowsEverything() {
        return allow && type == ANY && path == null && iface == null && member == null && error == null
                && name == null && broadcast == ANY && minFds <= 0 && maxFds == Integer.MAX_VALUE
                && (send ? eavesdrop || !requestedReply : eavesdrop);
    }

    /** Could this rule match a message of this protocol type? */
    boolean appliesToType(int messageType) {
        return type == ANY || type == messageType;
    }

    /** Does the rule match this message crossing? Type is checked by the caller's index. */
    boolean matches(PolicyCheck c) {
        MessageView m = c.message();
        if (!send) {
            boolean eavesdropping = c.eavesdropping();
            if (eavesdropping && allow && !eavesdrop) return false;
            if (!eavesdropping && !allow && eavesdrop) return false;
        }
        if (m.replySerial() != 0) {
            boolean requested = c.requestedReply();
            if (!requested && allow && requestedReply && !eavesdrop) return false;
            if (requested && !allow && !requestedReply) return false;
        }
        if (path != null && !fieldEquals(m, Protocol.FIELD_PATH, path)) return false;
        if (iface != null) {
            if (m.fieldOffset(Protocol.FIELD_INTERFACE) < 0) {
                if (allow) return false;
            } else if (!fieldEquals(m, Protocol.FIELD_INTERFACE, iface)) {
                return false;
            }
        }
        if (member != null && !fieldEquals(m, Protocol.FIELD_MEMBER, member)) return false;
        if (error != null && !fieldEquals(m, Protocol.FIELD_ERROR_NAME, error)) return false;
        if (broadcast != ANY) {
            boolean isBroadcast = m.fieldOffset(Protocol.FIELD_DESTINATION) < 0;
            if ((broadcast == 1) != isBroadcast) return false;
        }
        if (name != null && !nameMatches(c, m)) return false;
        int fds = m.unixFds();
        return fds >= minFds && fds <= maxFds;
    }

    private boolean nameMatches(PolicyCheck c, MessageView m) {
        if (send) {
            if (c.receiverIsDriver()) return fieldMatchesName(m, Protocol.FIELD_DESTINATION);
            return namePrefix ? c.receiverOwnsPrefix(name) : c.receiverOwns(name);
        }
        if (c.senderIsDriver()) return fieldMatchesName(m, Protocol.FIELD_SENDER);
        return c.senderOwns(name);
    }

    /** The bus driver owns no queue: compare the header field with the name (or its subtree). */
    private boolean fieldMatchesName(MessageView m, int field) {
        long off = m.fieldOffset(field);
        if (off < 0) return false;
        int len = m.fieldLength(field);
        long n = nameBytes.byteSize();
        if (!namePrefix || len == n) return fieldEquals(m, field, nameBytes);
        return len > n && MemorySegment.mismatch(m.segment(), off, off + n, nameBytes, 0, n) == -1
                && m.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, off + n) == '.';
    }

    private static boolean fieldEquals(MessageView m, int field, MemorySegment want) {
        long off = m.fieldOffset(field);
        if (off < 0 || m.fieldLength(field) != want.byteSize()) return false;
        return MemorySegment.mismatch(m.segment(), off, off + want.byteSize(), want, 0, want.byteSize()) == -1;
    }
}
