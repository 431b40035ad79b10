package dev.omnibus.daemon;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import dev.omnibus.broker.PeerPolicy;
import dev.omnibus.daemon.config.BusConfig;
import dev.omnibus.daemon.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compiled policy without sockets: which directions take the "allows anything" fast path,
 * name ownership and connection rules, scope order (user over group over default, mandatory
 * last), unknown users ignored, snapshots shared. Message-level decisions are compared with the
 * real dbus-daemon in {@link SystemPolicyComparisonTest}.
 */
class ConfigPolicyTest {
    private static final UserDatabase USERS = UserDatabase.load();

    private static ConfigPolicy load(Path file) throws Exception {
        BusConfig c = ConfigLoader.forThisProcess().loadFile(file);
        return new ConfigPolicy(c.policyRules(), 4242, USERS);
    }

    private static ConfigPolicy policy(Path dir, String rules) throws Exception {
        Path f = dir.resolve("bus.conf");
        Files.writeString(f, """
                <busconfig>
                  <type>system</type>
                  <listen>unix:path=%s</listen>
                  %s
                </busconfig>
                """.formatted(dir.resolve("sock"), rules));
        return load(f);
    }

    @Test
    void sessionConfAllowsEverythingWithoutChecking() throws Exception {
        PeerPolicy p = load(Path.of("/usr/share/dbus-1/session.conf")).forPeer(1000, new int[] {1000});
        assertTrue(p.sendsAnything());
        assertTrue(p.receivesAnything());
        assertTrue(p.canOwn("com.example.Anything"));
    }

    @Test
    void snapshotsAreSharedPerUserAndGroupSetAndNotMixedUp(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        ConfigPolicy policy = policy(dir, """
                <policy context="default"><deny own="com.example.G"/></policy>
                <policy group="0"><allow own="com.example.G"/></policy>
                """);
        PeerPolicy plain = policy.forPeer(1001, new int[] {1001});
        PeerPolicy wheel = policy.forPeer(1001, new int[] {1001, 0});
        assertFalse(plain.canOwn("com.example.G"));
        assertTrue(wheel.canOwn("com.example.G"), "group 0's rule applies");
        // Same user and groups (repeats and all) get the same compiled snapshot, alternating or not.
        assertSame(plain, policy.forPeer(1001, new int[] {1001}));
        assertSame(wheel, policy.forPeer(1001, new int[] {1001, 0, 0}));
        assertSame(plain, policy.forPeer(1001, new int[] {1001, 1001}));
        assertSame(wheel, policy.forPeer(1001, new int[] {1001, 0}));
        assertNotSame(plain, policy.forPeer(1002, new int[] {1001}));
    }

    @Test
    void systemConfChecksSendsButNotReceives() throws Exception {
        ConfigPolicy policy = load(Path.of("/usr/share/dbus-1/system.conf"));
        PeerPolicy user = policy.forPeer(1001, new int[] {1001});
        assertFalse(user.sendsAnything(), "method calls are denied by default");
        // system.conf allows all four receive types but not eavesdropping: receives must be checked
        assertFalse(user.receivesAnything());
        assertFalse(user.canOwn("org.freedesktop.login1"));
        assertTrue(policy.forPeer(0, new int[] {0}).canOwn("org.freedesktop.login1"));
        assertTrue(policy.allowUser(1001, new int[] {1001}), "<allow user=\"*\"/>");
    }

    @Test
    void laterScopesOverrideEarlierOnesInDbusDaemonOrder(@TempDir Path dir) throws Exception {
        ConfigPolicy p = policy(dir, """
                <policy context="mandatory"><deny own="com.example.Mandatory"/></policy>
                <policy user="root"><allow own="com.example.Root"/><allow own="com.example.Mandatory"/></policy>
                <policy group="root"><deny own="com.example.Root"/><allow own="com.example.Group"/></policy>
                <policy context="default"><deny own="*"/><allow own_prefix="com.example"/><deny own="com.example.Group"/></policy>
                """);
        PeerPolicy root = p.forPeer(0, new int[] {0});
        assertTrue(root.canOwn("com.example.Root"), "user policy applies after the group's deny");
        assertTrue(root.canOwn("com.example.Group"), "group policy applies after default");
        assertFalse(root.canOwn("com.example.Mandatory"), "mandatory applies last");
        assertTrue(root.canOwn("com.example.Other.Deeper"), "own_prefix covers the subtree");
        assertFalse(root.canOwn("com.examples"), "own_prefix needs a dot boundary");
        PeerPolicy other = p.forPeer(1001, new int[] {1001});
        assertFalse(other.canOwn("com.example.Group"));
        assertTrue(other.canOwn("com.example.X"));
    }

    @Test
    void unknownUsersAndGroupsAreIgnored(@TempDir Path dir) throws Exception {
        ConfigPolicy p = policy(dir, """
                <policy context="default"><allow user="*"/><deny user="no-such-user-omnibus"/>
                  <deny group="no-such-group-omnibus"/><deny own="*"/></policy>
                <policy user="no-such-user-omnibus"><allow own="*"/></policy>
                """);
        assertTrue(p.allowUser(1001, new int[] {1001}));
        assertFalse(p.forPeer(1001, new int[] {1001}).canOwn("com.example.X"));
    }

    @Test
    void connectionsDefaultToTheBusOwnerAndMandatoryDecidesLast(@TempDir Path dir) throws Exception {
        assertTrue(policy(dir, "").allowUser(4242, new int[0]));
        assertFalse(policy(dir, "").allowUser(1001, new int[0]));
        ConfigPolicy p = policy(dir, """
                <policy context="mandatory"><deny user="root"/></policy>
                <policy context="default"><allow group="*"/></policy>
                """);
        assertTrue(p.allowUser(1001, new int[] {1001}));
        assertFalse(p.allowUser(0, new int[] {0}));
    }

    @Test
    void receivesAnythingNeedsEavesdropAllowAfterTheLastDeny(@TempDir Path dir) throws Exception {
        PeerPolicy open = policy(dir, """
                <policy context="default"><deny receive_type="signal"/><allow eavesdrop="true"/>
                  <allow send_destination="*" eavesdrop="true"/></policy>
                """).forPeer(1001, new int[0]);
        assertTrue(open.receivesAnything());
        assertTrue(open.sendsAnything());
        PeerPolicy closed = policy(dir, """
                <policy context="default"><allow eavesdrop="true"/><deny receive_interface="x.Y"/>
                  <allow send_destination="*"/></policy>
                """).forPeer(1001, new int[0]);
        assertFalse(closed.receivesAnything(), "a deny after the allow");
        assertFalse(closed.sendsAnything(), "plain allow lets only requested replies through");
    }

    @Test
    void connectionsOfTheSameUserShareOneSnapshot() throws Exception {
        ConfigPolicy p = load(Path.of("/usr/share/dbus-1/system.conf"));
        assertSame(p.forPeer(1001, new int[] {1001, 1001}), p.forPeer(1001, new int[] {1001}));
    }
}
