package dev.omnibus.daemon;

import dev.omnibus.broker.Log;
import dev.omnibus.broker.PeerPolicy;
import dev.omnibus.broker.Policy;
import dev.omnibus.daemon.config.PolicyRule;
import dev.omnibus.daemon.config.PolicyScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A configuration's {@code <policy>} rules, compiled the way dbus-daemon applies them: for each
 * connection the rules of context="default", of each of its groups' policies, of its user's, of
 * at_console="true" or "false", and of context="mandatory", in that order and in document order
 * within each, the last matching rule deciding ({@link PeerRules} is that list, indexed).
 *
 * <ul>
 *   <li>Connecting ({@link #allowUser}): allowed for the uid the bus runs as, then the user=/group=
 *       rules of the default and mandatory policies decide.</li>
 *   <li>Users and groups named in the config are resolved once, here; a policy or rule naming one
 *       that does not exist is ignored with a warning, as dbus-daemon does.</li>
 *   <li>at_console: as dbus-daemon built with systemd support, a user is at the console when
 *       systemd-logind lists a seat for it (ONLINE_SEATS in /run/systemd/users/UID) on a system
 *       booted with systemd; otherwise never.</li>
 * </ul>
 *
 * Immutable apart from the snapshot cache (one {@link PeerRules} per distinct uid and groups,
 * shared by their connections). Built on the main or reload thread; used on the bus thread.
 */
final class ConfigPolicy implements Policy {

    /** A policy element's rules with its user or group resolved to an id (-1: any, "*"). */
    private record Section(PolicyScope.Kind kind, long id, boolean console, List<PolicyRule> rules) {}

    /** A user= or group= connect rule; id -1 = "*". */
    private record ConnectRule(boolean allow, boolean group, long id) {}

    private final long ownerUid;
    private final UserDatabase users;
    private final List<Section> sections = new ArrayList<>();
    private final List<ConnectRule> connectRules = new ArrayList<>();
    private final ConcurrentHashMap<Key, PeerRules> snapshots = new ConcurrentHashMap<>();

    /** A compiled snapshot's identity: uid and the distinct groups in order. */
    private record Key(long uid, int[] groups) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.uid == uid && Arrays.equals(k.groups, groups);
        }

        @Override
        public int hashCode() { return 31 * Long.hashCode(uid) + Arrays.hashCode(groups); }
    }

    ConfigPolicy(List<PolicyRule> source, long ownerUid, UserDatabase users) {
        this.ownerUid = ownerUid;
        this.users = users;
        Set<String> warned = new HashSet<>();
        for (PolicyScope.Kind k : PolicyScope.Kind.values()) {
            Section current = null;
            for (PolicyRule r : source) {
                PolicyScope s = r.scope();
                if (s.kind() != k) continue;
                long id = resolveScope(s, warned);
                if (id == -2) continue;
                if (current == null || current.id != id || current.console != s.atConsole()) {
                    current = new Section(k, id, s.atConsole(), new ArrayList<>());
                    sections.add(current);
                }
                current.rules.add(r);
                if ((k == PolicyScope.Kind.DEFAULT || k == PolicyScope.Kind.MANDATORY)
                        && (r.kind() == PolicyRule.Kind.USER || r.kind() == PolicyRule.Kind.GROUP)) {
                    boolean group = r.kind() == PolicyRule.Kind.GROUP;
                    String who = r.principal();
                    long pid = who == null ? -1 : group ? users.gid(who) : users.uid(who);
                    if (pid < 0 && who != null) {
                        warn(warned, "Unknown " + (group ? "group" : "username") + " \"" + who
                                + "\" in message bus configuration file (" + r.source() + ")");
                        continue;
                    }
                    connectRules.add(new ConnectRule(r.allow(), group, pid));
                }
            }
        }
    }

    /** The id a user/group policy is for, -1 for "*" and other scopes, -2 for a name that does not resolve. */
    private long resolveScope(PolicyScope s, Set<String> warned) {
        if (s.kind() != PolicyScope.Kind.USER && s.kind() != PolicyScope.Kind.GROUP) return -1;
        if ("*".equals(s.value())) return -1;
        boolean group = s.kind() == PolicyScope.Kind.GROUP;
        long id = group ? users.gid(s.value()) : users.uid(s.value());
        if (id < 0) {
            warn(warned, "Unknown " + (group ? "group" : "username") + " \"" + s.value()
                    + "\" in message bus configuration file; ignoring its policy");
            return -2;
        }
        return id;
    }

    private static void warn(Set<String> warned, String text) {
        if (warned.add(text)) Log.warning(text);
    }

    @Override
    public boolean allowUser(long uid, int[] groups) {
        boolean allowed = uid == ownerUid;
        for (ConnectRule c : connectRules) {
            boolean hit = c.id < 0 || (c.group ? inGroup(groups, c.id) : c.id == uid);
            if (hit) allowed = c.allow;
        }
        return allowed;
    }

    @Override
    public PeerPolicy forPeer(long uid, int[] groups) {
        int[] raw = groups == null ? new int[0] : groups;
        // Most connections of a bus come from the same user with the same groups: the last answer
        // is checked first, without building a key.
        Last last = this.last;
        if (last != null && last.uid == uid && Arrays.equals(last.groups, raw)) return last.policy;
        int[] g = distinct(raw);
        PeerPolicy p = snapshots.computeIfAbsent(new Key(uid, g), k -> compile(uid, g));
        this.last = new Last(uid, raw.clone(), p);
        return p;
    }

    private record Last(long uid, int[] groups, PeerPolicy policy) {}

    private volatile Last last;

    /** The groups without repeats, in first-seen order (lists are short: a loop beats hashing). */
    private static int[] distinct(int[] groups) {
        int[] out = new int[groups.length];
        int n = 0;
        next:
        for (int gid : groups) {
            for (int i = 0; i < n; i++) {
                if (out[i] == gid) continue next;
            }
            out[n++] = gid;
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** The rules for one uid and group list, in dbus-daemon's application order. */
    PeerRules compile(long uid, int[] groups) {
        boolean console = atConsole(uid);
        List<MessageRule> message = new ArrayList<>();
        List<PeerRules.OwnRule> own = new ArrayList<>();
        for (PolicyScope.Kind k : PolicyScope.Kind.values()) {
            if (k == PolicyScope.Kind.GROUP) {
                // dbus-daemon walks the connection's groups, each group's policies in document order
                for (int gid : groups) {
                    for (Section s : sections) {
                        if (s.kind == k && (s.id < 0 || s.id == (gid & 0xffffffffL))) add(s, message, own);
                    }
                }
                continue;
            }
            if (k == PolicyScope.Kind.AT_CONSOLE) {
                // at_console="true" policies first, then "false" ones, applying only the matching side
                for (boolean side : new boolean[] {true, false}) {
                    for (Section s : sections) {
                        if (s.kind == k && s.console == side && side == console) add(s, message, own);
                    }
                }
                continue;
            }
            for (Section s : sections) {
                if (s.kind != k) continue;
                if (k == PolicyScope.Kind.USER && s.id >= 0 && s.id != uid) continue;
                add(s, message, own);
            }
        }
        return new PeerRules(message, own);
    }

    private static void add(Section s, List<MessageRule> message, List<PeerRules.OwnRule> own) {
        for (PolicyRule r : s.rules) {
            switch (r.kind()) {
                case SEND, RECEIVE -> message.add(new MessageRule(r));
                case OWN -> own.add(new PeerRules.OwnRule(r.allow(), r.ownName(), r.ownPrefix()));
                default -> { }
            }
        }
    }

    /** systemd-logind's view (sd_uid_get_seats): a seat online for the user on a systemd-booted system. */
    private static boolean atConsole(long uid) {
        if (!Files.isDirectory(Path.of("/run/systemd/system"))) return false;
        try {
            for (String line : Files.readAllLines(Path.of("/run/systemd/users/" + uid))) {
                if (line.startsWith("ONLINE_SEATS=") && line.length() > "ONLINE_SEATS=".length()) return true;
            }
        } catch (java.io.IOException | RuntimeException e) {
            // no session for this user
        }
        return false;
    }

    private static boolean inGroup(int[] groups, long gid) {
        if (groups == null) return false;
        for (int g : groups) {
            if ((g & 0xffffffffL) == gid) return true;
        }
        return false;
    }
}
