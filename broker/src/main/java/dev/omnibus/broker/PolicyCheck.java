package dev.omnibus.broker;

import dev.omnibus.wire.MessageView;

/**
 * One message crossing from a sender to a receiver, as the policy sees it: the message, whether
 * it is a requested reply, whether the receiver is only eavesdropping, and the two ends with the
 * names they own (send_destination and receive_sender match names the other end owns, not the
 * destination field: man dbus-daemon). Either end may be the bus driver itself.
 *
 * <p>One instance per bus, reused for every check; bus thread only.
 */
public final class PolicyCheck {
    private final Bus bus;
    private MessageView message;
    private Peer sender;
    private Peer receiver;
    private boolean requestedReply;
    private boolean eavesdropping;

    PolicyCheck(Bus bus) { this.bus = bus; }

    PolicyCheck set(MessageView m, Peer sender, Peer receiver, boolean requestedReply, boolean eavesdropping) {
        this.message = m;
        this.sender = sender;
        this.receiver = receiver;
        this.requestedReply = requestedReply;
        this.eavesdropping = eavesdropping;
        return this;
    }

    public MessageView message() { return message; }

    /** The message is a reply to a call the bus saw and expects an answer to. */
    public boolean requestedReply() { return requestedReply; }

    /** The receiver gets the message through an eavesdrop match, not because it is addressed to it. */
    public boolean eavesdropping() { return eavesdropping; }

    /** The message has no destination (a broadcast signal). */
    public boolean broadcast() { return message.fieldOffset(dev.omnibus.wire.Protocol.FIELD_DESTINATION) < 0; }

    /** Unique name of the sender; "org.freedesktop.DBus" for the driver. */
    public String senderName() { return sender == null ? Driver.NAME : sender.uniqueName; }

    public String receiverName() { return receiver == null ? Driver.NAME : receiver.uniqueName; }

    /** Does the sender own {@code name} (its unique name, a well-known name, or the driver's)? */
    public boolean senderOwns(String name) { return owns(sender, name); }

    public boolean receiverOwns(String name) { return owns(receiver, name); }

    /** Does the sender own {@code prefix} or a name below it ({@code prefix.*})? */
    public boolean senderOwnsPrefix(String prefix) { return ownsPrefix(sender, prefix); }

    public boolean receiverOwnsPrefix(String prefix) { return ownsPrefix(receiver, prefix); }

    /** True when the sender owns no name but its unique one (for rules on "no destination name"). */
    public boolean senderHasWellKnownNames() { return sender != null && bus.names.ownedCount(sender.id) > 0; }

    public boolean receiverHasWellKnownNames() { return receiver != null && bus.names.ownedCount(receiver.id) > 0; }

    /** The message goes to the bus driver (or to a name not yet owned, awaiting activation). */
    public boolean senderIsDriver() { return sender == null; }

    public boolean receiverIsDriver() { return receiver == null; }

    /**
     * The process part of dbus-daemon's denial text for the sender: {@code uid=0 pid=12 comm="..."},
     * or {@code bus} for the driver.
     */
    public String senderProcess() { return sender == null ? "bus" : sender.describeProcess(); }

    public String receiverProcess() { return receiver == null ? "bus" : receiver.describeProcess(); }

    /** dbus-daemon's description of a connection in denial texts: {@code ":1.3" (uid=0 pid=12 comm="...")}. */
    public String describeSender() { return describe(sender); }

    public String describeReceiver() { return describe(receiver); }

    /** dbus-daemon matches names a connection owns or is queued for (man dbus-daemon). */
    private boolean owns(Peer p, String name) {
        if (p == null) return Driver.NAME.equals(name);
        if (name.equals(p.uniqueName)) return true;
        return bus.names.isJoined(p.id, name);
    }

    private boolean ownsPrefix(Peer p, String prefix) {
        if (p == null) return nameUnder(Driver.NAME, prefix);
        int n = bus.names.joinedCount(p.id);
        for (int i = 0; i < n; i++) {
            if (nameUnder(bus.names.joinedName(p.id, i), prefix)) return true;
        }
        return false;
    }

    private static boolean nameUnder(String name, String prefix) {
        return name.equals(prefix) || (name.startsWith(prefix) && name.charAt(prefix.length()) == '.');
    }

    private static String describe(Peer p) {
        if (p == null) return "\"" + Driver.NAME + "\"";
        return "\"" + p.uniqueName + "\" (" + p.describeProcess() + ")";
    }
}
