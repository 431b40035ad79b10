package dev.omnibus.daemon.cli;

import dev.omnibus.daemon.config.BusDefaults;

/**
 * The parsed command line of {@code omnibus-daemon}, which accepts exactly dbus-daemon 1.14's options.
 *
 * <p>Parsing mirrors dbus-daemon's argument loop, checked against the installed 1.14.10:
 * <ul>
 *   <li>Arguments are taken left to right. {@code --help}, {@code -h} and {@code -?} stop with the
 *       usage text (exit 1); {@code --version} and {@code --introspect} stop parsing at once and win
 *       over anything later, even a bad option.</li>
 *   <li>{@code --config-file}, {@code --address}, {@code --print-address} and {@code --print-pid}
 *       take {@code --opt=value}, or the next argument when that argument is not itself a known
 *       flag: {@code --print-address 3} prints to fd 3, {@code --print-address --nofork} to stdout,
 *       and {@code --config-file --bogus} names a file called {@code --bogus}. A value-taking
 *       option last on the line is ignored when it needs a value (config file, address).</li>
 *   <li>{@code --session}, {@code --system} and {@code --config-file} conflict with each other and
 *       with themselves; two addresses or two descriptors for the same print are errors.</li>
 *   <li>{@code --fork}/{@code --nofork} and the syslog options do not conflict: the last one wins.</li>
 *   <li>After the loop: a missing configuration file is an error, then a descriptor that is not a
 *       non-negative integer (C {@code strtol} base 0 syntax; empty means stdout), address first.</li>
 * </ul>
 * Immutable; built and read on the main thread.
 */
public final class DaemonOptions {

    /** What the process should do after parsing. */
    public enum Action { RUN, PRINT_VERSION, PRINT_INTROSPECTION }

    /** {@code --fork} / {@code --nofork}; without either the configuration's {@code <fork/>} decides. */
    public enum ForkMode { FOLLOW_CONFIG, ALWAYS, NEVER }

    /** {@code --syslog} / {@code --syslog-only} / {@code --nosyslog}; without any, {@code <syslog/>} decides. */
    public enum SyslogMode { FOLLOW_CONFIG, SYSLOG_AND_STDERR, SYSLOG_ONLY, STDERR_ONLY }

    /** Where the config file came from: {@code --session}, {@code --system}, {@code --config-file}. */
    public enum ConfigSource { NONE, SESSION, SYSTEM, FILE }

    /** Standard output, where a print option without a descriptor writes. */
    public static final int STDOUT_FD = 1;

    /** Exit status of every dbus-daemon usage error (checked: {@code dbus-daemon --bogus; echo $?}). */
    public static final int USAGE_EXIT_CODE = 1;

    /** dbus-daemon 1.14's usage line, printed to stderr for bad arguments and {@code --help}. */
    public static final String USAGE = "omnibus-daemon [--version] [--session] [--system] [--config-file=FILE]"
            + " [--print-address[=DESCRIPTOR]] [--print-pid[=DESCRIPTOR]] [--introspect] [--address=ADDRESS]"
            + " [--nopidfile] [--nosyslog] [--syslog] [--syslog-only] [--nofork] [--fork] [--systemd-activation]";

    private final Action action;
    private final ConfigSource configSource;
    private final String configFile;
    private final String address;
    private final int printAddressFd;
    private final int printPidFd;
    private final ForkMode forkMode;
    private final SyslogMode syslogMode;
    private final boolean writePidFile;
    private final boolean systemdActivation;

    private DaemonOptions(Builder b, Action action) {
        this.action = action;
        this.configSource = b.configSource;
        this.configFile = b.configFile;
        this.address = b.address;
        this.printAddressFd = b.printAddressFd;
        this.printPidFd = b.printPidFd;
        this.forkMode = b.forkMode;
        this.syslogMode = b.syslogMode;
        this.writePidFile = b.writePidFile;
        this.systemdActivation = b.systemdActivation;
    }

