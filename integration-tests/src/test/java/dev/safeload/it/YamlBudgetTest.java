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
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SnakeYAML 1.33 documents that stay inside SnakeYAML's own {@code LoaderOptions} limits (or
 * inside limits the application raised) yet burn CPU through aliases or nest deeper than
 * {@code serial.maxDepth}: refused under the agent by the stream guard's rules, each beside its
 * twin without the agent; a large config still reads.
 */
class YamlBudgetTest {

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    private static ForkedJvm.Result run(Jdks.Jdk jdk, Path dir, String agentOptions, long timeoutSeconds, String mode,
                                        Path document) throws Exception {
        ForkedJvm jvm = ForkedJvm.on(jdk).workDir(dir).timeoutSeconds(timeoutSeconds);
        if (agentOptions != null) {
            jvm.withAgent(agentOptions);
        }
        return jvm.runMain(DocumentVictim.class, mode, document.toString());
    }

    private static JsonNode refusal(ForkedJvm.Result r, Path log, String rule) throws Exception {
        assertTrue(r.stdout().contains("RESULT refused org.yaml.snakeyaml.constructor.ConstructorException: safeload: refused "
                + "org.yaml.snakeyaml.nodes."), r::toString);
        assertTrue(r.stdout().contains("(rule " + rule + ": "), r::toString);
        JsonNode event = ViolationLog.withAction(ViolationLog.read(log), "refuse").get(0);
        assertEquals(rule, event.path("rule.name").asText(), event::toString);
        assertEquals("snakeyaml", event.path("safeload.library").asText());
        assertEquals("org.yaml.snakeyaml.Yaml.load", event.path("safeload.entry_point").asText());
        assertFalse(event.path("safeload.stream").asText().isEmpty(), event::toString);
        assertTrue(event.path("safeload.call_site").asText().startsWith(DocumentVictim.class.getName() + ".read("),
                event::toString);
        return event;
    }

