package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.safeload.it.support.ConsoleProcess;
import dev.safeload.it.support.DocumentPayloads;
import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.ViolationLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code attach} into a JVM that has already loaded SnakeYAML and Jackson (and been attacked
 * through both): the classes already loaded are hooked on the spot, and the next attack is
 * refused.
 */
class DocumentAttachTest {

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void attachHooksTheAlreadyLoadedSnakeYamlAndJacksonClasses(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-doc-attach-");
        Path yamlMarker = dir.resolve("pwned-yaml");
        Path jsonMarker = dir.resolve("pwned-json.csv");
        Path yaml = DocumentPayloads.write(dir, "attack.yaml", DocumentPayloads.yamlFileWrite(yamlMarker));
        Path json = DocumentPayloads.write(dir, "attack.json", DocumentPayloads.jacksonDbcpDefaultTyping(jsonMarker));
        Path log = dir.resolve("v.jsonl");
        String jvmFlag = jdk.feature() >= 21 ? "-XX:+EnableDynamicAgentLoading" : "-Xshare:auto";
        try (ConsoleProcess console = ConsoleProcess.start(jdk, dir, null, jvmFlag)) {
            assertEquals("RESULT ok java.io.FileOutputStream", console.send("doc yaml-load " + yaml));
            assertEquals("RESULT ok org.apache.commons.dbcp.BasicDataSource", console.send("doc jackson-default-typing " + json));
            assertTrue(Files.exists(yamlMarker) && Files.exists(jsonMarker), "both attacks ran before the agent came");
            Files.delete(yamlMarker);
            Files.delete(jsonMarker);

            ForkedJvm.Result attach = ForkedJvm.on(Jdks.current()).workDir(dir)
                    .runJar(ForkedJvm.agentJar(), "attach", String.valueOf(console.pid()), "log=" + log);
            assertEquals(0, attach.exitCode(), attach::toString);

            String yamlAfter = console.send("doc yaml-load " + yaml);
            assertTrue(yamlAfter.startsWith("RESULT failed safeload: refused java.io.FileOutputStream"), yamlAfter);
            String jsonAfter = console.send("doc jackson-default-typing " + json);
            assertTrue(jsonAfter.startsWith("RESULT failed com.fasterxml.jackson.databind.JsonMappingException: safeload: refused"
                    + " org.apache.commons.dbcp.BasicDataSource"), jsonAfter);
            assertFalse(Files.exists(yamlMarker));
            assertFalse(Files.exists(jsonMarker));
        }
        List<JsonNode> refusals = ViolationLog.withAction(ViolationLog.read(log), "refuse");
        assertEquals(List.of("org.yaml.snakeyaml.Yaml.load", "com.fasterxml.jackson.databind.ObjectMapper.readValue"),
                refusals.stream().map(e -> e.path("safeload.entry_point").asText()).toList());
    }
}
