package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.safeload.it.support.DocumentPayloads;
import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.ViolationLog;
import dev.safeload.it.victim.DocumentVictim;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Jackson databind with default typing, in real JVMs: a typed value nested deeper than
 * serial.maxDepth in the JSON is refused under the agent (Jackson's own limit is 1,000 levels),
 * beside its twin that reads without the agent; a shallower document reads; each read's events
 * carry one safeload.stream. A typed set of keys with one hash code is refused by the read's CPU.
 */
class JacksonDepthTest {

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    private static ForkedJvm.Result run(Jdks.Jdk jdk, Path dir, String agentOptions, String mode, Path doc)
            throws Exception {
        ForkedJvm jvm = ForkedJvm.on(jdk).workDir(dir);
        if (agentOptions != null) {
            jvm.withAgent(agentOptions);
        }
        return jvm.runMain(DocumentVictim.class, mode, doc.toString());
    }

    /** 40 typed lists: 80 JSON levels, refused at the 33rd list (66 levels); 20 typed lists (40 levels) read. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesTypedValuesNestedDeeperThanMaxDepth(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-jackson-depth-");
        Path deep = DocumentPayloads.write(dir, "deep.json", DocumentPayloads.jacksonNestedLists(40));
        Path shallow = DocumentPayloads.write(dir, "shallow.json", DocumentPayloads.jacksonNestedLists(20));

        ForkedJvm.Result twin = run(jdk, dir, null, "jackson-default-typing", deep);
        assertTrue(twin.stdout().contains("RESULT ok java.util.ArrayList [[[[[[[[[["), twin::toString);

        Path log = dir.resolve("v.jsonl");
        ForkedJvm.Result guarded = run(jdk, dir, "log=" + log, "jackson-default-typing", deep);
        assertTrue(guarded.stdout().contains("RESULT refused com.fasterxml.jackson.databind."), guarded::toString);
        assertTrue(guarded.stdout().contains("safeload: refused java.util.ArrayList (rule serial.maxDepth: this typed"
                + " value is nested 66 JSON levels deep; the limit is 64)"), guarded::toString);
        JsonNode event = ViolationLog.withAction(ViolationLog.read(log), "refuse").get(0);
        assertEquals("serial.maxDepth", event.path("rule.name").asText());
        assertEquals("jackson", event.path("safeload.library").asText());
        assertFalse(event.path("safeload.stream").asText().isEmpty(), event::toString);

        ForkedJvm.Result within = run(jdk, dir, "log=" + dir.resolve("within.jsonl"), "jackson-default-typing", shallow);
        assertTrue(within.stdout().contains("RESULT ok java.util.ArrayList [[[[[[[[[["), within::toString);
    }

    /**
     * A typed {@code HashSet} of 32,768 typed lists with one hash code (1.3 MB): Jackson adds each
     * as it reads it, each add walking past the lists before it (16 s without the agent, measured).
     * Refused by the read's CPU budget, sampled at each typed value; the twin is still reading
     * after 10 s.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesATypedSetOfKeysWithOneHashCodeByTheReadsCpu(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-jackson-keys-");
        Path keys = DocumentPayloads.write(dir, "keys.json", DocumentPayloads.jacksonKeysWithOneHashCode(32_768));

        Path log = dir.resolve("v.jsonl");
        ForkedJvm.Result guarded = ForkedJvm.on(jdk).workDir(dir).withAgent("log=" + log).timeoutSeconds(60)
                .runMain(DocumentVictim.class, "jackson-default-typing", keys.toString());
        assertTrue(guarded.stdout().contains("RESULT refused com.fasterxml.jackson.databind."), guarded::toString);
        assertTrue(guarded.stdout().contains("safeload: refused java.util.ArrayList (rule serial.maxWork: this document"
                + " used "), guarded::toString);
        JsonNode event = ViolationLog.withAction(ViolationLog.read(log), "refuse").get(0);
        assertEquals("serial.maxWork", event.path("rule.name").asText());
        assertEquals("jackson", event.path("safeload.library").asText());

        ForkedJvm.Result twin = ForkedJvm.on(jdk).workDir(dir).timeoutSeconds(10)
                .runMain(DocumentVictim.class, "jackson-default-typing", keys.toString());
        assertTrue(twin.timedOut(), twin::toString);
    }

    /** Audit mode: the classes one readValue names share one safeload.stream; the next read has another. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void eventsOfOneReadShareAStreamIdAndTheNextReadHasItsOwn(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-jackson-depth-");
        Path order = DocumentPayloads.write(dir, "order.json", DocumentPayloads.jacksonOrderDefaultTyping());
        Path log = dir.resolve("audit.jsonl");
        run(jdk, dir, "mode=audit,log=" + log, "jackson-default-typing", order);
        run(jdk, dir, "mode=audit,log=" + log, "jackson-default-typing", order);

        List<JsonNode> audits = ViolationLog.withAction(ViolationLog.read(log), "audit");
        List<String> streams = audits.stream().map(e -> e.path("process.pid").asText() + " "
                + e.path("safeload.stream").asText()).distinct().toList();
        assertTrue(audits.size() >= 4, audits::toString); // Order and LineItem, twice
        assertEquals(2, streams.size(), audits::toString);
        assertTrue(audits.stream().noneMatch(e -> e.path("safeload.stream").asText().isEmpty()), audits::toString);
    }
}
