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
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SnakeYAML 1.33's {@code new Yaml().load}, in real JVMs with the agent: global tags that write a
 * file or run a jar's code (CVE-2022-1471) are refused with SnakeYAML's own exception, each
 * beside its twin without the agent that shows the document really does it; configs still read.
 */
class SnakeYamlTest {

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    private static ForkedJvm.Result run(Jdks.Jdk jdk, Path dir, String agentOptions, String mode, Path document)
            throws Exception {
        ForkedJvm jvm = ForkedJvm.on(jdk).workDir(dir);
        if (agentOptions != null) {
            jvm.withAgent(agentOptions);
        }
        return jvm.runMain(DocumentVictim.class, mode, document.toString());
    }

    private static void assertRefusedBySafeload(ForkedJvm.Result r, String className) {
        assertTrue(r.stdout().contains("RESULT refused org.yaml.snakeyaml.constructor.ConstructorException: safeload: refused "
                + className + " (rule serial."), r::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesTheFileOutputStreamTagThatWritesAFileWithoutTheAgent(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-yaml-");
        Path marker = dir.resolve("pwned-yaml");
        Path doc = DocumentPayloads.write(dir, "attack.yaml", DocumentPayloads.yamlFileWrite(marker));

        ForkedJvm.Result twin = run(jdk, dir, null, "yaml-load", doc);
        assertTrue(twin.stdout().contains("RESULT ok java.io.FileOutputStream"), twin::toString);
        assertTrue(Files.exists(marker), "without the agent the document creates the file");
        Files.delete(marker);

        Path log = dir.resolve("v.jsonl");
        ForkedJvm.Result guarded = run(jdk, dir, "log=" + log, "yaml-load", doc);
        assertRefusedBySafeload(guarded, "java.io.FileOutputStream");
        assertFalse(Files.exists(marker));
        JsonNode event = ViolationLog.withAction(ViolationLog.read(log), "refuse").get(0);
        assertEquals("org.yaml.snakeyaml.Yaml.load", event.path("safeload.entry_point").asText(), event::toString);
        assertEquals("snakeyaml", event.path("safeload.library").asText());
        assertEquals("java.io.FileOutputStream", event.path("safeload.class").asText());
        assertEquals("serial.allow", event.path("rule.name").asText());
        assertTrue(event.path("safeload.call_site").asText().startsWith(DocumentVictim.class.getName() + ".read("),
                event::toString);
    }

    /** loadAll reads each document as the application iterates, in Yaml's anonymous iterator: still named Yaml.loadAll. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesTheTagInTheSecondDocumentOfLoadAllAndNamesLoadAllInTheLog(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-yaml-");
        Path marker = dir.resolve("pwned-yaml-all");
        Path doc = DocumentPayloads.write(dir, "attack.yaml",
                "service: scorer\n---\n" + DocumentPayloads.yamlFileWrite(marker));

        ForkedJvm.Result twin = run(jdk, dir, null, "yaml-load-all", doc);
        assertTrue(twin.stdout().contains("RESULT ok java.io.FileOutputStream"), twin::toString);
        assertTrue(Files.exists(marker), "without the agent the second document creates the file");
        Files.delete(marker);

        Path log = dir.resolve("v.jsonl");
        ForkedJvm.Result guarded = run(jdk, dir, "log=" + log, "yaml-load-all", doc);
        assertRefusedBySafeload(guarded, "java.io.FileOutputStream");
        assertTrue(guarded.stdout().contains(" in org.yaml.snakeyaml.Yaml.loadAll at "), guarded::toString);
        assertFalse(Files.exists(marker));
        JsonNode event = ViolationLog.withAction(ViolationLog.read(log), "refuse").get(0);
        assertEquals("org.yaml.snakeyaml.Yaml.loadAll", event.path("safeload.entry_point").asText(), event::toString);
        assertTrue(event.path("safeload.call_site").asText().startsWith(DocumentVictim.class.getName() + ".read("),
                event::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesScriptEngineManagerOverAUrlClassLoaderThatRunsTheJarsCodeWithoutTheAgent(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-yaml-");
        Path jar = DocumentPayloads.scriptEngineJar(dir);
        Path marker = dir.resolve(DocumentPayloads.SCRIPT_ENGINE_MARKER);
        Path doc = DocumentPayloads.write(dir, "attack.yaml", DocumentPayloads.yamlScriptEngine(jar));

        ForkedJvm.Result twin = run(jdk, dir, null, "yaml-load", doc);
        assertTrue(twin.stdout().contains("RESULT ok javax.script.ScriptEngineManager"), twin::toString);
        assertTrue(Files.exists(marker), "without the agent the jar's engine factory runs");
        Files.delete(marker);

        ForkedJvm.Result guarded = run(jdk, dir, "log=" + dir.resolve("v.jsonl"), "yaml-load", doc);
        assertRefusedBySafeload(guarded, "javax.script.ScriptEngineManager");
        assertTrue(guarded.stdout().contains("(rule serial.deny: !javax.script.ScriptEngineManager)"), guarded::toString);
        assertFalse(Files.exists(marker));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesATagDeepInsideAPlainConfigAndThroughACustomClassLoaderConstructor(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-yaml-");
        Path marker = dir.resolve("pwned-nested");
        Path doc = DocumentPayloads.write(dir, "attack.yaml", DocumentPayloads.yamlNestedFileWrite(marker));

        for (String mode : List.of("yaml-load", "yaml-custom-loader")) {
            ForkedJvm.Result twin = run(jdk, dir, null, mode, doc);
            assertTrue(twin.stdout().contains("RESULT ok java.util.LinkedHashMap"), twin::toString);
            assertTrue(Files.exists(marker), mode + ": without the agent the nested tag creates the file");
            Files.delete(marker);

            ForkedJvm.Result guarded = run(jdk, dir, "log=" + dir.resolve(mode + ".jsonl"), mode, doc);
            assertRefusedBySafeload(guarded, "java.io.FileOutputStream");
            assertFalse(Files.exists(marker), mode);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void auditModeLogsTheTagAndLetsTheDocumentLoad(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-yaml-");
        Path marker = dir.resolve("pwned-audit");
        Path doc = DocumentPayloads.write(dir, "attack.yaml", DocumentPayloads.yamlFileWrite(marker));
        Path log = dir.resolve("audit.jsonl");

        ForkedJvm.Result audited = run(jdk, dir, "mode=audit,log=" + log, "yaml-load", doc);

        assertTrue(audited.stdout().contains("RESULT ok java.io.FileOutputStream"), audited::toString);
        assertTrue(Files.exists(marker), "audit lets it through");
        List<JsonNode> audits = ViolationLog.withAction(ViolationLog.read(log), "audit");
        assertEquals(1, audits.size(), () -> audits.toString());
        assertEquals("java.io.FileOutputStream", audits.get(0).path("safeload.class").asText());
        assertEquals("org.yaml.snakeyaml.Yaml.load", audits.get(0).path("safeload.entry_point").asText());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void readsAPlainConfigAndTheServicesTaggedConfigOnceServialAllowNamesIt(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-yaml-");
        Path plain = DocumentPayloads.write(dir, "plain.yaml", DocumentPayloads.yamlPlainConfig());
        Path tagged = DocumentPayloads.write(dir, "tagged.yaml", DocumentPayloads.yamlTaggedConfig());
        Path log = dir.resolve("v.jsonl");

        ForkedJvm.Result map = run(jdk, dir, "log=" + log, "yaml-load", plain);
        assertTrue(map.stdout().contains("RESULT ok java.util.LinkedHashMap {name=scorer, replicas=3"), map::toString);
        ForkedJvm.Result bean = run(jdk, dir, "log=" + log, "yaml-load-as-config", plain);
        assertTrue(bean.stdout().contains("RESULT ok dev.safeload.it.victim.docs.ServiceConfig"), bean::toString);

        ForkedJvm.Result unknown = run(jdk, dir, "log=" + log, "yaml-load", tagged);
        assertRefusedBySafeload(unknown, "dev.safeload.it.victim.docs.ServiceConfig");

        ForkedJvm.Result allowed = run(jdk, dir, "log=" + log + ",serial.allow=dev.safeload.it.victim.docs.ServiceConfig",
                "yaml-load", tagged);
        assertTrue(allowed.stdout().contains("RESULT ok dev.safeload.it.victim.docs.ServiceConfig ServiceConfig[name=scorer, replicas=3,"
                + " labels={team=ml, tier=gold}, endpoints=[/predict:8080, /health:8081]]"), allowed::toString);
    }

    /** SnakeYAML 2.x refuses global tags itself; one whose application trusts every tag is guarded as 1.33 is. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void snakeYaml2StillRefusesByItselfAndIsGuardedWhenTheApplicationTrustsEveryTag(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-yaml2-");
        Path marker = dir.resolve("pwned-yaml2");
        Path doc = DocumentPayloads.write(dir, "attack.yaml", DocumentPayloads.yamlFileWrite(marker));
        Path plain = DocumentPayloads.write(dir, "plain.yaml", DocumentPayloads.yamlPlainConfig());
        String classPath = snakeYaml2ClassPath();

        ForkedJvm.Result own = ForkedJvm.on(jdk).workDir(dir).withAgent("log=" + dir.resolve("v.jsonl"))
                .classPath(classPath).runMain(DocumentVictim.class, "yaml-load", doc.toString());
        assertTrue(own.stdout().contains("RESULT refused org.yaml.snakeyaml.composer.ComposerException: Global tag is not allowed"),
                own::toString);
        ForkedJvm.Result config = ForkedJvm.on(jdk).workDir(dir).withAgent("log=" + dir.resolve("v.jsonl"))
                .classPath(classPath).runMain(DocumentVictim.class, "yaml-load", plain.toString());
        assertTrue(config.stdout().contains("RESULT ok java.util.LinkedHashMap {name=scorer"), config::toString);

        ForkedJvm.Result twin = ForkedJvm.on(jdk).workDir(dir).classPath(classPath)
                .runMain(DocumentVictim.class, "yaml-trust-all-tags", doc.toString());
        assertTrue(Files.exists(marker), () -> "trusting every tag, 2.x creates the file without the agent\n" + twin);
        Files.delete(marker);
        ForkedJvm.Result guarded = ForkedJvm.on(jdk).workDir(dir).withAgent("log=" + dir.resolve("v.jsonl"))
                .classPath(classPath).runMain(DocumentVictim.class, "yaml-trust-all-tags", doc.toString());
        assertRefusedBySafeload(guarded, "java.io.FileOutputStream");
        assertFalse(Files.exists(marker));
    }

    /** The test class path with SnakeYAML 1.33 swapped for 2.5 (copied by the POM into target/snakeyaml2). */
    static String snakeYaml2ClassPath() {
        String cp = System.getProperty("java.class.path");
        String one = Stream.of(cp.split(File.pathSeparator)).filter(e -> e.endsWith("snakeyaml-1.33.jar")).findFirst()
                .orElseThrow(() -> new AssertionError("snakeyaml-1.33.jar is not on the test class path"));
        Path two = Path.of(System.getProperty("it.snakeyaml2Jar", "target/snakeyaml2/snakeyaml-2.5.jar")).toAbsolutePath();
        assertTrue(Files.isRegularFile(two), () -> two + " is missing: the POM copies it at generate-test-resources");
        return Stream.of(cp.split(File.pathSeparator)).map(e -> e.equals(one) ? two.toString() : e)
                .collect(Collectors.joining(File.pathSeparator));
    }
}