    /**
     * 40 levels, 40 aliases, nesting 41: inside SnakeYAML's defaults (50 aliases, nesting 50),
     * 2^40 lists to hash for the mapping key. Its twin without the agent is still hashing after
     * 10 s (26 levels take about 3.6 s on a loaded machine; each level doubles it).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesAnAliasHashBombThatSnakeYamlsDefaultsLetThrough(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-yaml-budget-");
        Path doc = DocumentPayloads.write(dir, "bomb.yaml", DocumentPayloads.yamlHashBomb(40));

        Path log = dir.resolve("v.jsonl");
        ForkedJvm.Result guarded = run(jdk, dir, "log=" + log, 60, "yaml-load", doc);
        assertTrue(!guarded.timedOut(), guarded::toString);
        JsonNode event = refusal(guarded, log, "serial.maxWork");
        assertTrue(event.path("message").asText().contains("expand its 44 nodes to "), event::toString);

        ForkedJvm.Result twin = run(jdk, dir, null, 10, "yaml-load", doc);
        assertTrue(twin.timedOut(), twin::toString);
    }

    /** SnakeYAML 2.5 has the same defaults (50 aliases, nesting 50) and hashes the same bomb; guarded the same way. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesTheSameHashBombOnSnakeYaml2(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-yaml2-budget-");
        Path doc = DocumentPayloads.write(dir, "bomb.yaml", DocumentPayloads.yamlHashBomb(40));
        String classPath = SnakeYamlTest.snakeYaml2ClassPath();

        Path log = dir.resolve("v.jsonl");
        ForkedJvm.Result guarded = ForkedJvm.on(jdk).workDir(dir).withAgent("log=" + log).classPath(classPath)
                .timeoutSeconds(60).runMain(DocumentVictim.class, "yaml-load", doc.toString());
        refusal(guarded, log, "serial.maxWork");

        ForkedJvm.Result twin = ForkedJvm.on(jdk).workDir(dir).classPath(classPath).timeoutSeconds(10)
                .runMain(DocumentVictim.class, "yaml-load", doc.toString());
        assertTrue(twin.timedOut(), twin::toString);
    }

    /**
     * 65,536 mapping keys with one hash code (1.3 MB, no alias): SnakeYAML 1.33 and 2.5 build the
     * mapping one key at a time, each walking past the keys before it. Refused by the document's
     * CPU budget; without the agent still hashing after 10 s (8,000 keys took SnakeYAML 2.4 1.4 s,
     * and the cost grows with the square).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesMappingKeysWithOneHashCodeByTheDocumentsCpu(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-yaml-budget-");
        Path doc = DocumentPayloads.write(dir, "keys.yaml", DocumentPayloads.yamlKeysWithOneHashCode(65_536));
        for (String classPath : new String[] {null, SnakeYamlTest.snakeYaml2ClassPath()}) {
            Path log = Files.createTempFile(dir, "v", ".jsonl");
            Files.delete(log);
            ForkedJvm jvm = ForkedJvm.on(jdk).workDir(dir).withAgent("log=" + log).timeoutSeconds(60);
            ForkedJvm.Result guarded = (classPath == null ? jvm : jvm.classPath(classPath))
                    .runMain(DocumentVictim.class, "yaml-load", doc.toString());
            JsonNode event = refusal(guarded, log, "serial.maxWork");
            assertTrue(event.path("message").asText().contains(" ms of CPU, more than 0.75 s and 3 microseconds for"
                    + " each of the "), event::toString);
        }
        ForkedJvm.Result twin = run(jdk, dir, null, 10, "yaml-load", doc);
        assertTrue(twin.timedOut(), twin::toString);
    }

    /**
     * Billion laughs (9 levels of 9 aliases, 9^9 strings): SnakeYAML's own alias limit refuses it
     * by default; an application that raised {@code maxAliasesForCollections} builds it, and
     * its first walk ({@code toString}) never ends. The agent refuses it before construction.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesBillionLaughsWhenTheApplicationRaisedTheAliasLimit(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-yaml-budget-");
        Path doc = DocumentPayloads.write(dir, "laughs.yaml", DocumentPayloads.yamlBillionLaughs(9, 9));

        ForkedJvm.Result own = run(jdk, dir, null, 60, "yaml-load", doc);
        assertTrue(own.stdout().contains("RESULT refused org.yaml.snakeyaml.error.YAMLException: "
                + "Number of aliases for non-scalar nodes exceeds the specified max=50"), own::toString);

        Path log = dir.resolve("v.jsonl");
        ForkedJvm.Result guarded = run(jdk, dir, "log=" + log, 60, "yaml-raised-aliases", doc);
        refusal(guarded, log, "serial.maxWork");

        ForkedJvm.Result twin = run(jdk, dir, null, 10, "yaml-raised-aliases", doc);
        assertTrue(twin.timedOut() || twin.stderr().contains("OutOfMemoryError"), twin::toString);
    }

    /**
     * 70 nested sequences: SnakeYAML refuses past 50 itself (with the agent too, before the
     * hook); an application that raised {@code nestingDepthLimit} reads it, and the agent
     * refuses it past serial.maxDepth (64) while 60 levels still read.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesNestingPastMaxDepthWhenTheApplicationRaisedSnakeYamlsLimit(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-yaml-budget-");
        Path deep = DocumentPayloads.write(dir, "deep.yaml", DocumentPayloads.yamlNested(70));
        Path log = dir.resolve("v.jsonl");

        ForkedJvm.Result own = run(jdk, dir, "log=" + log, 60, "yaml-load", deep);
        assertTrue(own.stdout().contains("RESULT refused org.yaml.snakeyaml.error.YAMLException: "
                + "Nesting Depth exceeded max 50"), own::toString);

        ForkedJvm.Result twin = run(jdk, dir, null, 60, "yaml-raised-nesting", deep);
        assertTrue(twin.stdout().contains("RESULT ok java.util.ArrayList [[[[[[[[[["), twin::toString);

        ForkedJvm.Result guarded = run(jdk, dir, "log=" + log, 60, "yaml-raised-nesting", deep);
        JsonNode event = refusal(guarded, log, "serial.maxDepth");
        assertTrue(event.path("message").asText().contains("nests 70 levels deep"), event::toString);

        Path sixty = DocumentPayloads.write(dir, "sixty.yaml", DocumentPayloads.yamlNested(60));
        ForkedJvm.Result within = run(jdk, dir, "log=" + log, 60, "yaml-raised-nesting", sixty);
        assertTrue(within.stdout().contains("RESULT ok java.util.ArrayList [[[[[[[[[["), within::toString);
    }

    /** A 1.4 MB config of 20,000 services, two of them merging shared defaults through aliases, reads under the agent. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void readsALargeConfigWithMergeKeys(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-yaml-budget-");
        Path doc = DocumentPayloads.write(dir, "large.yaml", DocumentPayloads.yamlLargeConfig(20_000));
        Path log = dir.resolve("v.jsonl");

        ForkedJvm.Result guarded = run(jdk, dir, "log=" + log, 60, "yaml-load-services", doc);
        assertTrue(guarded.stdout().contains("RESULT ok java.lang.Integer 20000"), guarded::toString);
        assertTrue(!Files.exists(log) || ViolationLog.read(log).stream()
                .noneMatch(e -> e.path("rule.name").asText().startsWith("serial.")), guarded::toString);
    }
}
