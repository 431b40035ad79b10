package dev.omnibus.daemon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.omnibus.daemon.cli.DaemonOptions.Action;
import dev.omnibus.daemon.cli.DaemonOptions.ConfigSource;
import dev.omnibus.daemon.cli.DaemonOptions.ForkMode;
import dev.omnibus.daemon.cli.DaemonOptions.SyslogMode;
import org.junit.jupiter.api.Test;

/** Every expectation here was checked against dbus-daemon 1.14.10's behaviour. */
class DaemonOptionsTest {

    private static DaemonOptions parse(String... args) throws UsageException {
        return DaemonOptions.parse(args);
    }

    private static UsageException usage(String... args) {
        return assertThrows(UsageException.class, () -> DaemonOptions.parse(args));
    }

    @Test
    void sessionAndSystemPickTheStandardFiles() throws Exception {
        DaemonOptions s = parse("--session");
        assertEquals(ConfigSource.SESSION, s.configSource());
        assertEquals("/usr/share/dbus-1/session.conf", s.configFile());
        DaemonOptions y = parse("--system");
        assertEquals(ConfigSource.SYSTEM, y.configSource());
        assertEquals("/usr/share/dbus-1/system.conf", y.configFile());
        assertEquals(Action.RUN, y.action());
    }

    @Test
    void configFileInBothForms() throws Exception {
        assertEquals("/x.conf", parse("--config-file=/x.conf").configFile());
        assertEquals("/y.conf", parse("--config-file", "/y.conf").configFile());
        assertEquals(ConfigSource.FILE, parse("--config-file", "/y.conf").configSource());
    }

    @Test
    void configFileTakesEvenAnUnknownOptionAsItsValue() throws Exception {
        assertEquals("--bogus", parse("--config-file", "--bogus").configFile());
    }

    @Test
    void addressInBothForms() throws Exception {
        assertEquals("unix:path=/a", parse("--session", "--address=unix:path=/a").address());
        assertEquals("unix:path=/b", parse("--session", "--address", "unix:path=/b").address());
        assertEquals(null, parse("--session").address());
    }

    @Test
    void addressSwallowsAFollowingPrintAddressEquals() throws Exception {
        // dbus-daemon tests "value of previous --address" before "--print-address=".
        DaemonOptions o = parse("--address", "--print-address=3", "--session");
        assertEquals("--print-address=3", o.address());
        assertFalse(o.printAddress());
    }

    @Test
    void printAddressWithoutValueMeansStdout() throws Exception {
        DaemonOptions o = parse("--session", "--print-address");
        assertTrue(o.printAddress());
        assertEquals(1, o.printAddressFd());
        assertEquals(1, parse("--print-address", "--session").printAddressFd());
        assertEquals(1, parse("--print-address=", "--session").printAddressFd());
        assertEquals(-1, parse("--session").printAddressFd());
    }

    @Test
    void printAddressTakesAFollowingNumberAsDescriptor() throws Exception {
        assertEquals(3, parse("--print-address", "3", "--session").printAddressFd());
        assertEquals(5, parse("--print-address=5", "--session").printAddressFd());
    }

    @Test
    void descriptorsUseCStrtolSyntax() throws Exception {
        assertEquals(2, parse("--print-address=0x2", "--session").printAddressFd());
        assertEquals(8, parse("--print-address=010", "--session").printAddressFd());
        assertEquals(1, parse("--print-address= 1", "--session").printAddressFd());
    }

    @Test
    void printPidInBothForms() throws Exception {
        assertEquals(1, parse("--session", "--print-pid").printPidFd());
        assertEquals(7, parse("--print-pid", "7", "--session").printPidFd());
        assertEquals(9, parse("--print-pid=9", "--session").printPidFd());
        assertFalse(parse("--session").printPid());
    }

    @Test
    void rejectsNonNumericDescriptor() {
        UsageException e = usage("--print-address", "abc", "--session");
        assertEquals("Invalid file descriptor: \"abc\"", e.getMessage());
        assertEquals(1, e.exitCode());
        assertEquals("Invalid file descriptor: \"-1\"", usage("--session", "--print-address=-1").getMessage());
        assertEquals("Invalid file descriptor: \"1x\"", usage("--session", "--print-pid=1x").getMessage());
    }

    @Test
    void secondBarePrintAddressIsTakenAsTheDescriptor() {
        assertEquals("Invalid file descriptor: \"--print-address\"",
                usage("--session", "--print-address", "--print-address").getMessage());
    }

    @Test
    void missingConfigIsReportedBeforeBadDescriptorsAndAddressBeforePid() {
        assertTrue(usage("--print-address=abc").getMessage().startsWith("No configuration file specified."));
        assertEquals("Invalid file descriptor: \"xyz\"",
                usage("--session", "--print-pid=abc", "--print-address=xyz").getMessage());
    }