    /**
     * Parses dbus-daemon's command line.
     *
     * @throws UsageException with dbus-daemon's exact stderr text for anything it would reject
     */
    public static DaemonOptions parse(String[] args) throws UsageException {
        Builder b = new Builder();
        String prev = null;
        for (String arg : args) {
            switch (arg) {
                case "--help", "-h", "-?" -> throw new UsageException(USAGE, USAGE_EXIT_CODE);
                case "--version" -> { return new DaemonOptions(b, Action.PRINT_VERSION); }
                case "--introspect" -> { return new DaemonOptions(b, Action.PRINT_INTROSPECTION); }
                case "--nofork" -> b.forkMode = ForkMode.NEVER;
                case "--fork" -> b.forkMode = ForkMode.ALWAYS;
                case "--nopidfile" -> b.writePidFile = false;
                case "--systemd-activation" -> b.systemdActivation = true;
                case "--system" -> b.setConfig("system", ConfigSource.SYSTEM, BusDefaults.SYSTEM_CONFIG_FILE.toString());
                case "--session" -> b.setConfig("session", ConfigSource.SESSION, BusDefaults.SESSION_CONFIG_FILE.toString());
                case "--syslog" -> b.syslogMode = SyslogMode.SYSLOG_AND_STDERR;
                case "--syslog-only" -> b.syslogMode = SyslogMode.SYSLOG_ONLY;
                case "--nosyslog" -> b.syslogMode = SyslogMode.STDERR_ONLY;
                default -> {
                    // Order of these tests is dbus-daemon's: a "--x=" form first, then "value of the
                    // previous --x", then a bare "--x" that waits for its value.
                    if (arg.startsWith("--config-file=")) {
                        b.setConfig("config-file", ConfigSource.FILE, arg.substring("--config-file=".length()));
                    } else if ("--config-file".equals(prev)) {
                        b.setConfig("config-file", ConfigSource.FILE, arg);
                    } else if (arg.equals("--config-file")) {
                        // value follows
                    } else if (arg.startsWith("--address=")) {
                        b.setAddress(arg.substring("--address=".length()));
                    } else if ("--address".equals(prev)) {
                        b.setAddress(arg);
                    } else if (arg.equals("--address")) {
                        // value follows
                    } else if (arg.startsWith("--print-address=")) {
                        b.setPrintAddress(arg.substring("--print-address=".length()));
                    } else if ("--print-address".equals(prev)) {
                        b.setPrintAddress(arg);
                    } else if (arg.equals("--print-address")) {
                        b.printAddress = true;
                    } else if (arg.startsWith("--print-pid=")) {
                        b.setPrintPid(arg.substring("--print-pid=".length()));
                    } else if ("--print-pid".equals(prev)) {
                        b.setPrintPid(arg);
                    } else if (arg.equals("--print-pid")) {
                        b.printPid = true;
                    } else {
                        throw new UsageException(USAGE, USAGE_EXIT_CODE);
                    }
                }
            }
            prev = arg;
        }
        // dbus-daemon reports a missing config file first, then a bad address descriptor, then pid.
        if (b.configFile == null || b.configFile.isEmpty()) {
            throw new UsageException("No configuration file specified.\n" + USAGE, USAGE_EXIT_CODE);
        }
        b.printAddressFd = b.printAddress ? parseFd(b.printAddressText) : -1;
        b.printPidFd = b.printPid ? parseFd(b.printPidText) : -1;
        return new DaemonOptions(b, Action.RUN);
    }

    /** Text for {@code --version}, shaped like dbus-daemon's (four lines, ends with a newline). */
    public static String versionText(String version) {
        return "Omnibus D-Bus Message Bus Daemon " + version + "\n"
                + "Compatible with D-Bus Message Bus Daemon 1.14\n"
                + "This is free software; see the source for copying conditions.\n"
                + "There is NO warranty; not even for MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.\n";
    }

    private static int parseFd(String text) throws UsageException {
        if (text == null || text.isEmpty()) {
            return STDOUT_FD;
        }
        long v = CNumbers.parseLong(text);
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new UsageException("Invalid file descriptor: \"" + text + "\"", USAGE_EXIT_CODE);
        }
        return (int) v;
    }

    public Action action() { return action; }

    public ConfigSource configSource() { return configSource; }

    /** The configuration file path as given, or null when none was given (only for non-RUN actions). */
    public String configFile() { return configFile; }

    /** {@code --address}, which replaces every {@code <listen>} of the configuration; null if absent. */
    public String address() { return address; }

    public boolean printAddress() { return printAddressFd >= 0; }

    /** Descriptor to print the address to ({@link #STDOUT_FD} by default), or -1 when not asked. */
    public int printAddressFd() { return printAddressFd; }

    public boolean printPid() { return printPidFd >= 0; }

    /** Descriptor to print the pid to ({@link #STDOUT_FD} by default), or -1 when not asked. */
    public int printPidFd() { return printPidFd; }

    public ForkMode forkMode() { return forkMode; }

    public SyslogMode syslogMode() { return syslogMode; }

    /** False after {@code --nopidfile}, which overrides {@code <pidfile>}. */
    public boolean writePidFile() { return writePidFile; }

    public boolean systemdActivation() { return systemdActivation; }

    /** Mutable state of one parse; confined to {@link #parse}. */
    private static final class Builder {
        ConfigSource configSource = ConfigSource.NONE;
        String configFile;
        String address;
        boolean printAddress;
        String printAddressText;
        int printAddressFd = -1;
        boolean printPid;
        String printPidText;
        int printPidFd = -1;
        ForkMode forkMode = ForkMode.FOLLOW_CONFIG;
        SyslogMode syslogMode = SyslogMode.FOLLOW_CONFIG;
        boolean writePidFile = true;
        boolean systemdActivation;

        void setConfig(String option, ConfigSource source, String file) throws UsageException {
            if (configFile != null && !configFile.isEmpty()) {
                throw new UsageException("--" + option + " specified but configuration file " + configFile
                        + " already requested", USAGE_EXIT_CODE);
            }
            configSource = source;
            configFile = file;
        }

        void setAddress(String value) throws UsageException {
            if (address != null && !address.isEmpty()) {
                throw new UsageException("--address specified but address " + address + " already requested",
                        USAGE_EXIT_CODE);
            }
            address = value;
        }

        void setPrintAddress(String value) throws UsageException {
            if (printAddressText != null && !printAddressText.isEmpty()) {
                throw new UsageException("--print-address specified but printing address to " + printAddressText
                        + " already requested", USAGE_EXIT_CODE);
            }
            printAddress = true;
            printAddressText = value;
        }

        void setPrintPid(String value) throws UsageException {
            if (printPidText != null && !printPidText.isEmpty()) {
                throw new UsageException("--print-pid specified but printing pid to " + printPidText
                        + " already requested", USAGE_EXIT_CODE);
            }
            printPid = true;
            printPidText = value;
        }
    }
}
