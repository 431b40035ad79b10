package dev.omnibus.broker;

import static dev.omnibus.broker.Driver.INTROSPECTABLE;
import static dev.omnibus.broker.Driver.MONITORING;
import static dev.omnibus.broker.Driver.NAME;
import static dev.omnibus.broker.Driver.PEER;
import static dev.omnibus.broker.Driver.PROPERTIES;
import static dev.omnibus.broker.Driver.STATS;

import dev.omnibus.broker.Driver.Failure;
import dev.omnibus.broker.Driver.Reply;
import dev.omnibus.transport.PeerCredentials;
import dev.omnibus.wire.BodyReader;
import dev.omnibus.wire.BodyWriter;
import dev.omnibus.wire.MatchRule;
import dev.omnibus.wire.MessageView;
import dev.omnibus.wire.Names;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The driver's table: every method of org.freedesktop.DBus and its companion interfaces, with
 * the input signature the call must have and the handler. Names, texts and result codes follow
 * the D-Bus specification ("Message Bus Messages") and dbus-daemon 1.14's answers.
 *
 * <p>Bus thread only.
 */
final class DriverMethods {
    private DriverMethods() {}

    static void install(Driver d, Bus bus) {
        // org.freedesktop.DBus
        d.add(NAME, "Hello", "", "s", (p, m, a) -> {
            throw new Failure(DBusErrors.FAILED, "Already handled an Hello message");
        });
        d.add(NAME, "RequestName", "su", "u", (p, m, a) -> requestName(d, bus, p, m, a));
        d.add(NAME, "ReleaseName", "s", "u", (p, m, a) -> {
            String name = a.readString();
            requireWellKnown(name, "release");
            int r = bus.names.release(p.id, name);
            Reply reply = d.reply(p, m, "u");
            if (reply != null) {
                reply.w.writeUint32(r);
                reply.send();
            }
        });
        d.add(NAME, "ListQueuedOwners", "s", "as", (p, m, a) -> {
            String name = a.readString();
            Driver.requireValidBusName(name);
            List<String> owners = new ArrayList<>();
            if (name.equals(NAME)) {
                owners.add(NAME);
            } else if (name.startsWith(":")) {
                if (bus.peerByUniqueName(name) != null) owners.add(name);
            } else {
                for (int id : bus.names.queue(name)) {
                    Peer q = bus.peer(id);
                    if (q != null) owners.add(q.uniqueName);
                }
            }
            if (owners.isEmpty()) {
                throw new Failure(DBusErrors.NAME_HAS_NO_OWNER,
                        "Could not get owners of name '" + name + "': no such name");
            }
            replyStrings(d, p, m, owners);
        });
        d.add(NAME, "ListNames", "", "as", (p, m, a) -> {
            List<String> all = new ArrayList<>();
            all.add(NAME);
            for (Peer q : bus.peersById.values()) {
                if (q.registered()) all.add(q.uniqueName);
            }
            all.addAll(bus.names.names());
            replyStrings(d, p, m, all);
        });
        d.add(NAME, "ListActivatableNames", "", "as", (p, m, a) -> {
            List<String> all = new ArrayList<>();
            all.add(NAME);
            all.addAll(bus.settings().activation().activatableNames());
            replyStrings(d, p, m, all);
        });
        d.add(NAME, "NameHasOwner", "s", "b", (p, m, a) -> {
            String name = a.readString();
            Driver.requireValidBusName(name);
            boolean has = name.equals(NAME) || bus.router.resolve(name) != null;
            Reply r = d.reply(p, m, "b");
            if (r != null) {
                r.w.writeBoolean(has);
                r.send();
            }
        });
        d.add(NAME, "StartServiceByName", "su", "u", (p, m, a) -> {
            String name = a.readString();
            a.readUint32(); // flags: unused by the spec
            Driver.requireValidBusName(name);
            if (name.equals(NAME) || bus.router.resolve(name) != null) {
                replyUint(d, p, m, 2); // DBUS_START_REPLY_ALREADY_RUNNING
                return;
            }
            if (name.startsWith(":") || !bus.settings().activation().isActivatable(name)) {
                throw new Failure(DBusErrors.SERVICE_UNKNOWN,
                        "The name " + name + " was not provided by any .service files");
            }
            bus.activation.startByName(p, m, name);
        });
        d.add(NAME, "UpdateActivationEnvironment", "a{ss}", "", (p, m, a) -> {
            if ("system".equals(bus.settings().type())) {
                throw new Failure(DBusErrors.ACCESS_DENIED, "Cannot change activation environment on a system bus.");
            }
            Map<String, String> env = new LinkedHashMap<>();
            a.enterArray();
            while (a.arrayHasMore()) {
                a.enterDictEntry();
                String k = a.readString();
                String v = a.readString();
                a.exitDictEntry();
                env.put(k, v);
            }
            bus.activation.updateEnvironment(env);
            if (bus.settings().systemdActivation()) d.forwardEnvironment(env);
            d.replyEmpty(p, m);
        });
        d.add(NAME, "GetNameOwner", "s", "s", (p, m, a) -> {
            String name = a.readString();
            Driver.requireValidBusName(name);
            String owner = name.equals(NAME) ? NAME : d.requirePeer(name, "owner").uniqueName;
            Reply r = d.reply(p, m, "s");
            if (r != null) {
                r.w.writeString(owner);
                r.send();
            }
        });
        d.add(NAME, "GetConnectionUnixUser", "s", "u", (p, m, a) -> {
            String name = a.readString();
            long uid = name.equals(NAME) ? dev.omnibus.transport.Posix.geteuid() : credentialsOf(d, name).uid();
            replyUint(d, p, m, uid);
        });
        d.add(NAME, "GetConnectionUnixProcessID", "s", "u", (p, m, a) -> {
            String name = a.readString();
            int pid = name.equals(NAME) ? dev.omnibus.transport.Posix.getpid() : credentialsOf(d, name).pid();
            if (pid <= 0) {
                throw new Failure(DBusErrors.UNIX_PROCESS_ID_UNKNOWN,
                        "Could not determine PID for '" + name + "'");
            }
            replyUint(d, p, m, pid);
        });
        d.add(NAME, "GetConnectionCredentials", "s", "a{sv}", (p, m, a) -> {
            String name = a.readString();
            Reply r;
            if (name.equals(NAME)) {
                r = d.reply(p, m, "a{sv}");
                if (r == null) return;
                r.w.beginArray("{sv}");
                entryUint(r.w, "UnixUserID", dev.omnibus.transport.Posix.geteuid());
                entryUint(r.w, "ProcessID", dev.omnibus.transport.Posix.getpid());
                r.w.endArray();
                r.send();
                return;
            }
            PeerCredentials c = credentialsOf(d, name);
            r = d.reply(p, m, "a{sv}");
            if (r == null) return;
            r.w.beginArray("{sv}");
            entryUint(r.w, "UnixUserID", c.uid());
            if (c.groups() != null) {
                r.w.beginDictEntry();
                r.w.writeString("UnixGroupIDs");
                r.w.beginVariant("au");
                r.w.beginArray("u");
                // Like dbus-daemon: the primary group with the supplementary ones, ascending, no repeats.
                long[] all = new long[c.groups().length + 1];
                all[0] = c.gid() & 0xffffffffL;
                for (int i = 0; i < c.groups().length; i++) all[i + 1] = c.groups()[i] & 0xffffffffL;
                java.util.Arrays.sort(all);
                for (int i = 0; i < all.length; i++) {
                    if (i == 0 || all[i] != all[i - 1]) r.w.writeUint32(all[i]);
                }
                r.w.endArray();
                r.w.endVariant();
                r.w.endDictEntry();
            }
            if (c.pid() > 0) entryUint(r.w, "ProcessID", c.pid());
            // A pidfd (SO_PEERPIDFD) identifies the process without pid reuse races; it can only go
            // to a caller that negotiated fd passing.
            int pidfd = p.connection.fdsNegotiated ? p.connection.socket.peerPidfd() : -1;
            if (pidfd >= 0) {
                int index = r.attach(pidfd);
                if (index >= 0) {
                    r.w.beginDictEntry();
                    r.w.writeString("ProcessFD");
                    r.w.beginVariant("h");
                    r.w.writeUnixFd(index);
                    r.w.endVariant();
                    r.w.endDictEntry();
                }
            }
            if (c.securityLabel() != null) {
                r.w.beginDictEntry();
                r.w.writeString("LinuxSecurityLabel");
                r.w.beginVariant("ay");
                r.w.beginArray("y");
                for (byte b : c.securityLabel().getBytes(java.nio.charset.StandardCharsets.UTF_8)) r.w.writeByte(b);
                r.w.writeByte((byte) 0);
                r.w.endArray();
                r.w.endVariant();
                r.w.endDictEntry();
            }
            r.w.endArray();
            r.send();
        });
        d.add(NAME, "GetAdtAuditSessionData", "s", "ay", (p, m, a) -> {
            String name = a.readString();
            credentialsOf(d, name);
            throw new Failure(DBusErrors.ADT_AUDIT_DATA_UNKNOWN,
                    "Could not determine audit session data for '" + name + "'");
        });
        d.add(NAME, "GetConnectionSELinuxSecurityContext", "s", "ay", (p, m, a) -> {
            String name = a.readString();
            credentialsOf(d, name);
            throw new Failure(DBusErrors.SELINUX_SECURITY_CONTEXT_UNKNOWN,
                    "Could not determine security context for '" + name + "'");
        });
        d.add(NAME, "AddMatch", "s", "", (p, m, a) -> {
            MatchRule rule = Driver.parseRule(a.readString());
            if (bus.matches.count(p.id) >= bus.limits().count(Limit.MAX_MATCH_RULES_PER_CONNECTION)) {
                throw new Failure(DBusErrors.LIMITS_EXCEEDED,
                        "Connection \"" + p.uniqueName + "\" is not allowed to add more match rules "
                                + "(increase limits in configuration file if required; max_match_rules_per_connection="
                                + bus.limits().count(Limit.MAX_MATCH_RULES_PER_CONNECTION) + ")");
            }
            bus.matches.add(p.id, rule);
            d.replyEmpty(p, m);
        });
        d.add(NAME, "RemoveMatch", "s", "", (p, m, a) -> {
            MatchRule rule = Driver.parseRule(a.readString());
            if (!bus.matches.remove(p.id, rule)) {
                throw new Failure(DBusErrors.MATCH_RULE_NOT_FOUND,
                        "The given match rule wasn't found and can't be removed");
            }
            d.replyEmpty(p, m);
        });
        d.add(NAME, "GetId", "", "s", (p, m, a) -> {
            Reply r = d.reply(p, m, "s");
            if (r != null) {
                r.w.writeString(bus.settings().guidHex());
                r.send();
            }
        });
        d.add(NAME, "ReloadConfig", "", "", (p, m, a) -> {
            String failure = bus.requestReload();
            // dbus-daemon keeps the old configuration and answers Failed with the parser's text.
            if (failure != null) throw new Failure(DBusErrors.FAILED, failure);
            d.replyEmpty(p, m);
        });

        // org.freedesktop.DBus.Properties (dbus-daemon: only the driver interface has properties)
        d.add(PROPERTIES, "Get", "ss", "v", (p, m, a) -> {
            String iface = a.readString();
            String prop = a.readString();
            List<String> value = property(d, bus, iface, prop);
            Reply r = d.reply(p, m, "v");
            if (r == null) return;
            r.w.beginVariant("as");
            writeStrings(r.w, value);
            r.w.endVariant();
            r.send();
        });
        d.add(PROPERTIES, "GetAll", "s", "a{sv}", (p, m, a) -> {
            String iface = a.readString();
            requireInterface(d, iface);
            Reply r = d.reply(p, m, "a{sv}");
            if (r == null) return;
            r.w.beginArray("{sv}");
            if (iface.equals(NAME)) {
                for (String prop : new String[] {"Features", "Interfaces"}) {
                    r.w.beginDictEntry();
                    r.w.writeString(prop);
                    r.w.beginVariant("as");
                    writeStrings(r.w, property(d, bus, NAME, prop));
                    r.w.endVariant();
                    r.w.endDictEntry();
                }
            }
            r.w.endArray();
            r.send();
        });
        d.add(PROPERTIES, "Set", "ssv", "", (p, m, a) -> {
            String iface = a.readString();
            String prop = a.readString();
            property(d, bus, iface, prop);
            throw new Failure(DBusErrors.PROPERTY_READ_ONLY, "Property '" + iface + "." + prop + "' cannot be set");
        });

        // org.freedesktop.DBus.Introspectable
        d.add(INTROSPECTABLE, "Introspect", "", "s", (p, m, a) -> {
            Reply r = d.reply(p, m, "s");
            if (r != null) {
                r.w.writeString(Introspection.xml(d, m.path()));
                r.send();
            }
        });

        // org.freedesktop.DBus.Monitoring
        d.add(MONITORING, "BecomeMonitor", "asu", "", (p, m, a) -> {
            List<MatchRule> rules = new ArrayList<>();
            a.enterArray();
            while (a.arrayHasMore()) rules.add(Driver.parseRule(a.readString()));
            long flags = a.readUint32();
            if (flags != 0) throw new Failure(DBusErrors.INVALID_ARGS, "BecomeMonitor does not support any flags yet");
            d.replyEmpty(p, m);
            bus.becomeMonitor(p, rules);
        });

        // org.freedesktop.DBus.Debug.Stats
        d.add(STATS, "GetStats", "", "a{sv}", (p, m, a) -> {
            Reply r = d.reply(p, m, "a{sv}");
            if (r == null) return;
            r.w.beginArray("{sv}");
            entryUint(r.w, "Serial", 0);
            entryUint(r.w, "ActiveConnections", bus.connectionCount());
            entryUint(r.w, "IncompleteConnections", bus.incompleteCount());
            entryUint(r.w, "MatchRules", bus.matches.size());
            entryUint(r.w, "PeakMatchRules", bus.matches.size());
            entryUint(r.w, "BusNames", bus.names.names().size());
            // Omnibus's own: messages whose body crossed the bus in a kernel pipe, and the pipes open.
            entryUint(r.w, "SplicedMessages", bus.splicedBodies);
            entryUint(r.w, "SplicePipes", bus.pipes.open());
            r.w.endArray();
            r.send();
        });
        d.add(STATS, "GetConnectionStats", "s", "a{sv}", (p, m, a) -> {
            String name = a.readString();
            Peer q = d.requirePeer(name, "stats");
            Reply r = d.reply(p, m, "a{sv}");
            if (r == null) return;
            r.w.beginArray("{sv}");
            entryUint(r.w, "Serial", 0);
            entryUint(r.w, "IncomingMessages", q.messagesIn);
            entryUint(r.w, "OutgoingMessages", q.messagesOut);
            entryUint(r.w, "OutgoingBytes", q.connection.out.pendingBytes());
            entryUint(r.w, "OutgoingFDs", q.connection.out.pendingFds());
            entryUint(r.w, "MatchRules", bus.matches.count(q.id));
            entryUint(r.w, "BusNames", bus.names.ownedCount(q.id));
            r.w.endArray();
            r.send();
        });
        d.add(STATS, "GetAllMatchRules", "", "a{sas}", (p, m, a) -> {
            Reply r = d.reply(p, m, "a{sas}");
            if (r == null) return;
            r.w.beginArray("{sas}");
            for (Peer q : bus.peersById.values()) {
                if (!q.registered()) continue;
                List<MatchRule> rules = bus.matches.rules(q.id);
                if (rules.isEmpty()) continue;
                r.w.beginDictEntry();
                r.w.writeString(q.uniqueName);
                r.w.beginArray("s");
                for (MatchRule rule : rules) r.w.writeString(rule.toString());
                r.w.endArray();
                r.w.endDictEntry();
            }
            r.w.endArray();
            r.send();
        });
        // org.freedesktop.DBus.Peer
        d.add(PEER, "Ping", "", "", (p, m, a) -> d.replyEmpty(p, m));
        d.add(PEER, "GetMachineId", "", "s", (p, m, a) -> {
            Reply r = d.reply(p, m, "s");
            if (r != null) {
                r.w.writeString(d.machineId());
                r.send();
            }
        });
        d.order(NAME, List.of("Hello", "RequestName", "ReleaseName", "StartServiceByName",
                "UpdateActivationEnvironment", "NameHasOwner", "ListNames", "ListActivatableNames", "AddMatch",
                "RemoveMatch", "GetNameOwner", "ListQueuedOwners", "GetConnectionUnixUser",
                "GetConnectionUnixProcessID", "GetAdtAuditSessionData", "GetConnectionSELinuxSecurityContext",
                "ReloadConfig", "GetId", "GetConnectionCredentials"));
    }

