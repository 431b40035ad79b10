package dev.omnibus.daemon.config;

import dev.omnibus.broker.Limit;
import dev.omnibus.broker.BusLimits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/** Loads the real Debian session.conf and system.conf (with every system.d file) installed here. */
class DebianConfigTest {

    private final ConfigLoader loader = new ConfigLoader(Map.of("HOME", "/home/u"), false, null);

    @Test
    void sessionConf() throws Exception {
        assumeTrue(Files.exists(BusDefaults.SESSION_CONFIG_FILE), "Debian dbus not installed");
        BusConfig c = loader.loadFile(BusDefaults.SESSION_CONFIG_FILE);
        assertEquals("session", c.type());
        assertEquals(List.of("unix:tmpdir=/tmp"), c.listen());
        assertEquals(List.of("EXTERNAL"), c.authMechanisms());
        assertTrue(c.keepUmask());
        assertEquals(BusLimits.session(), c.limits(), "session.conf's essentially infinite limits");
        assertEquals(countRules(c.files()), c.policyRules().size());
        PolicyRule first = c.policyRules().get(0);
        assertTrue(first.allow());
        assertEquals(PolicyRule.Kind.SEND, first.kind());
        assertTrue(first.eavesdrop());
        assertEquals(PolicyRule.Kind.RECEIVE, c.policyRules().get(1).kind());
        assertEquals(ServiceDirEntry.plain(Path.of("/home/u/.local/share/dbus-1/services")), c.serviceDirs().get(0));
        assertTrue(c.serviceDirs().contains(ServiceDirEntry.plain(Path.of("/usr/share/dbus-1/services"))));
    }

    @Test
    void systemConfWithEverySystemDFile() throws Exception {
        assumeTrue(Files.exists(BusDefaults.SYSTEM_CONFIG_FILE), "Debian dbus not installed");
        BusConfig c = loader.loadFile(BusDefaults.SYSTEM_CONFIG_FILE);
        assertEquals("system", c.type());
        assertEquals("messagebus", c.user());
        assertTrue(c.fork() && c.syslog());
        assertEquals(Path.of("/run/dbus/pid"), c.pidFile());
        assertEquals(Path.of("/usr/lib/dbus-1.0/dbus-daemon-launch-helper"), c.serviceHelper());
        assertEquals(List.of("unix:path=/run/dbus/system_bus_socket"), c.listen());
        assertEquals(List.of("EXTERNAL"), c.authMechanisms());
        assertEquals(BusLimits.system(), c.limits(), "system.conf only comments its limits out");
        assertEquals(33554432, c.limits().get(Limit.MAX_MESSAGE_SIZE));
        assertEquals(StandardServiceDirs.system(), c.serviceDirs());

        List<Path> expectedFiles = new ArrayList<>(List.of(BusDefaults.SYSTEM_CONFIG_FILE));
        expectedFiles.addAll(confsIn(Path.of("/usr/share/dbus-1/system.d")));
        expectedFiles.addAll(confsIn(Path.of("/etc/dbus-1/system.d")));
        assertEquals(expectedFiles, c.files());
        assertEquals(countRules(c.files()), c.policyRules().size());
        assertTrue(c.warnings().isEmpty(), c.warnings().toString());

        // system.conf's own first rules, in order.
        PolicyRule allowAll = c.policyRules().get(0);
        assertEquals(PolicyRule.Kind.USER, allowAll.kind());
        assertEquals(new SourceLocation(BusDefaults.SYSTEM_CONFIG_FILE, 46), allowAll.source());
        PolicyRule denyCalls = c.policyRules().get(2);
        assertEquals(PolicyRule.MessageType.METHOD_CALL, denyCalls.messageType());
        assertTrue(!denyCalls.allow());
        assertEquals(3, c.rulesOf(PolicyScope.Kind.USER).stream()
                .filter(r -> r.source().file().equals(BusDefaults.SYSTEM_CONFIG_FILE)).count());
    }

    @Test
    void systemConfCarriesLogindsRules() throws Exception {
        Path login1 = Path.of("/usr/share/dbus-1/system.d/org.freedesktop.login1.conf");
        assumeTrue(Files.exists(login1), "systemd's login1 policy not installed");
        BusConfig c = loader.loadFile(BusDefaults.SYSTEM_CONFIG_FILE);
        PolicyRule own = c.policyRules().stream()
                .filter(r -> r.source().file().equals(login1) && r.kind() == PolicyRule.Kind.OWN)
                .findFirst().orElseThrow();
        assertTrue(own.allow());
        assertEquals(new PolicyScope(PolicyScope.Kind.USER, "root"), own.scope());
        assertEquals("org.freedesktop.login1", own.ownName());
        PolicyRule deny = c.policyRules().stream()
                .filter(r -> r.source().file().equals(login1) && r.scope().equals(PolicyScope.DEFAULT))
                .findFirst().orElseThrow();
        assertTrue(!deny.allow());
        assertEquals("org.freedesktop.login1", deny.peerName());
    }

    private static List<Path> confsIn(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
        }
    }

    /** Independent count of allow/deny elements with the JDK's DOM parser. */
    private static int countRules(List<Path> files) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        int n = 0;
        for (Path p : files) {
            Document d = f.newDocumentBuilder().parse(p.toFile());
            n += d.getElementsByTagName("allow").getLength() + d.getElementsByTagName("deny").getLength();
        }
        return n;
    }
}
