package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.safeload.it.support.ConsoleProcess;
import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.Payloads;
import dev.safeload.it.support.Scenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

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

    /**
     * Attached to a running JVM, the agent hands its log over to Logback the same way: Logback's
     * classes defined in the boot loader from the jar's boot pack, and every event in the log.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.safeload.it.support.Jdks#forTests")
    void afterAnAttachLogbackTakesTheLogOverFromTheBootLoader(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-attach-log-");
        Path payload = dir.resolve("url.ser");
        Files.write(payload, Payloads.serialize(Payloads.urlKeyedMap()));
        Path classes = dir.resolve("classes.log");
        Path log = dir.resolve("v.jsonl");
        try (ConsoleProcess console = ConsoleProcess.start(jdk, dir, null, "-XX:+EnableDynamicAgentLoading",
                "-Xlog:class+load=debug:file=" + classes)) {
            ForkedJvm.Result attached = ForkedJvm.on(Jdks.current()).workDir(dir)
                    .runJar(ForkedJvm.agentJar(), "attach", String.valueOf(console.pid()), "log=" + log);
            assertEquals(0, attached.exitCode(), attached::toString);
            assertTrue(console.send("read " + payload).startsWith("RESULT refused"));
            Thread.sleep(2500); // the next event starts Logback
            assertTrue(console.send("read " + payload).startsWith("RESULT refused"));
            String sink = " dev.safeload.report.logback.LogbackEventSink source: ";
            long deadline = System.nanoTime() + 20_000_000_000L;
            List<String> loaded = Files.readAllLines(classes);
            while (loaded.stream().noneMatch(l -> l.contains(sink)) && System.nanoTime() < deadline) {
                Thread.sleep(100);
                loaded = Files.readAllLines(classes);
            }
            int line = loaded.indexOf(loaded.stream().filter(l -> l.contains(sink)).findFirst().orElseThrow(
                    () -> new AssertionError("the sink never loaded after the attach")));
            List<String> lines = loaded;
            assertTrue(loaded.get(line + 1).contains("of 'bootstrap'"), () -> lines.get(line + 1));
            assertTrue(console.send("read " + payload).startsWith("RESULT refused"));
        }
        String written = Files.readString(log);
        assertEquals(3, written.lines().filter(l -> l.contains("\"event.action\":\"refuse\"")).count(), written);
        assertFalse(Files.readString(dir.resolve("console-stderr.txt")).contains("cannot start rolling"));
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
