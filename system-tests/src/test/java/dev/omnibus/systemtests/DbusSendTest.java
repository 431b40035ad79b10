package dev.omnibus.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** dbus-send (libdbus) against the bus: driver calls, a call to a service, error names, reply formats. */
class DbusSendTest extends WithBus {

    private static final String DRIVER = "--dest=org.freedesktop.DBus";

    private ProcessRun send(String... args) throws Exception {
        String[] argv = new String[args.length + 2];
        argv[0] = "dbus-send";
        argv[1] = "--session";
        System.arraycopy(args, 0, argv, 2, args.length);
        return bus.run(argv);
    }

    static String hex32(String s) {
        Matcher m = Pattern.compile("\\b([0-9a-f]{32})\\b").matcher(s);
        return m.find() ? m.group(1) : null;
    }

    @Test
    void listNamesContainsDriverAndCaller() throws Exception {
        ProcessRun r = send("--print-reply", DRIVER, "/org/freedesktop/DBus", "org.freedesktop.DBus.ListNames");
        assertTrue(r.succeeded(), r.describe());
        assertTrue(r.stdout().contains("string \"org.freedesktop.DBus\""), r.describe());
        assertTrue(Pattern.compile("string \":1\\.\\d+\"").matcher(r.stdout()).find(), r.describe());
        assertTrue(r.stdout().startsWith("method return "), r.describe());
        assertTrue(r.stdout().contains("sender=org.freedesktop.DBus"), r.describe());
    }

    @Test
    void getIdIs32HexDigitsAndStable() throws Exception {
        ProcessRun first = send("--print-reply", DRIVER, "/org/freedesktop/DBus", "org.freedesktop.DBus.GetId");
        ProcessRun second = send("--print-reply", DRIVER, "/", "org.freedesktop.DBus.GetId");
        assertTrue(first.succeeded(), first.describe());
        String id = hex32(first.stdout());
        assertTrue(id != null, first.describe());
        assertEquals(id, hex32(second.stdout()), second.describe());
    }

    @Test
    void requestNameReturnsPrimaryOwner() throws Exception {
        ProcessRun r = send("--print-reply", DRIVER, "/", "org.freedesktop.DBus.RequestName",
                "string:org.omnibus.Named", "uint32:0");
        assertTrue(r.succeeded(), r.describe());
        assertTrue(r.stdout().contains("uint32 1"), "DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER\n" + r.describe());
    }

    @Test
    void nameHasOwnerAndGetNameOwnerFollowAService() throws Exception {
        ProcessRun before = send("--print-reply", DRIVER, "/", "org.freedesktop.DBus.NameHasOwner",
                "string:org.omnibus.Test");
        assertTrue(before.stdout().contains("boolean false"), before.describe());
        BackgroundProcess service = bus.spawn(BusDaemon.python("service.py"));
        String unique = service.awaitLineStartingWith("READY ", Duration.ofSeconds(30)).substring(6);
        ProcessRun has = send("--print-reply", DRIVER, "/", "org.freedesktop.DBus.NameHasOwner",
                "string:org.omnibus.Test");
        assertTrue(has.stdout().contains("boolean true"), has.describe());
        ProcessRun owner = send("--print-reply", DRIVER, "/", "org.freedesktop.DBus.GetNameOwner",
                "string:org.omnibus.Test");
        assertTrue(owner.stdout().contains("string \"" + unique + "\""), owner.describe());
        ProcessRun none = send("--print-reply", DRIVER, "/", "org.freedesktop.DBus.GetNameOwner",
                "string:org.omnibus.Nobody");
        assertEquals(1, none.exitCode(), none.describe());
        assertTrue(none.stderr().contains("Error org.freedesktop.DBus.Error.NameHasNoOwner"), none.describe());
    }

    @Test
    void methodCallToServiceGetsItsReply() throws Exception {
        BackgroundProcess service = bus.spawn(BusDaemon.python("service.py"));
        service.awaitLineStartingWith("READY ", Duration.ofSeconds(30));
        ProcessRun r = send("--print-reply", "--dest=org.omnibus.Test", "/org/omnibus/Test",
                "org.omnibus.Test.Echo", "string:hello from dbus-send");
        assertTrue(r.succeeded(), r.describe());
        assertTrue(r.stdout().contains("string \"hello from dbus-send\""), r.describe());
    }

    @Test
    void callToMissingNameFailsWithServiceUnknown() throws Exception {
        ProcessRun r = send("--print-reply", "--dest=org.omnibus.Missing", "/", "org.omnibus.Missing.Call");
        assertEquals(1, r.exitCode(), r.describe());
        assertTrue(r.stderr().startsWith("Error org.freedesktop.DBus.Error.ServiceUnknown"), r.describe());
    }

    @Test
    void unknownDriverMethodFailsWithUnknownMethod() throws Exception {
        ProcessRun r = send("--print-reply", DRIVER, "/", "org.freedesktop.DBus.NoSuchMethod");
        assertEquals(1, r.exitCode(), r.describe());
        assertTrue(r.stderr().startsWith("Error org.freedesktop.DBus.Error.UnknownMethod"), r.describe());
    }

    @Test
    void printReplyLiteralPrintsBareValues() throws Exception {
        ProcessRun literal = send("--print-reply=literal", DRIVER, "/", "org.freedesktop.DBus.GetId");
        assertTrue(literal.succeeded(), literal.describe());
        assertTrue(literal.stdout().strip().matches("[0-9a-f]{32}"), literal.describe());
        ProcessRun normal = send("--print-reply", DRIVER, "/", "org.freedesktop.DBus.GetConnectionUnixUser",
                "string:org.freedesktop.DBus");
        assertTrue(normal.succeeded(), normal.describe());
        assertTrue(Pattern.compile("^   uint32 \\d+$", Pattern.MULTILINE).matcher(normal.stdout()).find(),
                normal.describe());
    }

    @Test
    void signalWithoutReplySucceedsSilently() throws Exception {
        ProcessRun r = send("--type=signal", "/org/omnibus/Sig", "org.omnibus.Sig.Fired", "int32:7");
        assertTrue(r.succeeded(), r.describe());
        assertEquals("", r.stdout(), r.describe());
    }
}
