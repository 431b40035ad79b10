package dev.omnibus.systemtests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips, with the visible reason "pending in Omnibus", exactly the tests listed in
 * {@code omnibus-pending.txt} ({@code SimpleClassName#method}, one per line, {@code #}-comments after
 * whitespace allowed), and only when the daemon under test is Omnibus. Against dbus-daemon nothing is
 * skipped. Registered for every test class by JUnit's extension auto-detection
 * (META-INF/services + junit-platform.properties). The list is read once; stateless otherwise.
 */
public final class PendingInOmnibus implements ExecutionCondition {

    private static final Set<String> PENDING = load();

    private static Set<String> load() {
        try (InputStream in = PendingInOmnibus.class.getResourceAsStream("/omnibus-pending.txt")) {
            if (in == null) {
                return Set.of();
            }
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                    .map(l -> l.replaceFirst("\\s+#.*$", "").strip())
                    .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .collect(Collectors.toUnmodifiableSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isEmpty() || !DaemonUnderTest.current().isOmnibus()) {
            return ConditionEvaluationResult.enabled("not a pending Omnibus test");
        }
        String key = context.getRequiredTestClass().getSimpleName() + "#" + context.getRequiredTestMethod().getName();
        return PENDING.contains(key)
                ? ConditionEvaluationResult.disabled("pending in Omnibus (" + key + " in omnibus-pending.txt)")
                : ConditionEvaluationResult.enabled(key + " is not pending");
    }
}
