package dev.omnibus.daemon.config;

import dev.omnibus.broker.BusLimits;

import java.nio.file.Path;
import java.util.List;

/**
 * A loaded bus configuration: the top-level file with every {@code <include>} and {@code <includedir>}
 * merged the way dbus-daemon 1.14 merges them (scalars such as type, user, pidfile: last one wins;
 * flags such as fork, syslog: any occurrence sets them; lists such as listen, auth, servicedirs,
 * policy rules: appended in document order with includes expanded in place; limits: last value wins).
 * Plain data for the lead to map onto the broker; nothing here is resolved against the system
 * (user and group names stay as written). Immutable; any thread.
 *
 * @param configFile          the top-level file loaded
 * @param type                {@code <type>} or null
 * @param user                {@code <user>} (name or uid as written) or null
 * @param fork                {@code <fork/>} present
 * @param keepUmask           {@code <keep_umask/>} present
 * @param syslog              {@code <syslog/>} present
 * @param allowAnonymous      {@code <allow_anonymous/>} present
 * @param pidFile             {@code <pidfile>} or null
 * @param listen              {@code <listen>} addresses in document order (never empty)
 * @param authMechanisms      {@code <auth>} mechanisms in document order; empty = all known allowed
 * @param serviceDirs         activation directories in precedence order, duplicates removed
 * @param serviceHelper       {@code <servicehelper>} or null
 * @param limits              every limit
 * @param policyRules         every allow/deny in merge order (see {@link PolicyRule})
 * @param selinuxAssociations {@code <associate>} elements in document order
 * @param apparmorMode        {@code <apparmor mode=>}, ENABLED when absent
 * @param files               every file read, top-level first, in the order they were read
 * @param warnings            things dbus-daemon logs and goes on with (broken file in an includedir, ...)
 */
public record BusConfig(
        Path configFile,
        String type,
        String user,
        boolean fork,
        boolean keepUmask,
        boolean syslog,
        boolean allowAnonymous,
        Path pidFile,
        List<String> listen,
        List<String> authMechanisms,
        List<ServiceDirEntry> serviceDirs,
        Path serviceHelper,
        BusLimits limits,
        List<PolicyRule> policyRules,
        List<SelinuxAssociation> selinuxAssociations,
        ApparmorMode apparmorMode,
        List<Path> files,
        List<String> warnings) {

    /** {@code <apparmor mode="enabled|disabled|required"/>}. */
    public enum ApparmorMode { ENABLED, DISABLED, REQUIRED }

    public BusConfig {
        listen = List.copyOf(listen);
        authMechanisms = List.copyOf(authMechanisms);
        serviceDirs = List.copyOf(serviceDirs);
        policyRules = List.copyOf(policyRules);
        selinuxAssociations = List.copyOf(selinuxAssociations);
        files = List.copyOf(files);
        warnings = List.copyOf(warnings);
    }

    /** The rules of one scope kind, in the order dbus-daemon evaluates them. */
    public List<PolicyRule> rulesOf(PolicyScope.Kind kind) {
        return policyRules.stream().filter(r -> r.scope().kind() == kind).toList();
    }
}
