package dev.omnibus.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A parsed D-Bus match rule (spec: "Match Rules"), as given to {@code AddMatch}/{@code RemoveMatch}.
 *
 * <p>Owns the parsed content only: every string field is {@code null} when its key is absent. Two rules
 * are {@link #equals equal} when their parsed content is equal, whatever quoting or key order the
 * client used, which is how dbus-daemon 1.14 finds the rule to remove ({@code member=X,type=signal}
 * removes {@code type='signal',member='X'}). As in dbus-daemon, {@code eavesdrop='false'} is the same
 * rule as no eavesdrop key, and {@code arg0='a'} differs from {@code arg0path='a'}.
 *
 * <p>Syntax, following dbus-daemon 1.14.10 (checked by experiment): keys are separated by {@code ','};
 * whitespace around a key is ignored; a value runs from just after {@code '='} to the next comma
 * outside quotes. Inside a value an apostrophe opens or closes a quoted part (within which every
 * character, backslash and comma included, is literal); outside quotes {@code \'} is a literal
 * apostrophe and any other backslash is literal. Whitespace in values is kept, so
 * {@code type='signal' ,x} has type {@code "signal "} and is refused.
 *
 * <p>Immutable and thread-safe. Parsed on the bus thread for AddMatch/RemoveMatch (cold path).
 */
public final class MatchRule {

    /** DBUS_MAXIMUM_MATCH_RULE_LENGTH in dbus-protocol.h: rules longer than this many bytes are refused. */
    public static final int MAX_LENGTH = 1024;
    /** DBUS_MAXIMUM_MATCH_RULE_ARG_NUMBER in dbus-protocol.h (spec: "arg0 ... arg63"). */
    public static final int MAX_ARG = 63;
    /** Spec "Valid Names": bus names, interface and member names are at most 255 bytes. */
    static final int MAX_NAME_LENGTH = 255;

    static final int TYPE_METHOD_CALL = 1;
    static final int TYPE_METHOD_RETURN = 2;
    static final int TYPE_ERROR = 3;
    static final int TYPE_SIGNAL = 4;
    private static final String[] TYPE_NAMES = {null, "method_call", "method_return", "error", "signal"};

    private final int type;
    private final String sender;
    private final String interfaceName;
    private final String member;
    private final String path;
    private final String pathNamespace;
    private final String destination;
    private final String arg0namespace;
    private final boolean eavesdrop;
    /** argN string values, index N; null entries are absent. Length maxArg+1 (or 0). */
    private final String[] args;
    /** true at index N when args[N] came from argNpath. */
    private final boolean[] argIsPath;
    private final int hash;

    private MatchRule(Builder b) {
        this.type = b.type;
        this.sender = b.sender;
        this.interfaceName = b.interfaceName;
        this.member = b.member;
        this.path = b.path;
        this.pathNamespace = b.pathNamespace;
        this.destination = b.destination;
        this.arg0namespace = b.arg0namespace;
        this.eavesdrop = b.eavesdrop;
        int n = b.maxArg + 1;
        this.args = Arrays.copyOf(b.args, n);
        this.argIsPath = Arrays.copyOf(b.argIsPath, n);
        this.hash = computeHash();
    }

    /**
     * Parses a rule as AddMatch receives it.
     *
     * @throws MatchRuleException with a message naming what is wrong (sent to the client as
     *         MatchRuleInvalid)
     */
    public static MatchRule parse(String text) throws MatchRuleException {
        Objects.requireNonNull(text, "text");
        int bytes = utf8Length(text);
        if (bytes > MAX_LENGTH) {
            throw new MatchRuleException("Match rule text is " + bytes + " bytes, maximum is " + MAX_LENGTH);
        }
        Builder b = new Builder();
        int i = 0;
        int n = text.length();
        StringBuilder value = new StringBuilder();
        while (true) {
            while (i < n && isSpace(text.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            int eq = text.indexOf('=', i);
            if (eq < 0) {
                throw new MatchRuleException("Match rule has a key with no subsequent '=' character");
            }
            String key = text.substring(i, eq).strip();
            if (key.isEmpty()) {
                throw new MatchRuleException("Match rule has an empty key before '=' at offset " + eq);
            }
            // Value: up to the first comma outside quotes.
            value.setLength(0);
            boolean quoted = false;
            int j = eq + 1;
            for (; j < n; j++) {
                char c = text.charAt(j);
                if (quoted) {
                    if (c == '\'') {
                        quoted = false;
                    } else {
                        value.append(c);
                    }
                } else if (c == '\'') {
                    quoted = true;
                } else if (c == '\\' && j + 1 < n && text.charAt(j + 1) == '\'') {
                    value.append('\'');
                    j++;
                } else if (c == ',') {
                    break;
                } else {
                    value.append(c);
                }
            }
            if (quoted) {
                throw new MatchRuleException("Unbalanced quotation marks in match rule");
            }
            b.set(key, value.toString());
            i = j + 1; // skip the comma (or run past the end)
        }
        return new MatchRule(b);
    }

    /** Collects keys during parsing and enforces the per-key rules. Confined to one parse call. */
    private static final class Builder {
        int type;
        String sender;
        String interfaceName;
        String member;
        String path;
        String pathNamespace;
        String destination;
        String arg0namespace;
        boolean eavesdrop;
        int maxArg = -1;
        final String[] args = new String[MAX_ARG + 1];
        final boolean[] argIsPath = new boolean[MAX_ARG + 1];
        boolean typeSeen;

        void set(String key, String value) throws MatchRuleException {
            switch (key) {
                case "type" -> {
                    if (typeSeen) {
                        throw twice(key);
                    }
                    typeSeen = true;
                    type = typeCode(value);
                    if (type == 0) {
                        throw new MatchRuleException("Invalid message type (" + value + ") in match rule");
                    }
                }
                case "sender" -> {
                    if (sender != null) {
                        throw twice(key);
                    }
                    if (!Names.isValidBusName(value)) {
                        throw new MatchRuleException("Sender name '" + value + "' is invalid");
                    }
                    sender = value;
                }
                case "interface" -> {
                    if (interfaceName != null) {
                        throw twice(key);
                    }
                    if (!Names.isValidInterfaceName(value)) {
                        throw new MatchRuleException("Interface name '" + value + "' is invalid");
                    }
                    interfaceName = value;
                }
                case "member" -> {
                    if (member != null) {
                        throw twice(key);
                    }
                    if (!Names.isValidMemberName(value)) {
                        throw new MatchRuleException("Member name '" + value + "' is invalid");
                    }
                    member = value;
                }
                case "path", "path_namespace" -> {
                    if (path != null || pathNamespace != null) {
                        throw new MatchRuleException("path or path_namespace specified twice in match rule");
                    }
                    if (!Names.isValidObjectPath(value)) {
                        throw new MatchRuleException("Path '" + value + "' is invalid");
                    }
                    if (key.equals("path")) {
                        path = value;
                    } else {
                        pathNamespace = value;
                    }
                }
                case "destination" -> {
                    if (destination != null) {
                        throw twice(key);
                    }
                    if (!Names.isValidBusName(value)) {
                        throw new MatchRuleException("Destination name '" + value + "' is invalid");
                    }
                    destination = value;
                }
                case "eavesdrop" -> {
                    // dbus-daemon accepts a repeated eavesdrop key; the last one wins.
                    if (value.equals("true")) {
                        eavesdrop = true;
                    } else if (value.equals("false")) {
                        eavesdrop = false;
                    } else {
                        throw new MatchRuleException(
                                "eavesdrop='" + value + "' is invalid, it should be 'true' or 'false'");
                    }
                }
                default -> {
                    if (key.startsWith("arg")) {
                        setArg(key, value);
                    } else {
                        throw new MatchRuleException("Unknown key \"" + key + "\" in match rule");
                    }
                }
            }
        }

        private void setArg(String key, String value) throws MatchRuleException {
            int k = 3;
            long num = 0;
            while (k < key.length() && key.charAt(k) >= '0' && key.charAt(k) <= '9') {
                if (num <= MAX_ARG) {
                    num = num * 10 + (key.charAt(k) - '0');
                }
                k++;
            }
            if (k == 3) {
                throw new MatchRuleException(key.length() == 3
                        ? "Key 'arg' in match rule lacks an arg number; should be 'arg0' or 'arg7' for example"
                        : "Key '" + key + "' in match rule starts with 'arg' but could not parse an arg number;"
                                + " should be 'arg0' or 'arg7' for example");
            }
            String digits = key.substring(3, k);
            if (num > MAX_ARG) {
                throw new MatchRuleException("Key '" + key + "' in match rule has arg number " + digits
                        + " but the maximum is " + MAX_ARG);
            }
            String suffix = key.substring(k);
            int n = (int) num;
            boolean isPath = false;
            boolean isNamespace = false;
            switch (suffix) {
                case "" -> { }
                case "path" -> isPath = true;
                case "namespace" -> {
                    if (n != 0) {
                        throw new MatchRuleException("Key '" + key + "' in match rule: only arg0 can be"
                                + " a namespace match ('arg0namespace'), not arg" + digits);
                    }
                    isNamespace = true;
                }
                default -> throw new MatchRuleException("Key '" + key + "' in match rule has junk after the"
                        + " argument number (" + digits + "); only 'arg" + digits + "path' or 'arg0namespace'"
                        + " are valid");
            }
            if (args[n] != null || (n == 0 && arg0namespace != null)) {
                throw new MatchRuleException("Argument arg" + n + " matched more than once in match rule"
                        + " (key '" + key + "')");
            }
            if (isNamespace) {
                if (!isValidNamespace(value)) {
                    throw new MatchRuleException(
                            "arg0namespace='" + value + "' is not a valid prefix of a bus name");
                }
                arg0namespace = value;
                return;
            }
            args[n] = value;
            argIsPath[n] = isPath;
            maxArg = Math.max(maxArg, n);
        }

        private static MatchRuleException twice(String key) {
            return new MatchRuleException("Key " + key + " specified twice in match rule");
        }
    }

    /** 0 = any, else the message type code (spec: "Message Format", header byte 1). */
    public int type() {
        return type;
    }

    public String sender() {
        return sender;
    }

    public String interfaceName() {
        return interfaceName;
    }

    public String member() {
        return member;
    }

    public String path() {
        return path;
    }

    public String pathNamespace() {
        return pathNamespace;
    }

    public String destination() {
        return destination;
    }

    public String arg0namespace() {
        return arg0namespace;
    }

    public boolean eavesdrop() {
        return eavesdrop;
    }

    /** Highest N used by argN/argNpath, -1 if none (arg0namespace does not count). */
    public int maxArg() {
        return args.length - 1;
    }

    /** The argN value, or null if absent (or if N was given as argNpath). */
    public String arg(int n) {
        return n >= 0 && n < args.length && !argIsPath[n] ? args[n] : null;
    }

    /** The argNpath value, or null if absent (or if N was given as plain argN). */
    public String argPath(int n) {
        return n >= 0 && n < args.length && argIsPath[n] ? args[n] : null;
    }

    /**
     * The spec's argNpath rule: the two are equal, or one of them ends in {@code '/'} and is a prefix of
     * the other. E.g. rule {@code /aa/} matches {@code /aa/bb} and {@code /}, not {@code /aa}.
     */
    public static boolean argPathMatches(String ruleValue, String value) {
        if (ruleValue.equals(value)) {
            return true;
        }
        if (ruleValue.endsWith("/") && value.startsWith(ruleValue)) {
            return true;
        }
        return value.endsWith("/") && ruleValue.startsWith(value);
    }

    /** arg0namespace: the value equals {@code ns} or starts with {@code ns + "."}. */
    public static boolean namespaceMatches(String ns, String value) {
        return value.startsWith(ns) && (value.length() == ns.length() || value.charAt(ns.length()) == '.');
    }

    /** path_namespace: the path equals {@code ns} or starts with {@code ns + "/"}; {@code "/"} matches all. */
    public static boolean pathNamespaceMatches(String ns, String path) {
        if (ns.equals("/")) {
            return true;
        }
        return path.startsWith(ns) && (path.length() == ns.length() || path.charAt(ns.length()) == '/');
    }

    /**
     * Canonical text, in dbus-daemon's GetAllMatchRules order: type, interface, member, path,
     * path_namespace, sender, destination, eavesdrop, then arguments by number. Values are quoted;
     * an apostrophe inside a value is written {@code '\''} so that the text parses back to an equal rule
     * (dbus-daemon itself prints it unescaped).
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (type != 0) {
            append(sb, "type", TYPE_NAMES[type]);
        }
        append(sb, "interface", interfaceName);
        append(sb, "member", member);
        append(sb, "path", path);
        append(sb, "path_namespace", pathNamespace);
        append(sb, "sender", sender);
        append(sb, "destination", destination);
        if (eavesdrop) {
            append(sb, "eavesdrop", "true");
        }
        append(sb, "arg0namespace", arg0namespace);
        for (int n = 0; n < args.length; n++) {
            if (args[n] != null) {
                append(sb, argIsPath[n] ? "arg" + n + "path" : "arg" + n, args[n]);
            }
        }
        return sb.toString();
    }

    private static void append(StringBuilder sb, String key, String value) {
        if (value == null) {
            return;
        }
        if (!sb.isEmpty()) {
            sb.append(',');
        }
        sb.append(key).append("='");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\'') {
                sb.append("'\\''"); // close quote, escaped apostrophe, reopen
            } else {
                sb.append(c);
            }
        }
        sb.append('\'');
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MatchRule r
                && hash == r.hash
                && type == r.type
                && eavesdrop == r.eavesdrop
                && Objects.equals(sender, r.sender)
                && Objects.equals(interfaceName, r.interfaceName)
                && Objects.equals(member, r.member)
                && Objects.equals(path, r.path)
                && Objects.equals(pathNamespace, r.pathNamespace)
                && Objects.equals(destination, r.destination)
                && Objects.equals(arg0namespace, r.arg0namespace)
                && Arrays.equals(args, r.args)
                && Arrays.equals(argIsPath, r.argIsPath);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    private int computeHash() {
        int h = Objects.hash(type, eavesdrop, sender, interfaceName, member, path, pathNamespace,
                destination, arg0namespace);
        return 31 * (31 * h + Arrays.hashCode(args)) + Arrays.hashCode(argIsPath);
    }

    // ---- helpers (names are checked by Names; the arg0namespace prefix form only here) ----

    private static int typeCode(String s) {
        for (int t = 1; t < TYPE_NAMES.length; t++) {
            if (TYPE_NAMES[t].equals(s)) {
                return t;
            }
        }
        return 0;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0b;
    }

    private static int utf8Length(String s) {
        int n = s.length();
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return s.getBytes(StandardCharsets.UTF_8).length;
            }
        }
        return n;
    }

    private static boolean isNameChar(char c, boolean allowDash) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
                || (allowDash && c == '-');
    }

    /**
     * Dot-separated elements of [A-Za-z0-9_] (plus '-' when {@code dash}); no element empty; when
     * {@code digitStart} is false no element starts with a digit. Returns the element count, or -1.
     */
    private static int elements(String s, int from, boolean dash, boolean digitStart) {
        int count = 0;
        int start = from;
        for (int i = from; i <= s.length(); i++) {
            if (i == s.length() || s.charAt(i) == '.') {
                if (i == start) {
                    return -1;
                }
                count++;
                start = i + 1;
                continue;
            }
            char c = s.charAt(i);
            if (!isNameChar(c, dash)) {
                return -1;
            }
            if (i == start && !digitStart && c >= '0' && c <= '9') {
                return -1;
            }
        }
        return count;
    }

    /** arg0namespace: a bus name or a prefix of one made of whole elements (one element is enough). */
    static boolean isValidNamespace(String s) {
        if (s.isEmpty() || s.length() > MAX_NAME_LENGTH) {
            return false;
        }
        if (s.charAt(0) == ':') {
            return elements(s, 1, true, true) >= 1;
        }
        return elements(s, 0, true, false) >= 1;
    }
}
