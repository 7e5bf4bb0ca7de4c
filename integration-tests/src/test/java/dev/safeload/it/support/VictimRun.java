package dev.safeload.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One run of a victim that prints {@code RESULT}, {@code READ_MS} and {@code CPU_MS} lines
 * ({@code BombVictim}), and the events its agent logged.
 */
public record VictimRun(ForkedJvm.Result jvm, List<JsonNode> events) {

    /** The {@code RESULT} line. */
    public String result() {
        return jvm.stdout().lines().filter(l -> l.startsWith("RESULT ")).findFirst()
                .orElseThrow(() -> new AssertionError("no RESULT line:\n" + this));
    }

    /** The read's wall time, or -1 when the victim did not finish it. */
    public long readMillis() {
        return printed("READ_MS ");
    }

    /** The reading thread's CPU time, or -1 when the victim did not finish the read. */
    public long cpuMillis() {
        return printed("CPU_MS ");
    }

    private long printed(String prefix) {
        return jvm.stdout().lines().filter(l -> l.startsWith(prefix))
                .mapToLong(l -> Long.parseLong(l.substring(prefix.length()))).findFirst().orElse(-1);
    }

    @Override
    public String toString() {
        return jvm + "\n--- events: " + events;
    }
}
