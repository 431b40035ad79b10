package dev.omnibus.broker;

import java.util.List;
import java.util.Map;

/**
 * The introspection XML of the driver object, generated from the driver's table so that it always
 * lists exactly the methods the driver answers. Cold path.
 */
final class Introspection {
    private Introspection() {}

    private static final String DOCTYPE =
            "<!DOCTYPE node PUBLIC \"-//freedesktop//DTD D-BUS Object Introspection 1.0//EN\"\n"
                    + "\"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd\">\n";

    static String xml(Driver d, String path) {
        StringBuilder x = new StringBuilder(DOCTYPE).append("<node>\n");
        for (Map.Entry<String, List<Driver.Method>> e : d.interfaces().entrySet()) {
            x.append("  <interface name=\"").append(e.getKey()).append("\">\n");
            for (Driver.Method m : e.getValue()) {
                x.append("    <method name=\"").append(m.member()).append("\">\n");
                args(x, m.in(), "in");
                args(x, m.out(), "out");
                x.append("    </method>\n");
            }
            if (e.getKey().equals(Driver.NAME)) {
                signal(x, "NameOwnerChanged", "sss");
                signal(x, "NameLost", "s");
                signal(x, "NameAcquired", "s");
                x.append("    <property name=\"Features\" type=\"as\" access=\"read\"/>\n");
                x.append("    <property name=\"Interfaces\" type=\"as\" access=\"read\"/>\n");
            }
            x.append("  </interface>\n");
        }
        if ("/".equals(path)) x.append("  <node name=\"org/freedesktop/DBus\"/>\n");
        return x.append("</node>\n").toString();
    }

    private static void signal(StringBuilder x, String name, String sig) {
        x.append("    <signal name=\"").append(name).append("\">\n");
        for (String t : split(sig)) x.append("      <arg type=\"").append(t).append("\"/>\n");
        x.append("    </signal>\n");
    }

    private static void args(StringBuilder x, String sig, String dir) {
        for (String t : split(sig)) {
            x.append("      <arg direction=\"").append(dir).append("\" type=\"").append(t).append("\"/>\n");
        }
    }

    /** Splits a signature into its complete types. */
    static List<String> split(String sig) {
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
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
