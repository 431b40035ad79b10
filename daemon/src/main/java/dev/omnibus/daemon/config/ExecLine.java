package dev.omnibus.daemon.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a service file's {@code Exec=} value into argv the way dbus-daemon does (its shell-style
 * parser, modelled on GLib's {@code g_shell_parse_argv}): unquoted blanks separate words; a backslash
 * outside quotes takes the next character literally and a backslash-newline vanishes; single quotes
 * keep everything literally; inside double quotes a backslash escapes only {@code $ ` " \} and newline;
 * quoted and unquoted pieces next to each other form one word; an unquoted {@code #} starting a word
 * begins a comment up to the end of the line. No variables, globs or redirections are interpreted.
 * Stateless; any thread.
 */
public final class ExecLine {
    private ExecLine() {}

    /** Result of {@link #parse}: argv on success, else a message saying what is wrong. */
    public record Result(List<String> argv, String error) {
        public boolean ok() {
            return error == null;
        }
    }

    public static Result parse(String command) {
        List<String> argv = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int n = command.length();
        int i = 0;
        while (i < n) {
            char c = command.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n') {
                if (inWord) {
                    argv.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                i++;
            } else if (c == '#' && !inWord) {
                while (i < n && command.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '\\') {
                if (i + 1 >= n) {
                    return new Result(null, "Text ended just after a '\\' character. (The text was '" + command + "')");
                }
                char next = command.charAt(i + 1);
                if (next != '\n') {
                    word.append(next);
                    inWord = true;
                }
                i += 2;
            } else if (c == '\'') {
                int end = command.indexOf('\'', i + 1);
                if (end < 0) {
                    return new Result(null, "Text ended before matching quote was found for '. (The text was '"
                            + command + "')");
                }
                word.append(command, i + 1, end);
                inWord = true;
                i = end + 1;
            } else if (c == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char d = command.charAt(i);
                    if (d == '"') {
                        closed = true;
                        i++;
                        break;
                    }
                    if (d == '\\' && i + 1 < n) {
                        char e = command.charAt(i + 1);
                        if (e == '"' || e == '\\' || e == '$' || e == '`') {
                            word.append(e);
                            i += 2;
                            continue;
                        }
                        if (e == '\n') {
                            i += 2;
                            continue;
                        }
                    }
                    word.append(d);
                    i++;
                }
                if (!closed) {
                    return new Result(null, "Text ended before matching quote was found for \". (The text was '"
                            + command + "')");
                }
                inWord = true;
            } else {
                word.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) {
            argv.add(word.toString());
        }
        if (argv.isEmpty()) {
            return new Result(null, "Text was empty (or contained only whitespace)");
        }
        return new Result(List.copyOf(argv), null);
    }
}
