package dev.omnibus.daemon.config;

import dev.omnibus.broker.Limit;
import dev.omnibus.broker.BusLimits;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.Locator;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Reads a dbus-daemon busconfig XML file, with its includes, into a {@link BusConfig}.
 *
 * <p>Accepts and rejects what dbus-daemon 1.14.10 accepts and rejects (each rule below was checked
 * against it): unknown elements and attributes, text where none belongs, empty text elements, bad
 * attribute combinations on {@code <allow>/<deny>}, unknown or unparsable limits and a top-level file
 * without {@code <listen>} are errors; a broken file inside an {@code <includedir>} is skipped with a
 * warning. Errors name file and line ({@link ConfigException}). The DOCTYPE's DTD URL is never
 * fetched: external entities resolve to nothing.
 *
 * <p>Each file is parsed into its own accumulator which starts from the including file's limits and
 * is merged back on success, as dbus-daemon merges included parsers. Instances are immutable and may
 * be shared; each {@link #load} call is confined to its calling thread (main or reload thread).
 */
public final class ConfigLoader {
    /**
     * Limit names dbus-daemon 1.14 accepts but which only apply to its experimental Containers1
     * interface; Omnibus accepts and ignores them so that such configs still load.
     */
    static final java.util.Set<String> IGNORED_LIMITS = java.util.Set.of(
            "max_containers", "max_containers_per_user", "max_container_metadata_bytes",
            "max_connections_per_container");


    private static final Set<String> TEXT_ELEMENTS = Set.of(
            "user", "type", "listen", "auth", "pidfile", "servicedir", "servicehelper", "include", "includedir");
    private static final Set<String> FLAG_ELEMENTS = Set.of(
            "fork", "keep_umask", "syslog", "allow_anonymous", "standard_session_servicedirs",
            "standard_system_servicedirs");
    private static final Set<String> BUSCONFIG_CHILDREN = Set.of(
            "user", "type", "listen", "auth", "pidfile", "servicedir", "servicehelper", "include", "includedir",
            "fork", "keep_umask", "syslog", "allow_anonymous", "standard_session_servicedirs",
            "standard_system_servicedirs", "limit", "policy", "selinux", "apparmor");
    /** Every attribute dbus-daemon 1.14 allows on {@code <allow>} and {@code <deny>} (dbus-daemon(1)). */
    private static final Set<String> RULE_ATTRIBUTES = Set.of(
            "send_interface", "send_member", "send_error", "send_destination", "send_destination_prefix",
            "send_path", "send_type", "send_broadcast", "send_requested_reply",
            "receive_interface", "receive_member", "receive_error", "receive_sender", "receive_path",
            "receive_type", "receive_requested_reply",
            "eavesdrop", "own", "own_prefix", "user", "group", "min_fds", "max_fds", "log");
    private static final Set<String> BOOLEAN_RULE_ATTRIBUTES = Set.of(
            "eavesdrop", "send_requested_reply", "receive_requested_reply", "send_broadcast", "log");

    private final Map<String, String> env;
    private final boolean selinuxEnabled;
    private final Path selinuxRoot;

    /**
     * @param env            environment for the standard session service directories (XDG_*, HOME)
     * @param selinuxEnabled whether {@code if_selinux_enabled="yes"} includes are read
     * @param selinuxRoot    base for {@code selinux_root_relative="yes"} includes (e.g.
     *                       /etc/selinux/targeted/), or null when SELinux is not configured
     */
    public ConfigLoader(Map<String, String> env, boolean selinuxEnabled, Path selinuxRoot) {
        this.env = Map.copyOf(env);
        this.selinuxEnabled = selinuxEnabled;
        this.selinuxRoot = selinuxRoot;
    }

    /** A loader for this process: its environment, SELinux as the kernel reports it. */
    public static ConfigLoader forThisProcess() {
        boolean selinux = Files.exists(Path.of("/sys/fs/selinux/enforce"));
        return new ConfigLoader(System.getenv(), selinux, selinux ? selinuxPolicyRoot() : null);
    }

    /** Loads {@code file} with {@link #forThisProcess()}. */
    public static BusConfig load(Path file) throws ConfigException {
        return forThisProcess().loadFile(file);
    }

    /** Loads a top-level configuration file and everything it includes. */
    public BusConfig loadFile(Path file) throws ConfigException {
        Path top = file.toAbsolutePath().normalize();
        Acc acc = new Acc(BusLimits.system());
        parseFile(top, acc, new ArrayDeque<>());
        if (acc.listen.isEmpty()) {
            throw new ConfigException(top, 0, "Configuration file needs one or more <listen> elements giving addresses");
        }
        return acc.toConfig(top);
    }

    /** /etc/selinux/$SELINUXTYPE/ from /etc/selinux/config, as libselinux's policy root. */
    private static Path selinuxPolicyRoot() {
        try (Stream<String> lines = Files.lines(Path.of("/etc/selinux/config"))) {
            return lines.map(String::strip).filter(l -> l.startsWith("SELINUXTYPE="))
                    .map(l -> Path.of("/etc/selinux", l.substring("SELINUXTYPE=".length()).strip()))
                    .findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private void parseFile(Path file, Acc acc, Deque<Path> chain) throws ConfigException {
        if (chain.contains(file)) {
            Path includer = chain.peek();
            throw new ConfigException(includer, acc.pendingIncludeLine,
                    "Circular inclusion of file '" + file + "'");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file, 0, "Failed to open \"" + file + "\": No such file or directory");
        } catch (IOException e) {
            throw new ConfigException(file, 0, "Failed to open \"" + file + "\": " + e.getMessage(), e);
        }
        acc.files.add(file);
        chain.push(file);
        try {
            SAXParser parser = newParser();
            InputSource in = new InputSource(new ByteArrayInputStream(bytes));
            in.setSystemId(file.toUri().toString());
            Handler h = new Handler(file, acc, chain);
            parser.parse(in, h);
        } catch (SAXParseException e) {
            if (e.getException() instanceof ConfigException ce) {
                throw ce;
            }
            throw new ConfigException(file, e.getLineNumber(), e.getMessage());
        } catch (SAXException e) {
            if (e.getException() instanceof ConfigException ce) {
                throw ce;
            }
            throw new ConfigException(file, 0, e.getMessage(), e);
        } catch (IOException | ParserConfigurationException e) {
            throw new ConfigException(file, 0, e.getMessage(), e);
        } finally {
            chain.pop();
        }
    }

    private static SAXParser newParser() throws ParserConfigurationException, SAXException {
        // The JDK's own parser, without newInstance()'s lookup (system property, jaxp.properties,
        // ServiceLoader scan of the class path): a config file must not parse differently because
        // of a jar on the class path, and the lookup is start-up time spent for nothing.
        SAXParserFactory f = SAXParserFactory.newDefaultInstance();
        f.setNamespaceAware(false);
        f.setValidating(false);
        // The DOCTYPE names http://www.freedesktop.org/...busconfig.dtd: never fetch it.
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        f.setFeature("http://xml.org/sax/features/external-general-entities", false);
        f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        return f.newSAXParser();
    }

    /** One open element while parsing. */
    private static final class Frame {
        final String name;
        final int line;
        final Map<String, String> attributes;
        final StringBuilder text = new StringBuilder();

        Frame(String name, int line, Map<String, String> attributes) {
            this.name = name;
            this.line = line;
            this.attributes = attributes;
        }
    }

    /** SAX callbacks for one file; confined to the loading thread. */
    private final class Handler extends DefaultHandler {
        private final Path file;
        private final Acc acc;
        private final Deque<Path> chain;
        private final Deque<Frame> stack = new ArrayDeque<>();
        private Locator locator;
        private PolicyScope currentScope;

        Handler(Path file, Acc acc, Deque<Path> chain) {
            this.file = file;
            this.acc = acc;
            this.chain = chain;
        }

        @Override
        public void setDocumentLocator(Locator locator) {
            this.locator = locator;
        }

        @Override
        public InputSource resolveEntity(String publicId, String systemId) {
            return new InputSource(new ByteArrayInputStream(new byte[0]));
        }

        private int line() {
            return locator == null ? 0 : locator.getLineNumber();
        }

        private SAXException fail(int line, String detail) {
            return new SAXException(new ConfigException(file, line, detail));
        }

        private SAXException fail(String detail) {
            return fail(line(), detail);
        }

        @Override
        public void startElement(String uri, String localName, String qName, Attributes atts) throws SAXException {
            Map<String, String> attrs = new LinkedHashMap<>();
            for (int i = 0; i < atts.getLength(); i++) {
                attrs.put(atts.getQName(i), atts.getValue(i));
            }
            Frame parent = stack.peek();
            int line = line();
            if (parent == null) {
                if (!qName.equals("busconfig")) {
                    throw fail("Unknown element <" + qName + "> at root of configuration file");
                }
            } else {
                switch (parent.name) {
                    case "busconfig" -> {
                        if (!BUSCONFIG_CHILDREN.contains(qName)) {
                            throw fail("Element <" + qName + "> not allowed inside <busconfig> in configuration file");
                        }
                    }
                    case "policy" -> {
                        if (!qName.equals("allow") && !qName.equals("deny")) {
                            throw fail("Element <" + qName + "> not allowed inside <policy> in configuration file");
                        }
                    }
                    case "selinux" -> {
                        if (!qName.equals("associate")) {
                            throw fail("Element <" + qName + "> not allowed inside <selinux> in configuration file");
                        }
                    }
                    default -> throw fail("Element <" + qName + "> is not allowed in this context");
                }
            }
            checkAttributes(qName, attrs);
            switch (qName) {
                case "policy" -> currentScope = policyScope(attrs);
                case "allow", "deny" -> acc.rules.add(rule(qName, attrs, line));
                case "associate" -> {
                    String own = attrs.get("own");
                    String context = attrs.get("context");
                    if (own == null || context == null) {
                        throw fail("Element <associate> must have attributes own=\"<servicename>\" and context=\"<selinux context>\"");
                    }
                    acc.associations.add(new SelinuxAssociation(own, context, new SourceLocation(file, line)));
                }
                case "apparmor" -> {
                    String mode = attrs.get("mode");
                    if (mode != null) {
                        acc.apparmorMode = switch (mode) {
                            case "enabled" -> BusConfig.ApparmorMode.ENABLED;
                            case "disabled" -> BusConfig.ApparmorMode.DISABLED;
                            case "required" -> BusConfig.ApparmorMode.REQUIRED;
                            default -> throw fail("Mode attribute on <apparmor> must have value \"required\", "
                                    + "\"enabled\" or \"disabled\", not \"" + mode + "\"");
                        };
                    }
                }
                case "limit" -> {
                    if (!attrs.containsKey("name")) {
                        throw fail("<limit> element must have a \"name\" attribute");
                    }
                }
                case "include" -> {
                    checkYesNo(attrs, "ignore_missing");
                    checkYesNo(attrs, "if_selinux_enabled");
                    checkYesNo(attrs, "selinux_root_relative");
                }
                default -> { }
            }
            stack.push(new Frame(qName, line, attrs));
        }

        private void checkYesNo(Map<String, String> attrs, String name) throws SAXException {
            String v = attrs.get(name);
            if (v != null && !v.equals("yes") && !v.equals("no")) {
                throw fail(name + " attribute must have value \"yes\" or \"no\"");
            }
        }

        private void checkAttributes(String element, Map<String, String> attrs) throws SAXException {
            Set<String> allowed = switch (element) {
                case "include" -> Set.of("ignore_missing", "if_selinux_enabled", "selinux_root_relative");
                case "limit" -> Set.of("name");
                case "policy" -> Set.of("context", "user", "group", "at_console");
                case "allow", "deny" -> RULE_ATTRIBUTES;
                case "associate" -> Set.of("own", "context");
                case "apparmor" -> Set.of("mode");
                default -> Set.of();
            };
            for (String a : attrs.keySet()) {
                if (!allowed.contains(a)) {
                    throw fail("Attribute \"" + a + "\" is invalid on <" + element + "> element in this context");
                }
            }
        }

        private PolicyScope policyScope(Map<String, String> attrs) throws SAXException {
            if (attrs.size() != 1) {
                throw fail("<policy> element must have exactly one of (context|user|group|at_console) attributes");
            }
            Map.Entry<String, String> e = attrs.entrySet().iterator().next();
            String v = e.getValue();
            return switch (e.getKey()) {
                case "context" -> switch (v) {
                    case "default" -> PolicyScope.DEFAULT;
                    case "mandatory" -> PolicyScope.MANDATORY;
                    default -> throw fail("context attribute on <policy> must have the value \"default\" or "
                            + "\"mandatory\", not \"" + v + "\"");
                };
                case "user" -> new PolicyScope(PolicyScope.Kind.USER, v);
                case "group" -> new PolicyScope(PolicyScope.Kind.GROUP, v);
                default -> {
                    if (!v.equals("true") && !v.equals("false")) {
                        throw fail("Unknown value \"" + v + "\" for at_console in message bus configuration file");
                    }
                    yield new PolicyScope(PolicyScope.Kind.AT_CONSOLE, v);
                }
            };
        }

        private PolicyRule rule(String element, Map<String, String> attrs, int line) throws SAXException {
            String el = "<" + element + ">";
            boolean any = false;
            for (String a : attrs.keySet()) {
                // log, min_fds and max_fds only modify a rule; alone they are not one (checked).
                if (!a.equals("log") && !a.equals("min_fds") && !a.equals("max_fds")) {
                    any = true;
                }
            }
            if (!any) {
                throw fail("Element " + el + " must have one or more attributes");
            }
            for (String b : BOOLEAN_RULE_ATTRIBUTES) {
                String v = attrs.get(b);
                if (v != null && !v.equals("true") && !v.equals("false")) {
                    throw fail("Bad value \"" + v + "\" for " + b + " attribute, must be true or false");
                }
            }
            for (String t : new String[] {"send_type", "receive_type"}) {
                String v = attrs.get(t);
                if (v != null && !v.equals("*") && PolicyRule.MessageType.byConfigName(v) == null) {
                    throw fail("Bad message type \"" + v + "\"");
                }
            }
            for (String f : new String[] {"min_fds", "max_fds"}) {
                String v = attrs.get(f);
                if (v != null) {
                    long n = parseLeadingLong(v);
                    if (n == Long.MIN_VALUE || n < 0 || n > PolicyRule.MAX_FDS_BOUND
                            || !v.strip().equals(Long.toString(n))) {
                        throw fail("Bad value \"" + v + "\" for " + f + " attribute, must be an integer in range 0 to "
                                + PolicyRule.MAX_FDS_BOUND + " inclusive");
                    }
                }
            }
            boolean send = false;
            boolean receive = false;
            for (String a : attrs.keySet()) {
                send |= a.startsWith("send_");
                receive |= a.startsWith("receive_");
            }
            boolean messageRelated = send || receive || attrs.containsKey("eavesdrop")
                    || attrs.containsKey("min_fds") || attrs.containsKey("max_fds");
            String combo = "Invalid combination of attributes on element " + el + ": ";
            if (send && receive) {
                throw fail(combo + "send and receive attributes cannot be combined");
            }
            int kinds = (messageRelated ? 1 : 0);
            for (String k : new String[] {"own", "own_prefix", "user", "group"}) {
                kinds += attrs.containsKey(k) ? 1 : 0;
            }
            if (kinds > 1) {
                throw fail(combo + "own, own_prefix, user, group and the message-related attributes cannot be combined");
            }
            if (attrs.containsKey("send_destination") && attrs.containsKey("send_destination_prefix")) {
                throw fail(combo + "send_destination cannot be combined with send_destination_prefix");
            }
            String dest = attrs.get("send_destination");
            if ("true".equals(attrs.get("send_broadcast")) && dest != null && !dest.equals("*")) {
                throw fail("Rule with send_broadcast=\"true\" and send_destination=\"" + dest
                        + "\" cannot match anything");
            }
            PolicyRule.Kind kind;
            if (attrs.containsKey("own") || attrs.containsKey("own_prefix")) {
                kind = PolicyRule.Kind.OWN;
            } else if (attrs.containsKey("user")) {
                kind = PolicyRule.Kind.USER;
            } else if (attrs.containsKey("group")) {
                kind = PolicyRule.Kind.GROUP;
            } else if (send) {
                kind = PolicyRule.Kind.SEND;
            } else {
                kind = PolicyRule.Kind.RECEIVE;
            }
            if ((kind == PolicyRule.Kind.USER || kind == PolicyRule.Kind.GROUP)
                    && (currentScope.kind() == PolicyScope.Kind.USER || currentScope.kind() == PolicyScope.Kind.GROUP)) {
                throw fail(el + " rule cannot be per-user because it has bus-global semantics");
            }
            return new PolicyRule(element.equals("allow"), currentScope, kind, attrs, new SourceLocation(file, line));
        }

        @Override
        public void characters(char[] ch, int start, int length) {
            Frame f = stack.peek();
            if (f != null) {
                f.text.append(ch, start, length);
            }
        }

        @Override
        public void endElement(String uri, String localName, String qName) throws SAXException {
            Frame f = stack.pop();
            String text = f.text.toString().strip();
            boolean textual = TEXT_ELEMENTS.contains(f.name) || f.name.equals("limit");
            if (!textual && !text.isEmpty()) {
                throw fail(f.line, "No text content expected inside XML element " + f.name + " in configuration file");
            }
            if (TEXT_ELEMENTS.contains(f.name) && text.isEmpty()) {
                throw fail(f.line, "XML element <" + f.name + "> was expected to have content inside it");
            }
            switch (f.name) {
                case "type" -> acc.type = text;
                case "user" -> acc.user = text;
                case "listen" -> acc.listen.add(text);
                case "auth" -> acc.auth.add(text);
                case "pidfile" -> acc.pidFile = Path.of(text);
                case "servicehelper" -> acc.serviceHelper = Path.of(text);
                case "servicedir" -> StandardServiceDirs.addUnique(acc.serviceDirs,
                        ServiceDirEntry.plain(resolve(text)));
                case "standard_session_servicedirs" -> {
                    for (ServiceDirEntry e : StandardServiceDirs.session(env)) {
                        StandardServiceDirs.addUnique(acc.serviceDirs, e);
                    }
                }
                case "standard_system_servicedirs" -> {
                    for (ServiceDirEntry e : StandardServiceDirs.system()) {
                        StandardServiceDirs.addUnique(acc.serviceDirs, e);
                    }
                }
                case "fork" -> acc.fork = true;
                case "keep_umask" -> acc.keepUmask = true;
                case "syslog" -> acc.syslog = true;
                case "allow_anonymous" -> acc.allowAnonymous = true;
                case "policy" -> currentScope = null;
                case "limit" -> limit(f, text);
                case "include" -> include(f, text);
                case "includedir" -> includeDir(f, text);
                default -> { }
            }
        }

        private Path resolve(String text) {
            Path p = Path.of(text);
            return p.isAbsolute() ? p.normalize() : file.getParent().resolve(p).normalize();
        }

        private void limit(Frame f, String text) throws SAXException {
            String name = f.attributes.get("name");
            Limit limit = Limit.byConfigName(name);
            boolean ignored = IGNORED_LIMITS.contains(name);
            if (limit == null && !ignored) {
                throw fail(f.line, "There is no limit called \"" + name + "\"");
            }
            long v = parseLeadingLong(text);
            if (v == Long.MIN_VALUE) {
                throw fail(f.line, "<limit name=\"" + name + "\"> element has invalid value (could not parse as integer)");
            }
            if (v < 0) {
                throw fail(f.line, "<limit name=\"" + name + "\"> must be a positive number");
            }
            if (limit != null) {
                acc.limits = acc.limits.with(limit, v);
            }
        }

        private void include(Frame f, String text) throws SAXException {
            Map<String, String> a = f.attributes;
            if ("yes".equals(a.get("if_selinux_enabled")) && !selinuxEnabled) {
                return;
            }
            Path target;
            if ("yes".equals(a.get("selinux_root_relative"))) {
                if (selinuxRoot == null) {
                    acc.warnings.add(new SourceLocation(file, f.line) + ": no SELinux policy root, <include> of "
                            + text + " skipped");
                    return;
                }
                target = selinuxRoot.resolve(text).normalize();
            } else {
                target = resolve(text);
            }
            if (!Files.exists(target) && "yes".equals(a.get("ignore_missing"))) {
                return;
            }
            if (!Files.exists(target)) {
                throw fail(f.line, "Failed to open \"" + target + "\": No such file or directory");
            }
            Acc child = new Acc(acc.limits);
            acc.pendingIncludeLine = f.line;
            child.pendingIncludeLine = f.line;
            try {
                parseFile(target, child, chain);
            } catch (ConfigException e) {
                throw new SAXException(e);
            }
            acc.merge(child);
        }

        private void includeDir(Frame f, String text) {
            Path dir = resolve(text);
            if (!Files.isDirectory(dir)) {
                return; // dbus-daemon ignores a missing includedir (checked)
            }
            List<Path> confs;
            try (Stream<Path> s = Files.list(dir)) {
                confs = s.filter(p -> p.getFileName().toString().endsWith(".conf")).sorted().toList();
            } catch (IOException e) {
                acc.warnings.add("Failed to read directory " + dir + ": " + e.getMessage());
                return;
            }
            for (Path conf : confs) {
                Acc child = new Acc(acc.limits);
                child.pendingIncludeLine = f.line;
                try {
                    parseFile(conf.normalize(), child, chain);
                    acc.merge(child);
                } catch (ConfigException e) {
                    // dbus-daemon logs "Encountered error '...' while parsing '...'" and goes on.
                    acc.warnings.add(e.getMessage());
                }
            }
        }
    }

    /**
     * C {@code strtol}-style parse of the leading integer of {@code s}, which is how dbus-daemon reads
     * limit values (" 5 " and "5x" are 5; "abc" is an error). {@link Long#MIN_VALUE} when no digits.
     */
    static long parseLeadingLong(String s) {
        int i = 0;
        int n = s.length();
        while (i < n && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        boolean neg = false;
        if (i < n && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
            neg = s.charAt(i) == '-';
            i++;
        }
        int start = i;
        long v = 0;
        while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            v = v * 10 + (s.charAt(i) - '0');
            if (v > Long.MAX_VALUE / 10) {
                break; // saturate like strtol does at LONG_MAX
            }
            i++;
        }
        if (i == start) {
            return Long.MIN_VALUE;
        }
        return neg ? -v : v;
    }

    /** Mutable result of one file (plus what it merged); confined to the loading thread. */
    private static final class Acc {
        String type;
        String user;
        boolean fork;
        boolean keepUmask;
        boolean syslog;
        boolean allowAnonymous;
        Path pidFile;
        Path serviceHelper;
        BusConfig.ApparmorMode apparmorMode;
        BusLimits limits;
        int pendingIncludeLine;
        final List<String> listen = new ArrayList<>();
        final List<String> auth = new ArrayList<>();
        final List<ServiceDirEntry> serviceDirs = new ArrayList<>();
        final List<PolicyRule> rules = new ArrayList<>();
        final List<SelinuxAssociation> associations = new ArrayList<>();
        final List<Path> files = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();

        Acc(BusLimits limits) {
            this.limits = limits;
        }

        /** dbus-daemon's merge of an included parser: scalars replace, flags OR, lists append. */
        void merge(Acc c) {
            if (c.type != null) type = c.type;
            if (c.user != null) user = c.user;
            if (c.pidFile != null) pidFile = c.pidFile;
            if (c.serviceHelper != null) serviceHelper = c.serviceHelper;
            if (c.apparmorMode != null) apparmorMode = c.apparmorMode;
            fork |= c.fork;
            keepUmask |= c.keepUmask;
            syslog |= c.syslog;
            allowAnonymous |= c.allowAnonymous;
            limits = c.limits;
            listen.addAll(c.listen);
            auth.addAll(c.auth);
            for (ServiceDirEntry e : c.serviceDirs) {
                StandardServiceDirs.addUnique(serviceDirs, e);
            }
            rules.addAll(c.rules);
            associations.addAll(c.associations);
            files.addAll(c.files);
            warnings.addAll(c.warnings);
        }

        BusConfig toConfig(Path top) {
            return new BusConfig(top, type, user, fork, keepUmask, syslog, allowAnonymous, pidFile, listen, auth,
                    serviceDirs, serviceHelper, limits, rules, associations,
                    apparmorMode == null ? BusConfig.ApparmorMode.ENABLED : apparmorMode, files, warnings);
        }
    }
}