    private static void requestName(Driver d, Bus bus, Peer p, MessageView m, BodyReader a) throws Failure {
        String name = a.readString();
        long flags = a.readUint32();
        requireWellKnown(name, "acquire");
        if (name.equals(NAME)) {
            throw new Failure(DBusErrors.INVALID_ARGS, "Connection \"" + p.uniqueName
                    + "\" is not allowed to own the service \"" + NAME + "\"because it is reserved for D-Bus' use only");
        }
        if (!p.policy.canOwn(name)) {
            throw new Failure(DBusErrors.ACCESS_DENIED, "Connection \"" + p.uniqueName
                    + "\" is not allowed to own the service \"" + name + "\" due to security policies in the configuration file");
        }
        // dbus-daemon counts the unique name and names the peer is queued for.
        if (!bus.names.owns(p.id, name) && !queuedFor(bus, p, name)
                && bus.names.joinedCount(p.id) + 1 >= bus.limits().count(Limit.MAX_NAMES_PER_CONNECTION)) {
            throw new Failure(DBusErrors.LIMITS_EXCEEDED, "Connection \"" + p.uniqueName
                    + "\" is not allowed to own more services (increase limits in configuration file if required; max_names_per_connection="
                    + bus.limits().count(Limit.MAX_NAMES_PER_CONNECTION) + ")");
        }
        int result = bus.names.request(p.id, name, (int) flags);
        replyUint(d, p, m, result);
    }

