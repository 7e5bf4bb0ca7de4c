package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.Payloads;
import dev.safeload.it.support.Scenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** The violation log: one valid JSON object per event, none lost, none interleaved. */
class ViolationLogTest {

    @Test
    void writesOneValidJsonLinePerRefusalUnderManyThreads() throws Exception {
        Scenario s = Scenario.on(Jdks.current());
        Path payload = s.payload(Payloads.serialize(Payloads.urlKeyedMap()));
        Scenario.Outcome outcome = s.run("log.rateLimit=100000", "concurrent", payload.toString(), "8", "50");
        assertTrue(outcome.result().endsWith("refused=400 other=0"), outcome::toString);
        // ViolationLog.read fails on any line that is not exactly one JSON object.
        assertEquals(400, outcome.actions("refuse").size(), outcome::toString);
        assertEquals(8, outcome.actions("refuse").stream().map(e -> e.path("process.thread.name").asText())
                .distinct().count());
    }

    /**
     * Past the first 2 s the agent's Logback takes the log over, its classes defined from the jar's
     * boot pack in the boot loader (which does not verify them; the pack's loader would). The
     * events after the hand-over still land in the log, one line each.
     */
    @Test
    void logbackTakesTheLogOverAndEveryEventLands() throws Exception {
        Scenario s = Scenario.on(Jdks.current());
        Path classes = s.dir().resolve("classes.log");
        s.jvmArg("-Xlog:class+load=debug:file=" + classes);
        Path payload = s.payload(Payloads.serialize(Payloads.urlKeyedMap()));
        // At 0, 1.5, 3 and 4.5 s: the third event starts Logback, the fourth is written through it.
        Scenario.Outcome outcome = s.run("log.rateLimit=100000", "spaced", payload.toString(), "4", "1500");
        assertTrue(outcome.result().endsWith("refused=4 other=0"), outcome::toString);
        assertEquals(4, outcome.actions("refuse").size(), outcome::toString);
        assertFalse(outcome.jvm().stderr().contains("cannot start rolling"), outcome::toString);
        List<String> loaded = Files.readAllLines(classes);
        for (String name : List.of("dev.safeload.report.logback.LogbackEventSink",
                "dev.safeload.shaded.logback.core.rolling.RollingFileAppender")) {
            int line = java.util.stream.IntStream.range(0, loaded.size())
                    .filter(i -> loaded.get(i).contains(" " + name + " source: ")).findFirst().orElse(-1);
            assertTrue(line >= 0, name + " never loaded");
            // The debug line after it names the loader.
            assertTrue(loaded.get(line + 1).contains("of 'bootstrap'"), () -> name + ": " + loaded.get(line + 1));
        }
    }

    @Test
    void rateLimitsIdenticalEventsAndCountsEveryOneHeldBack() throws Exception {
        Scenario s = Scenario.on(Jdks.current());
        Path payload = s.payload(Payloads.serialize(Payloads.urlKeyedMap()));
        Scenario.Outcome outcome = s.run("log.rateLimit=5", "concurrent", payload.toString(), "1", "50");
        assertTrue(outcome.result().endsWith("refused=50 other=0"), outcome::toString);
        List<JsonNode> written = outcome.actions("refuse");
        assertEquals(5, written.size(), outcome::toString);
        long held = outcome.actions("suppressed").stream().mapToLong(e -> e.path("safeload.suppressed").asLong()).sum();
        assertEquals(45, held, () -> "every refusal is either written or counted\n" + outcome);
    }

    @Test
    void carriesTheDocumentedSchema() throws Exception {
        Scenario s = Scenario.on(Jdks.current());
        Path payload = s.payload(Payloads.serialize(Payloads.commonsCollections3(s.marker())));
        Scenario.Outcome outcome = s.run("", "read", payload.toString());
        JsonNode event = outcome.actions("refuse").get(0);
        for (String field : List.of("@timestamp", "message", "ecs.version", "event.kind", "event.action",
                "event.outcome", "event.category", "rule.name", "rule.ruleset", "process.pid", "process.thread.name",
                "host.name", "error.stack_trace", "safeload.mode", "safeload.entry_point", "safeload.class",
                "safeload.call_site", "safeload.depth", "safeload.refs", "safeload.bytes", "safeload.nested",
                "safeload.policy_rule", "safeload.policy_digest", "safeload.stream")) {
            assertTrue(event.has(field), () -> "missing " + field + " in " + event);
        }
        assertEquals("alert", event.path("event.kind").asText());
        assertTrue(event.path("process.pid").asLong() > 0, event::toString);
        assertFalse(event.path("error.stack_trace").asText().startsWith("dev.safeload."), event::toString);
        JsonNode start = outcome.actions("start").get(0);
        assertEquals("enforce", start.path("safeload.mode").asText());
        // A constant of the build (dev.safeload.Version), the same as the jar's manifest says.
        try (JarFile jar = new JarFile(ForkedJvm.agentJar().toFile())) {
            assertEquals(jar.getManifest().getMainAttributes().getValue("Implementation-Version"),
                    start.path("safeload.version").asText(), start::toString);
        }
    }
}
