package dev.omnibus.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The introspection XML of the driver object, generated from the driver's table so that it lists
 * exactly the methods the driver answers, laid out as dbus-daemon lays it out: at a path other than
 * /org/freedesktop/DBus only the interfaces available at every path, and a child node that leads
 * from "/", "/org" and "/org/freedesktop" to the driver object. Cold path.
 */
final class Introspection {
    private Introspection() {}

    private static final String DOCTYPE =
            "<!DOCTYPE node PUBLIC \"-//freedesktop//DTD D-BUS Object Introspection 1.0//EN\"\n"
                    + "\"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd\">\n";

    private static final String DRIVER_SIGNALS = signal("NameOwnerChanged", "sss") + signal("NameLost", "s")
            + signal("NameAcquired", "s") + signal("ActivatableServicesChanged", "");

    private static final String PROPERTIES_SIGNALS = "    <signal name=\"PropertiesChanged\">\n"
            + "      <arg type=\"s\" name=\"interface_name\"/>\n"
            + "      <arg type=\"a{sv}\" name=\"changed_properties\"/>\n"
            + "      <arg type=\"as\" name=\"invalidated_properties\"/>\n"
            + "    </signal>\n";

    static String xml(Driver d, String path) {
        boolean canonical = Driver.PATH.equals(path);
        StringBuilder x = new StringBuilder(DOCTYPE).append("<node>\n");
        for (Map.Entry<String, List<Driver.Method>> e : d.interfaces().entrySet()) {
            String iface = e.getKey();
            if (!canonical && !d.availableEverywhere(iface)) continue;
            x.append("  <interface name=\"").append(iface).append("\">\n");
            for (Driver.Method m : e.getValue()) {
                x.append("    <method name=\"").append(m.member()).append("\">\n");
                args(x, m.in(), "in");
                args(x, m.out(), "out");
                x.append("    </method>\n");
            }
            if (iface.equals(Driver.NAME)) {
                for (String prop : new String[] {"Features", "Interfaces"}) {
                    x.append("    <property name=\"").append(prop).append("\" type=\"as\" access=\"read\">\n")
                            .append("      <annotation name=\"org.freedesktop.DBus.Property.EmitsChangedSignal\" value=\"const\"/>\n")
                            .append("    </property>\n");
                }
                x.append(DRIVER_SIGNALS);
            } else if (iface.equals(Driver.PROPERTIES)) {
                x.append(PROPERTIES_SIGNALS);
            }
            x.append("  </interface>\n");
        }
        String child = switch (path == null ? "" : path) {
            case "/" -> "org/freedesktop/DBus";
            case "/org" -> "freedesktop/DBus";
            case "/org/freedesktop" -> "DBus";
            default -> null;
        };
        if (child != null) x.append("  <node name=\"").append(child).append("\"/>\n");
        return x.append("</node>\n").toString();
    }

    private static String signal(String name, String sig) {
        StringBuilder x = new StringBuilder("    <signal name=\"").append(name).append("\">\n");
        for (String t : split(sig)) x.append("      <arg type=\"").append(t).append("\"/>\n");
        return x.append("    </signal>\n").toString();
    }

    private static void args(StringBuilder x, String sig, String dir) {
        for (String t : split(sig)) {
            x.append("      <arg direction=\"").append(dir).append("\" type=\"").append(t).append("\"/>\n");
        }
    }

    /** Splits a signature into its complete types. */
    static List<String> split(String sig) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < sig.length()) {
            int end = completeTypeEnd(sig, i);
            out.add(sig.substring(i, end));
            i = end;
        }
        return out;
    }

    private static int completeTypeEnd(String s, int i) {
        char c = s.charAt(i);
        if (c == 'a') return completeTypeEnd(s, i + 1);
        if (c == '(' || c == '{') {
            char close = c == '(' ? ')' : '}';
            int j = i + 1;
            while (s.charAt(j) != close) j = completeTypeEnd(s, j);
            return j + 1;
        }
        return i + 1;
    }
}