    private static boolean queuedFor(Bus bus, Peer p, String name) {
        for (int id : bus.names.queue(name)) {
            if (id == p.id) return true;
        }
        return false;
    }

    private static void requireWellKnown(String name, String verb) throws Failure {
        if (name.startsWith(":")) {
            throw new Failure(DBusErrors.INVALID_ARGS, "Cannot " + verb + " a service starting with ':' such as \"" + name + "\"");
        }
        if (!Names.isValidWellKnownName(name)) {
            throw new Failure(DBusErrors.INVALID_ARGS, "Requested bus name \"" + name + "\" is not valid");
        }
    }

    private static PeerCredentials credentialsOf(Driver d, String name) throws Failure {
        Driver.requireValidBusName(name);
        Peer q = d.requirePeer(name, "credentials");
        if (q.credentials == null) {
            throw new Failure(DBusErrors.UNIX_PROCESS_ID_UNKNOWN, "Could not determine credentials for '" + name + "'");
        }
        return q.credentials;
    }

    private static void requireInterface(Driver d, String iface) throws Failure {
        if (!d.interfaces().containsKey(iface)) {
            throw new Failure(DBusErrors.UNKNOWN_INTERFACE, "Interface \"" + iface + "\" not found");
        }
    }

    private static List<String> property(Driver d, Bus bus, String iface, String prop) throws Failure {
        requireInterface(d, iface);
        if (iface.equals(NAME)) {
            if (prop.equals("Features")) return bus.features();
            if (prop.equals("Interfaces")) return List.of(MONITORING, STATS);
        }
        throw new Failure(DBusErrors.UNKNOWN_PROPERTY, "Property \"" + iface + "." + prop + "\" not found");
    }

    private static void replyUint(Driver d, Peer p, MessageView m, long v) {
        Reply r = d.reply(p, m, "u");
        if (r != null) {
            r.w.writeUint32(v);
            r.send();
        }
    }

    private static void replyStrings(Driver d, Peer p, MessageView m, List<String> values) {
        Reply r = d.reply(p, m, "as");
        if (r != null) {
            writeStrings(r.w, values);
            r.send();
        }
    }

    private static void writeStrings(BodyWriter w, List<String> values) {
        w.beginArray("s");
        for (String s : values) w.writeString(s);
        w.endArray();
    }

    private static void entryUint(BodyWriter w, String key, long value) {
        w.beginDictEntry();
        w.writeString(key);
        w.beginVariant("u");
        w.writeUint32(value);
        w.endVariant();
        w.endDictEntry();
    }
}
