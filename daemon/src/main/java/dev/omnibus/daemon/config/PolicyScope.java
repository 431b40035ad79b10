package dev.omnibus.daemon.config;

/**
 * Which connections a {@code <policy>} applies to: exactly one of {@code context="default|mandatory"},
 * {@code user=}, {@code group=}, {@code at_console=}.
 *
 * <p>dbus-daemon applies the policies of a connection in this order, later overriding earlier:
 * default, group (for each of the connection's groups), user, at_console="true", at_console="false",
 * mandatory ({@link Kind} is declared in that order). Within one kind, rules keep document order.
 * {@code value} is the user or group name or numeric id as written (resolved later: dbus-daemon ignores
 * a policy whose user/group does not exist, with a warning), or "true"/"false" for at_console, or
 * null for default/mandatory. Immutable; any thread.
 */
public record PolicyScope(Kind kind, String value) {

    /** Policy kinds in dbus-daemon's application order. */
    public enum Kind { DEFAULT, GROUP, USER, AT_CONSOLE, MANDATORY }

    public static final PolicyScope DEFAULT = new PolicyScope(Kind.DEFAULT, null);
    public static final PolicyScope MANDATORY = new PolicyScope(Kind.MANDATORY, null);

    /** For at_console scopes: whether the policy is for connections at the console. */
    public boolean atConsole() {
        return kind == Kind.AT_CONSOLE && "true".equals(value);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case DEFAULT -> "context=\"default\"";
            case MANDATORY -> "context=\"mandatory\"";
            case USER -> "user=\"" + value + "\"";
            case GROUP -> "group=\"" + value + "\"";
            case AT_CONSOLE -> "at_console=\"" + value + "\"";
        };
    }
}
