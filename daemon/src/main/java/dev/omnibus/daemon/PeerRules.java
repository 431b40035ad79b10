package dev.omnibus.daemon;

import dev.omnibus.broker.Log;
import dev.omnibus.broker.PeerPolicy;
import dev.omnibus.broker.PolicyCheck;
import dev.omnibus.wire.Protocol;
import java.util.ArrayList;
import java.util.List;

/**
 * The send, receive and own rules that apply to one kind of connection (one uid with one set of
 * groups), already in dbus-daemon's application order (default, the groups' policies, the user's,
 * at_console, mandatory; document order within each), and indexed by message type.
 *
 * <p>A check walks only the rules that can apply to the message's type, from the last one
 * backwards, and stops at the first match: with "last matching rule wins" that match decides.
 * Only a refusal walks the rest, to count the matched rules for dbus-daemon's error text. When an
 * unconditional allow comes after every deny of a direction, that direction answers "allows
 * anything" and the bus skips the check altogether (the session bus case).
 *
 * <p>With no matching rule, sending, receiving and owning are all refused: dbus-daemon's default
 * (which is why session.conf and system.conf spell out their allow rules).
 *
 * <p>Immutable, shared by every connection of the same uid and groups; checked on the bus thread.
 */
final class PeerRules implements PeerPolicy {
    private static final MessageRule[] NONE = {};

    /** An {@code own}/{@code own_prefix} rule; name null = own="*". */
    record OwnRule(boolean allow, String name, boolean prefix) {
        boolean matches(String wanted) {
            if (name == null) return true;
            if (!prefix) return name.equals(wanted);
            return wanted.equals(name) || (wanted.startsWith(name) && wanted.length() > name.length()
                    && wanted.charAt(name.length()) == '.');
        }
    }

    /** Indexed by protocol message type (1..4); entry 0 for unknown types holds the any-type rules. */
    private final MessageRule[][] send = new MessageRule[5][];
    private final MessageRule[][] receive = new MessageRule[5][];
    private final OwnRule[] own;
    private final boolean sendsAnything;
    private final boolean receivesAnything;
    private final boolean ownsAnything;

    PeerRules(List<MessageRule> rules, List<OwnRule> ownRules) {
        index(rules, true, send);
        index(rules, false, receive);
        this.own = ownRules.toArray(OwnRule[]::new);
        this.sendsAnything = opensEverything(rules, true);
        this.receivesAnything = opensEverything(rules, false);
        boolean owns = false;
        for (OwnRule r : own) owns = r.name == null ? r.allow : owns && r.allow;
        this.ownsAnything = owns;
    }

    private static void index(List<MessageRule> rules, boolean sendSide, MessageRule[][] into) {
        for (int type = 0; type <= Protocol.SIGNAL; type++) {
            List<MessageRule> l = new ArrayList<>();
            for (MessageRule r : rules) {
                if (r.send == sendSide && (type == 0 ? r.type == MessageRule.ANY : r.appliesToType(type))) l.add(r);
            }
            into[type] = l.isEmpty() ? NONE : l.toArray(MessageRule[]::new);
        }
    }

    /** An unconditional allow with no deny after it. */
    private static boolean opensEverything(List<MessageRule> rules, boolean sendSide) {
        boolean open = false;
        for (MessageRule r : rules) {
            if (r.send != sendSide) continue;
            if (r.allowsEverything()) open = true;
            else if (!r.allow) open = false;
        }
        return open;
    }

    @Override
    public boolean canOwn(String name) {
        if (ownsAnything) return true;
        for (int i = own.length - 1; i >= 0; i--) {
            if (own[i].matches(name)) return own[i].allow;
        }
        return false;
    }

    @Override public boolean sendsAnything() { return sendsAnything; }

    @Override public boolean receivesAnything() { return receivesAnything; }

    @Override
    public String checkSend(PolicyCheck check) {
        return decide(send, check, "Rejected send message");
    }

    @Override
    public String checkReceive(PolicyCheck check) {
        return decide(receive, check, "Rejected receive message");
    }

    private static String decide(MessageRule[][] byType, PolicyCheck c, String refusal) {
        int type = c.message().type();
        MessageRule[] rules = byType[type >= 1 && type <= Protocol.SIGNAL ? type : 0];
        for (int i = rules.length - 1; i >= 0; i--) {
            MessageRule r = rules[i];
            if (!r.matches(c)) continue;
            if (r.allow) {
                // log="true" on the deciding allow rule: dbus-daemon lets the message through and
                // logs what it would have refused (its audit mode).
                if (r.log) Log.info(DenialText.of("Would reject message", count(rules, i, c), c));
                return null;
            }
            return DenialText.of(refusal, count(rules, i, c), c);
        }
        return DenialText.of(refusal, 0, c);
    }

    /** Matched rules up to and including the deciding one at {@code last}: dbus-daemon's "toggles". */
    private static int count(MessageRule[] rules, int last, PolicyCheck c) {
        int n = 1;
        for (int i = 0; i < last; i++) {
            if (rules[i].matches(c)) n++;
        }
        return n;
    }
}
