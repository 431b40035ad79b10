package dev.omnibus.broker;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * The bus's log: one process-wide sink (the daemon installs one that writes dbus-daemon-shaped lines
 * to stderr and the system log) and a threshold. Not {@code java.util.logging}: setting that up (the
 * LogManager, its configuration file, a service lookup through the class path) cost the daemon
 * ~10 ms of start-up, for a handful of lines a day.
 *
 * <p>Any thread; the sink is called on the logging thread and must be thread-safe.
 */
public final class Log {
    private Log() {}

    /** Severities, lowest first (dbus-daemon's debug, info, warning and error). */
    public enum Level { DEBUG, INFO, WARNING, ERROR, OFF }

    /** Where lines go. */
    @FunctionalInterface
    public interface Sink {
        void write(Level level, String message);
    }

    /** Until the daemon installs its own: lines to stderr (tests and embedded buses). */
    private static final Sink STDERR = (level, message) -> System.err.println("omnibus: " + level + ": " + message);

    private static volatile Sink sink = STDERR;
    private static volatile Level threshold = Level.INFO;

    /** Replaces the sink and threshold (lines below it are dropped). */
    public static void install(Level min, Sink to) {
        sink = to;
        threshold = min;
    }

    public static boolean enabled(Level level) { return level.compareTo(threshold) >= 0 && level != Level.OFF; }

    public static void debug(Supplier<String> message) {
        if (enabled(Level.DEBUG)) sink.write(Level.DEBUG, message.get());
    }

    public static void info(String message) { log(Level.INFO, message); }

    public static void warning(String message) { log(Level.WARNING, message); }

    public static void error(String message) { log(Level.ERROR, message); }

    public static void log(Level level, String message) {
        if (enabled(level)) sink.write(level, message);
    }

    /**
     * A level by name, case-insensitive: {@code debug info warning error off}, and the
     * {@code java.util.logging} names earlier versions took ({@code all finest finer fine config
     * severe}). Null for anything else.
     */
    public static Level parse(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "debug", "all", "finest", "finer", "fine", "config" -> Level.DEBUG;
            case "info" -> Level.INFO;
            case "warning", "warn" -> Level.WARNING;
            case "error", "severe" -> Level.ERROR;
            case "off", "none" -> Level.OFF;
            default -> null;
        };
    }
}