    @Test
    void forkFlagsLastOneWins() throws Exception {
        assertEquals(ForkMode.FOLLOW_CONFIG, parse("--session").forkMode());
        assertEquals(ForkMode.NEVER, parse("--session", "--fork", "--nofork").forkMode());
        assertEquals(ForkMode.ALWAYS, parse("--session", "--nofork", "--fork").forkMode());
    }

    @Test
    void syslogFlags() throws Exception {
        assertEquals(SyslogMode.FOLLOW_CONFIG, parse("--session").syslogMode());
        assertEquals(SyslogMode.SYSLOG_AND_STDERR, parse("--session", "--syslog").syslogMode());
        assertEquals(SyslogMode.SYSLOG_ONLY, parse("--session", "--syslog-only").syslogMode());
        assertEquals(SyslogMode.STDERR_ONLY, parse("--session", "--syslog", "--nosyslog").syslogMode());
    }

    @Test
    void pidfileAndSystemdActivationFlags() throws Exception {
        DaemonOptions d = parse("--session");
        assertTrue(d.writePidFile());
        assertFalse(d.systemdActivation());
        DaemonOptions o = parse("--session", "--nopidfile", "--systemd-activation");
        assertFalse(o.writePidFile());
        assertTrue(o.systemdActivation());
    }

    @Test
    void versionAndIntrospectStopParsingAndWinOverLaterErrors() throws Exception {
        assertEquals(Action.PRINT_VERSION, parse("--version", "--bogus").action());
        assertEquals(Action.PRINT_INTROSPECTION, parse("--introspect", "--bogus").action());
        assertEquals(Action.PRINT_INTROSPECTION, parse("--print-address=abc", "--introspect").action());
        assertEquals(Action.PRINT_INTROSPECTION, parse("--config-file", "--introspect").action());
    }

    @Test
    void unknownOptionIsAUsageError() {
        UsageException e = usage("--bogus");
        assertEquals(DaemonOptions.USAGE, e.getMessage());
        assertEquals(1, e.exitCode());
        assertEquals(DaemonOptions.USAGE, usage("foo").getMessage());
        assertEquals(DaemonOptions.USAGE, usage("--bogus", "--version").getMessage());
    }

    @Test
    void helpIsTheUsageTextWithExitOne() {
        for (String h : new String[] {"--help", "-h", "-?"}) {
            UsageException e = usage(h);
            assertEquals(DaemonOptions.USAGE, e.getMessage());
            assertEquals(1, e.exitCode());
        }
    }

    @Test
    void noConfigurationIsAUsageError() {
        assertEquals("No configuration file specified.\n" + DaemonOptions.USAGE, usage().getMessage());
        assertEquals("No configuration file specified.\n" + DaemonOptions.USAGE, usage("--nofork").getMessage());
        assertEquals("No configuration file specified.\n" + DaemonOptions.USAGE, usage("--config-file").getMessage());
        assertEquals("No configuration file specified.\n" + DaemonOptions.USAGE, usage("--config-file=").getMessage());
    }

    @Test
    void conflictingConfigFilesAreRejectedWithDbusWording() {
        assertEquals("--system specified but configuration file /usr/share/dbus-1/session.conf already requested",
                usage("--session", "--system").getMessage());
        assertEquals("--session specified but configuration file /usr/share/dbus-1/system.conf already requested",
                usage("--system", "--session").getMessage());
        assertEquals("--session specified but configuration file /usr/share/dbus-1/session.conf already requested",
                usage("--session", "--session").getMessage());
        assertEquals("--config-file specified but configuration file /x already requested",
                usage("--config-file=/x", "--config-file", "/y").getMessage());
        assertEquals("--session specified but configuration file /x already requested",
                usage("--config-file=/x", "--session").getMessage());
    }

    @Test
    void twoAddressesOrDescriptorsAreRejected() {
        assertEquals("--address specified but address a already requested",
                usage("--address=a", "--address=b").getMessage());
        assertEquals("--print-address specified but printing address to 3 already requested",
                usage("--print-address=3", "--print-address=4").getMessage());
        assertEquals("--print-pid specified but printing pid to 7 already requested",
                usage("--print-pid", "7", "--print-pid", "8").getMessage());
    }

    @Test
    void versionTextNamesOmnibusInDbusShape() {
        String v = DaemonOptions.versionText("0.1.0");
        assertTrue(v.startsWith("Omnibus D-Bus Message Bus Daemon 0.1.0\n"), v);
        assertTrue(v.contains("There is NO warranty"));
        assertEquals(4, v.split("\n").length);
    }
}
