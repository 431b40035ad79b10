package dev.omnibus.daemon.config;

import dev.omnibus.broker.Limit;
import dev.omnibus.broker.BusLimits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Element by element and error by error; wording checked against dbus-daemon 1.14.10. */
class ConfigLoaderTest {

    private static final String DOCTYPE = "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
            + " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n";

    @TempDir Path dir;

    private final ConfigLoader loader = new ConfigLoader(Map.of("HOME", "/home/u"), false, null);

    /** Writes a config whose line 3 is the first line of {@code body}. */
    private Path write(String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "<busconfig>\n<listen>unix:path=/tmp/x</listen>\n" + body + "\n</busconfig>\n");
        return p;
    }

    private BusConfig load(String body) throws Exception {
        return loader.loadFile(write("bus.conf", body));
    }

    private ConfigException fails(String body) throws IOException {
        Path p = write("bad.conf", body);
        return assertThrows(ConfigException.class, () -> loader.loadFile(p));
    }

    private void assertError(String body, String detail) throws IOException {
        ConfigException e = fails(body);
        assertEquals(detail, e.detail());
        assertEquals(3, e.line(), e.getMessage());
        assertEquals("Error in file " + dir.resolve("bad.conf") + ", line 3: " + detail, e.getMessage());
    }

    @Test
    void readsScalarsAndFlags() throws Exception {
        BusConfig c = load("""
                <type>session</type><type>custom</type>
                <user>messagebus</user><fork/><keep_umask/><syslog/><allow_anonymous/>
                <pidfile>/run/x.pid</pidfile><servicehelper>/usr/lib/helper</servicehelper>""");
        assertEquals("custom", c.type(), "last <type> wins");
        assertEquals("messagebus", c.user());
        assertTrue(c.fork() && c.keepUmask() && c.syslog() && c.allowAnonymous());
        assertEquals(Path.of("/run/x.pid"), c.pidFile());
        assertEquals(Path.of("/usr/lib/helper"), c.serviceHelper());
        assertEquals(BusConfig.ApparmorMode.ENABLED, c.apparmorMode());
    }

    @Test
    void absentFlagsAreFalse() throws Exception {
        BusConfig c = load("");
        assertFalse(c.fork() || c.keepUmask() || c.syslog() || c.allowAnonymous());
        assertNull(c.type());
        assertTrue(c.authMechanisms().isEmpty());
        assertEquals(BusLimits.system(), c.limits());
    }

    @Test
    void keepsSeveralListenAndAuthInOrder() throws Exception {
        BusConfig c = load("<listen>tcp:host=localhost,port=0</listen><auth>EXTERNAL</auth><auth>ANONYMOUS</auth>");
        assertEquals(List.of("unix:path=/tmp/x", "tcp:host=localhost,port=0"), c.listen());
        assertEquals(List.of("EXTERNAL", "ANONYMOUS"), c.authMechanisms());
    }

    @Test
    void trimsTextContent() throws Exception {
        assertEquals("session", load("<type>\n  session  \n</type>").type());
    }

    @Test
    void neverFetchesTheDtd() throws Exception {
        // The DOCTYPE names an http URL; loading must not need the network.
        Path p = dir.resolve("dt.conf");
        Files.writeString(p, DOCTYPE + "<busconfig><listen>unix:path=/x</listen></busconfig>");
        assertEquals(List.of("unix:path=/x"), loader.loadFile(p).listen());
    }

    @Test
    void servicedirsResolveRelativeToTheFileAndDropDuplicates() throws Exception {
        BusConfig c = load("<servicedir>svc</servicedir><servicedir>/abs</servicedir><servicedir>svc</servicedir>");
        assertEquals(List.of(ServiceDirEntry.plain(dir.resolve("svc")), ServiceDirEntry.plain(Path.of("/abs"))),
                c.serviceDirs());
    }

    @Test
    void standardSessionServicedirsFollowXdg() throws Exception {
        ConfigLoader l = new ConfigLoader(Map.of("XDG_RUNTIME_DIR", "/run/user/7", "XDG_DATA_HOME", "/d/home",
                "XDG_DATA_DIRS", "/opt/share:/usr/share"), false, null);
        BusConfig c = l.loadFile(write("s.conf", "<standard_session_servicedirs/>"));
        assertEquals(List.of(
                new ServiceDirEntry(Path.of("/run/user/7/dbus-1/services"), true, false),
                ServiceDirEntry.plain(Path.of("/d/home/dbus-1/services")),
                ServiceDirEntry.plain(Path.of("/opt/share/dbus-1/services")),
                ServiceDirEntry.plain(Path.of("/usr/share/dbus-1/services"))), c.serviceDirs());
    }

    @Test
    void standardSystemServicedirs() throws Exception {
        assertEquals(List.of(Path.of("/usr/local/share/dbus-1/system-services"),
                        Path.of("/usr/share/dbus-1/system-services"), Path.of("/lib/dbus-1/system-services")),
                load("<standard_system_servicedirs/>").serviceDirs().stream().map(ServiceDirEntry::dir).toList());
    }

    @Test
    void limitsOverrideDefaults() throws Exception {
        BusConfig c = load("""
                <limit name="max_message_size">64</limit>
                <limit name="auth_timeout"> 1000 </limit>
                <limit name="max_message_size">99999999999</limit>
                <limit name="max_containers">5</limit>""");
        assertEquals(99999999999L, c.limits().get(Limit.MAX_MESSAGE_SIZE), "last wins, long range");
        assertEquals(1000, c.limits().get(Limit.AUTH_TIMEOUT));
        assertEquals(512, c.limits().get(Limit.MAX_NAMES_PER_CONNECTION));
    }

    @Test
    void acceptsEveryDbusLimitName() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (Limit l : Limit.values()) {
            sb.append("<limit name=\"").append(l.configName()).append("\">").append(l.ordinal() + 1).append("</limit>\n");
        }
        BusConfig c = load(sb.toString());
        for (Limit l : Limit.values()) {
            assertEquals(l.ordinal() + 1, c.limits().get(l), l.configName());
        }
    }

    @Test
    void limitValueIsReadLikeStrtol() throws Exception {
        assertEquals(5, load("<limit name=\"auth_timeout\">5x</limit>").limits().get(Limit.AUTH_TIMEOUT));
        assertEquals(0, load("<limit name=\"auth_timeout\">0</limit>").limits().get(Limit.AUTH_TIMEOUT));
    }

    @Test
    void policiesKeepEveryScopeAndRuleInDocumentOrder() throws Exception {
        BusConfig c = load("""
                <policy context="default"><deny own="*"/><allow own_prefix="org.ex"/></policy>
                <policy user="root"><allow send_destination="org.ex" send_interface="org.ex.I" send_member="M"/></policy>
                <policy group="adm"><allow receive_sender="org.ex" receive_type="signal" eavesdrop="true"/></policy>
                <policy at_console="true"><allow user="*"/></policy>
                <policy context="mandatory"><deny group="bad" log="true"/></policy>""");
        List<PolicyRule> r = c.policyRules();
        assertEquals(6, r.size());
        assertEquals(PolicyScope.DEFAULT, r.get(0).scope());
        assertFalse(r.get(0).allow());
        assertEquals(PolicyRule.Kind.OWN, r.get(0).kind());
        assertNull(r.get(0).ownName(), "own=* is any");
        assertTrue(r.get(1).ownPrefix());
        assertEquals("org.ex", r.get(1).ownName());
        assertEquals(new PolicyScope(PolicyScope.Kind.USER, "root"), r.get(2).scope());
        assertEquals(PolicyRule.Kind.SEND, r.get(2).kind());
        assertEquals("org.ex", r.get(2).peerName());
        assertEquals("org.ex.I", r.get(2).interfaceName());
        assertEquals("M", r.get(2).member());
        assertEquals(new SourceLocation(dir.resolve("bus.conf"), 4), r.get(2).source());
        assertEquals(PolicyRule.Kind.RECEIVE, r.get(3).kind());
        assertEquals(PolicyRule.MessageType.SIGNAL, r.get(3).messageType());
        assertTrue(r.get(3).eavesdrop());
        assertEquals(PolicyScope.Kind.GROUP, r.get(3).scope().kind());
        assertTrue(r.get(4).scope().atConsole());
        assertEquals(PolicyRule.Kind.USER, r.get(4).kind());
        assertNull(r.get(4).principal(), "user=* is any");
        assertEquals(PolicyScope.MANDATORY, r.get(5).scope());
        assertFalse(r.get(5).allow());
        assertEquals(PolicyRule.Kind.GROUP, r.get(5).kind());
        assertEquals("bad", r.get(5).principal());
        assertTrue(r.get(5).log());
    }

    @Test
    void ruleCarriesEveryMessageAttribute() throws Exception {
        PolicyRule send = load("""
                <policy context="default"><deny send_interface="i.I" send_member="M" send_error="e.E" send_path="/p"
                  send_type="method_call" send_broadcast="false" send_requested_reply="true" send_destination_prefix="a.b"
                  eavesdrop="true" min_fds="1" max_fds="3" log="true"/></policy>""").policyRules().get(0);
        assertEquals(PolicyRule.Kind.SEND, send.kind());
        assertEquals("e.E", send.errorName());
        assertEquals("/p", send.path());
        assertEquals(PolicyRule.MessageType.METHOD_CALL, send.messageType());
        assertEquals(Boolean.FALSE, send.broadcast());
        assertTrue(send.requestedReply());
        assertTrue(send.peerNameIsPrefix());
        assertEquals("a.b", send.peerName());
        assertEquals(1, send.minFds());
        assertEquals(3, send.maxFds());
        assertTrue(send.log());
        assertEquals(12, send.attributes().size());
        assertEquals("send_interface", send.attributes().keySet().iterator().next(), "document order kept");
    }

    @Test
    void requestedReplyDefaultsDependOnAllowOrDeny() throws Exception {
        List<PolicyRule> r = load("<policy context=\"default\"><allow send_type=\"error\"/><deny receive_type=\"error\"/>"
                + "<allow receive_type=\"*\" receive_requested_reply=\"false\"/></policy>").policyRules();
        assertTrue(r.get(0).requestedReply());
        assertFalse(r.get(1).requestedReply());
        assertFalse(r.get(2).requestedReply());
        assertNull(r.get(2).messageType(), "* is any");
        assertEquals(0, r.get(0).minFds());
        assertEquals(Integer.MAX_VALUE, r.get(0).maxFds());
    }

    @Test
    void eavesdropAloneIsAReceiveRule() throws Exception {
        assertEquals(PolicyRule.Kind.RECEIVE,
                load("<policy context=\"default\"><allow eavesdrop=\"true\"/></policy>").policyRules().get(0).kind());
    }

    @Test
    void sendBroadcastWithWildcardOrPrefixIsAccepted() throws Exception {
        assertEquals(2, load("<policy context=\"default\"><allow send_broadcast=\"true\" send_destination=\"*\"/>"
                + "<allow send_broadcast=\"true\" send_destination_prefix=\"a.b\"/></policy>").policyRules().size());
    }

    @Test
    void userRuleInsideAtConsolePolicyIsAccepted() throws Exception {
        assertEquals(1, load("<policy at_console=\"true\"><deny group=\"root\"/></policy>").policyRules().size());
    }

    @Test
    void selinuxAssociationsAndApparmor() throws Exception {
        BusConfig c = load("<selinux><associate own=\"org.ex\" context=\"foo_t\"/></selinux><apparmor mode=\"required\"/>");
        assertEquals(List.of(new SelinuxAssociation("org.ex", "foo_t", new SourceLocation(dir.resolve("bus.conf"), 3))),
                c.selinuxAssociations());
        assertEquals(BusConfig.ApparmorMode.REQUIRED, c.apparmorMode());
        assertEquals(BusConfig.ApparmorMode.DISABLED, load("<apparmor mode=\"disabled\"/>").apparmorMode());
        assertEquals(BusConfig.ApparmorMode.ENABLED, load("<apparmor/>").apparmorMode());
    }

    // ---- includes ----

    @Test
    void includeIsRelativeToTheIncludingFileAndMergesInPlace() throws Exception {
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/inc.conf"), """
                <busconfig>
                  <type>inner</type>
                  <listen>unix:path=/tmp/inner</listen>
                  <limit name="max_message_size">10</limit>
                  <policy context="default"><allow own="b"/></policy>
                </busconfig>""");
        BusConfig c = load("""
                <policy context="default"><allow own="a"/></policy>
                <include>sub/inc.conf</include>
                <policy context="default"><allow own="c"/></policy>""");
        assertEquals("inner", c.type());
        assertEquals(List.of("unix:path=/tmp/x", "unix:path=/tmp/inner"), c.listen());
        assertEquals(10, c.limits().get(Limit.MAX_MESSAGE_SIZE), "limits of included files apply (checked)");
        assertEquals(List.of("a", "b", "c"), c.policyRules().stream().map(PolicyRule::ownName).toList());
        assertEquals(new SourceLocation(dir.resolve("sub/inc.conf"), 5), c.policyRules().get(1).source());
        assertEquals(List.of(dir.resolve("bus.conf"), dir.resolve("sub/inc.conf")), c.files());
    }

    @Test
    void includeIgnoreMissingAndSelinuxConditional() throws Exception {
        BusConfig c = load("""
                <include ignore_missing="yes">/nonexistent/x.conf</include>
                <include if_selinux_enabled="yes" selinux_root_relative="yes">contexts/dbus_contexts</include>""");
        assertEquals(List.of(dir.resolve("bus.conf")), c.files());
    }

    @Test
    void includeDirReadsConfFilesSortedAndSkipsBrokenOnesWithAWarning() throws Exception {
        Path d = Files.createDirectories(dir.resolve("bus.d"));
        Files.writeString(d.resolve("b.conf"), "<busconfig><policy context=\"default\"><allow own=\"b\"/></policy></busconfig>");
        Files.writeString(d.resolve("a.conf"), "<busconfig><policy context=\"default\"><allow own=\"a\"/></policy></busconfig>");
        Files.writeString(d.resolve("c.conf"), "<busconfig><policy context=\"default\"><allow own=\"c\"/></policy><foo/></busconfig>");
        Files.writeString(d.resolve("z.txt"), "not xml");
        BusConfig c = load("<includedir>bus.d</includedir><includedir>/nonexistent.d</includedir>");
        assertEquals(List.of("a", "b"), c.policyRules().stream().map(PolicyRule::ownName).toList());
        assertEquals(1, c.warnings().size());
        assertTrue(c.warnings().get(0).contains("c.conf, line 1: Element <foo> not allowed inside <busconfig>"),
                c.warnings().get(0));
    }

    @Test
    void rejectsMissingInclude() throws IOException {
        assertError("<include>/nonexistent.conf</include>", "Failed to open \"/nonexistent.conf\": No such file or directory");
    }

    @Test
    void rejectsCircularInclude() throws IOException {
        ConfigException e = fails("<include>bad.conf</include>");
        assertEquals("Circular inclusion of file '" + dir.resolve("bad.conf") + "'", e.detail());
        assertEquals(3, e.line());
    }

    @Test
    void errorInIncludedFileNamesThatFile() throws IOException {
        Files.writeString(dir.resolve("inc.conf"), "<busconfig>\n\n<fork>x</fork></busconfig>");
        ConfigException e = fails("<include>inc.conf</include>");
        assertEquals(dir.resolve("inc.conf"), e.file());
        assertEquals(3, e.line());
    }

    // ---- errors ----

    @Test
    void rejectsMalformedXmlWithFileAndLine() throws IOException {
        ConfigException e = fails("<policy context=\"default\">");
        assertEquals(dir.resolve("bad.conf"), e.file());
        assertTrue(e.line() >= 3, e.getMessage());
        assertTrue(e.getMessage().startsWith("Error in file " + dir.resolve("bad.conf") + ", line "), e.getMessage());
    }

    @Test
    void rejectsUnknownElements() throws IOException {
        assertError("<foo/>", "Element <foo> not allowed inside <busconfig> in configuration file");
        assertError("<allow own=\"*\"/>", "Element <allow> not allowed inside <busconfig> in configuration file");
        assertError("<associate own=\"a\" context=\"b\"/>", "Element <associate> not allowed inside <busconfig> in configuration file");
        assertError("<policy context=\"default\"><policy context=\"default\"/></policy>",
                "Element <policy> not allowed inside <policy> in configuration file");
        assertError("<policy context=\"default\"><deny own=\"*\"><allow own=\"x\"/></deny></policy>",
                "Element <allow> is not allowed in this context");
        assertError("<user><foo/></user>", "Element <foo> is not allowed in this context");
    }

    @Test
    void rejectsWrongRootElement() throws IOException {
        Path p = dir.resolve("root.conf");
        Files.writeString(p, "<foo/>");
        ConfigException e = assertThrows(ConfigException.class, () -> loader.loadFile(p));
        assertEquals("Unknown element <foo> at root of configuration file", e.detail());
        assertEquals(1, e.line());
    }

    @Test
    void rejectsUnknownAttributes() throws IOException {
        assertError("<policy context=\"default\"><allow send_destination=\"*\" bogus=\"1\"/></policy>",
                "Attribute \"bogus\" is invalid on <allow> element in this context");
        assertError("<fork foo=\"x\"/>", "Attribute \"foo\" is invalid on <fork> element in this context");
        assertError("<include foo=\"bar\">/x</include>", "Attribute \"foo\" is invalid on <include> element in this context");
        assertError("<limit name=\"auth_timeout\" foo=\"x\">5</limit>", "Attribute \"foo\" is invalid on <limit> element in this context");
        assertError("<policy context=\"default\" foo=\"x\"/>", "Attribute \"foo\" is invalid on <policy> element in this context");
    }

    @Test
    void rejectsTextWhereNoneBelongs() throws IOException {
        assertError("<fork>x</fork>", "No text content expected inside XML element fork in configuration file");
        assertError("<policy context=\"default\">hello</policy>", "No text content expected inside XML element policy in configuration file");
        assertError("<standard_session_servicedirs>x</standard_session_servicedirs>",
                "No text content expected inside XML element standard_session_servicedirs in configuration file");
    }

    @Test
    void rejectsEmptyTextElements() throws IOException {
        for (String el : List.of("type", "user", "listen", "auth", "pidfile", "servicedir", "servicehelper", "include", "includedir")) {
            assertError("<" + el + "></" + el + ">", "XML element <" + el + "> was expected to have content inside it");
        }
    }

    @Test
    void rejectsBadLimits() throws IOException {
        assertError("<limit name=\"foo\">5</limit>", "There is no limit called \"foo\"");
        assertError("<limit name=\"max_message_size\">abc</limit>",
                "<limit name=\"max_message_size\"> element has invalid value (could not parse as integer)");
        assertError("<limit name=\"max_message_size\">-5</limit>", "<limit name=\"max_message_size\"> must be a positive number");
        assertError("<limit>5</limit>", "<limit> element must have a \"name\" attribute");
    }

    @Test
    void rejectsBadPolicyElements() throws IOException {
        assertError("<policy context=\"foo\"/>",
                "context attribute on <policy> must have the value \"default\" or \"mandatory\", not \"foo\"");
        assertError("<policy/>", "<policy> element must have exactly one of (context|user|group|at_console) attributes");
        assertError("<policy context=\"default\" user=\"root\"/>",
                "<policy> element must have exactly one of (context|user|group|at_console) attributes");
        assertError("<policy at_console=\"maybe\"/>", "Unknown value \"maybe\" for at_console in message bus configuration file");
    }

    @Test
    void rejectsBadRuleAttributeCombinations() throws IOException {
        String p = "<policy context=\"default\">";
        assertError(p + "<allow/></policy>", "Element <allow> must have one or more attributes");
        assertError(p + "<deny log=\"true\"/></policy>", "Element <deny> must have one or more attributes");
        assertError(p + "<allow min_fds=\"1\"/></policy>", "Element <allow> must have one or more attributes");
        assertError(p + "<allow send_destination=\"*\" receive_sender=\"x\"/></policy>",
                "Invalid combination of attributes on element <allow>: send and receive attributes cannot be combined");
        String own = "Invalid combination of attributes on element <allow>: own, own_prefix, user, group and the message-related attributes cannot be combined";
        assertError(p + "<allow own=\"a\" own_prefix=\"b\"/></policy>", own);
        assertError(p + "<allow user=\"a\" own=\"b\"/></policy>", own);
        assertError(p + "<allow own=\"x\" eavesdrop=\"true\"/></policy>", own);
        assertError(p + "<allow own=\"x\" min_fds=\"1\"/></policy>", own);
        assertError(p + "<allow send_destination=\"a\" send_destination_prefix=\"b\"/></policy>",
                "Invalid combination of attributes on element <allow>: send_destination cannot be combined with send_destination_prefix");
        assertError(p + "<allow send_broadcast=\"true\" send_destination=\"org.freedesktop.DBus\"/></policy>",
                "Rule with send_broadcast=\"true\" and send_destination=\"org.freedesktop.DBus\" cannot match anything");
        assertError("<policy user=\"root\"><allow user=\"root\"/></policy>",
                "<allow> rule cannot be per-user because it has bus-global semantics");
        assertError("<policy group=\"adm\"><deny group=\"x\"/></policy>",
                "<deny> rule cannot be per-user because it has bus-global semantics");
    }

    @Test
    void ownWithLogIsAccepted() throws Exception {
        assertTrue(load("<policy context=\"default\"><allow own=\"x\" log=\"true\"/></policy>").policyRules().get(0).log());
    }

    @Test
    void rejectsBadRuleValues() throws IOException {
        String p = "<policy context=\"default\">";
        assertError(p + "<allow send_type=\"foo\"/></policy>", "Bad message type \"foo\"");
        assertError(p + "<allow eavesdrop=\"maybe\"/></policy>", "Bad value \"maybe\" for eavesdrop attribute, must be true or false");
        assertError(p + "<allow send_destination=\"*\" min_fds=\"x\"/></policy>",
                "Bad value \"x\" for min_fds attribute, must be an integer in range 0 to 33554432 inclusive");
        assertError(p + "<allow send_destination=\"*\" max_fds=\"99999999999\"/></policy>",
                "Bad value \"99999999999\" for max_fds attribute, must be an integer in range 0 to 33554432 inclusive");
    }

    @Test
    void rejectsBadIncludeAssociateAndApparmorAttributes() throws IOException {
        assertError("<include ignore_missing=\"maybe\">/x</include>", "ignore_missing attribute must have value \"yes\" or \"no\"");
        assertError("<selinux><associate own=\"a\"/></selinux>",
                "Element <associate> must have attributes own=\"<servicename>\" and context=\"<selinux context>\"");
        assertError("<apparmor mode=\"foo\"/>",
                "Mode attribute on <apparmor> must have value \"required\", \"enabled\" or \"disabled\", not \"foo\"");
    }

    @Test
    void rejectsTopLevelFileWithoutListen() throws IOException {
        Path p = dir.resolve("nolisten.conf");
        Files.writeString(p, "<busconfig></busconfig>");
        ConfigException e = assertThrows(ConfigException.class, () -> loader.loadFile(p));
        assertEquals("Configuration file needs one or more <listen> elements giving addresses", e.detail());
    }

    @Test
    void rejectsMissingTopLevelFile() {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.loadFile(dir.resolve("none.conf")));
        assertEquals("Failed to open \"" + dir.resolve("none.conf") + "\": No such file or directory", e.detail());
    }
}
