package dev.omnibus.daemon;

import dev.omnibus.broker.PeerPolicy;
import dev.omnibus.broker.Policy;
import dev.omnibus.broker.PolicyCheck;
import dev.omnibus.daemon.config.PolicyRule;
import dev.omnibus.daemon.config.PolicyScope;
import java.util.ArrayList;
import java.util.List;

/**
 * The connection and ownership parts of a configuration's {@code <policy>} rules, evaluated the way
 * dbus-daemon does: rules apply in scope order (default, group, user, at_console, mandatory), in
 * document order within a scope, and the last matching rule decides.
 *
 * <ul>
 *   <li>Connecting: allowed for the uid the bus runs as, then {@code user=}/{@code group=} rules of
 *       the default and mandatory policies decide.</li>
 *   <li>Owning a name: denied unless an {@code own}/{@code own_prefix} rule allows it.</li>
 * </ul>
 *
 * Send and receive rules are carried in the config model; enforcing them is the system-bus work
 * (issue #5). Immutable; built on the main or reload thread, used on the bus thread.
 */
final class ConfigPolicy implements Policy {
    private record Compiled(PolicyScope scope, PolicyRule.Kind kind, boolean allow, long uid, long gid,
                            boolean any, String own, String ownPrefix) {}

    private final long ownerUid;
    private final List<Compiled> rules = new ArrayList<>();

    ConfigPolicy(List<PolicyRule> source, long ownerUid, UserDatabase users) {
        this.ownerUid = ownerUid;
        for (PolicyScope.Kind k : PolicyScope.Kind.values()) {
            for (PolicyRule r : source) {
                if (r.scope().kind() != k) continue;
                switch (r.kind()) {
                    case USER -> {
                        String u = r.attribute("user");
                        rules.add(new Compiled(r.scope(), r.kind(), r.allow(), users.uid(u), -1, "*".equals(u), null, null));
                    }
                    case GROUP -> {
                        String g = r.attribute("group");
                        rules.add(new Compiled(r.scope(), r.kind(), r.allow(), -1, users.gid(g), "*".equals(g), null, null));
                    }
                    case OWN -> {
                        String own = r.attribute("own");
                        String prefix = r.attribute("own_prefix");
                        rules.add(new Compiled(resolveScope(r.scope(), users), r.kind(), r.allow(), -1, -1,
                                "*".equals(own), own, prefix));
                    }
                    default -> { }
                }
            }
        }
    }

    /** Scopes naming a user or group are kept with the id resolved into the value. */
    private static PolicyScope resolveScope(PolicyScope s, UserDatabase users) {
        return switch (s.kind()) {
            case USER -> "*".equals(s.value()) ? s : new PolicyScope(s.kind(), Long.toString(users.uid(s.value())));
            case GROUP -> "*".equals(s.value()) ? s : new PolicyScope(s.kind(), Long.toString(users.gid(s.value())));
            default -> s;
        };
    }

    @Override
    public boolean allowUser(long uid, int[] groups) {
        boolean allowed = uid == ownerUid;
        for (Compiled c : rules) {
            PolicyScope.Kind k = c.scope.kind();
            if (k != PolicyScope.Kind.DEFAULT && k != PolicyScope.Kind.MANDATORY) continue;
            if (c.kind == PolicyRule.Kind.USER && (c.any || c.uid == uid)) allowed = c.allow;
            if (c.kind == PolicyRule.Kind.GROUP && (c.any || inGroup(groups, c.gid))) allowed = c.allow;
        }
        return allowed;
    }

    @Override
    public PeerPolicy forPeer(long uid, int[] groups) {
        return new PeerPolicy() {
            @Override public boolean canOwn(String name) { return allowOwn(uid, groups, name); }
            @Override public boolean sendsAnything() { return true; }
            @Override public boolean receivesAnything() { return true; }
            @Override public String checkSend(PolicyCheck check) { return null; }
            @Override public String checkReceive(PolicyCheck check) { return null; }
        };
    }

    boolean allowOwn(long uid, int[] groups, String name) {
        boolean allowed = false;
        for (Compiled c : rules) {
            if (c.kind != PolicyRule.Kind.OWN || !applies(c.scope, uid, groups)) continue;
            if (c.any || name.equals(c.own) || prefixMatches(c.ownPrefix, name)) allowed = c.allow;
        }
        return allowed;
    }

    private static boolean prefixMatches(String prefix, String name) {
        if (prefix == null) return false;
        return name.equals(prefix) || (name.startsWith(prefix) && name.charAt(prefix.length()) == '.');
    }

    private static boolean applies(PolicyScope s, long uid, int[] groups) {
        return switch (s.kind()) {
            case DEFAULT, MANDATORY -> true;
            case USER -> "*".equals(s.value()) || Long.toString(uid).equals(s.value());
            case GROUP -> "*".equals(s.value()) || inGroup(groups, parse(s.value()));
            case AT_CONSOLE -> false; // no console tracking on this system
        };
    }

    private static long parse(String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean inGroup(int[] groups, long gid) {
        if (gid < 0 || groups == null) return false;
        for (int g : groups) {
            if ((g & 0xffffffffL) == gid) return true;
        }
        return false;
    }
}
