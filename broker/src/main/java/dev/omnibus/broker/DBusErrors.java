package dev.omnibus.broker;

/**
 * The standard error names the bus answers with (spec: "Message Bus Messages"; dbus-protocol.h).
 * One table, so that every layer translates its result codes into the same names.
 */
public final class DBusErrors {
    private DBusErrors() {}

    private static final String P = "org.freedesktop.DBus.Error.";
    public static final String FAILED = P + "Failed";
    public static final String NO_MEMORY = P + "NoMemory";
    public static final String SERVICE_UNKNOWN = P + "ServiceUnknown";
    public static final String NAME_HAS_NO_OWNER = P + "NameHasNoOwner";
    public static final String NO_REPLY = P + "NoReply";
    public static final String LIMITS_EXCEEDED = P + "LimitsExceeded";
    public static final String ACCESS_DENIED = P + "AccessDenied";
    public static final String INVALID_ARGS = P + "InvalidArgs";
    public static final String UNKNOWN_METHOD = P + "UnknownMethod";
    public static final String UNKNOWN_INTERFACE = P + "UnknownInterface";
    public static final String UNKNOWN_PROPERTY = P + "UnknownProperty";
    public static final String PROPERTY_READ_ONLY = P + "PropertyReadOnly";
    public static final String MATCH_RULE_NOT_FOUND = P + "MatchRuleNotFound";
    public static final String MATCH_RULE_INVALID = P + "MatchRuleInvalid";
    public static final String UNIX_PROCESS_ID_UNKNOWN = P + "UnixProcessIdUnknown";
    public static final String ADT_AUDIT_DATA_UNKNOWN = P + "AdtAuditDataUnknown";
    public static final String SELINUX_SECURITY_CONTEXT_UNKNOWN = P + "SELinuxSecurityContextUnknown";
    public static final String INCONSISTENT_MESSAGE = P + "InconsistentMessage";
    public static final String NOT_SUPPORTED = P + "NotSupported";
    public static final String SPAWN_EXEC_FAILED = P + "Spawn.ExecFailed";
    public static final String SPAWN_FORK_FAILED = P + "Spawn.ForkFailed";
    public static final String SPAWN_CHILD_EXITED = P + "Spawn.ChildExited";
    public static final String SPAWN_CHILD_SIGNALED = P + "Spawn.ChildSignaled";
    public static final String SPAWN_FAILED = P + "Spawn.Failed";
    public static final String SPAWN_SETUP_FAILED = P + "Spawn.FailedToSetup";
    public static final String SPAWN_CONFIG_INVALID = P + "Spawn.ConfigInvalid";
    public static final String SPAWN_SERVICE_INVALID = P + "Spawn.ServiceNotValid";
    public static final String SPAWN_SERVICE_NOT_FOUND = P + "Spawn.ServiceNotFound";
    public static final String SPAWN_PERMISSIONS_INVALID = P + "Spawn.PermissionsInvalid";
    public static final String SPAWN_FILE_INVALID = P + "Spawn.FileInvalid";
    public static final String SPAWN_NO_MEMORY = P + "Spawn.NoMemory";
    public static final String TIMEOUT = P + "Timeout";
    public static final String TIMED_OUT = P + "TimedOut";
}
