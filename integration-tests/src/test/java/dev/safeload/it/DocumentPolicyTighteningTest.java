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
 * The staging path, audit then enforce at run time, against one long-lived {@code Yaml} and one
 * {@code ObjectMapper}: each caches the classes its documents named, so the class audit mode let
 * through is answered from that cache on the next read. After the switch the same instance
 * refuses it, while the same instance still reads what the policy allows. A MINIMAL_CLASS id
 * relative to its base package ({@code .BasicDataSource}) is cached in that short form and is
 * refused the same way.
 */
class DocumentPolicyTighteningTest {

    private static final String DBCP = "org.apache.commons.dbcp.BasicDataSource";
    private static final String ALLOW_ORDER =
            "serial.allow=dev.safeload.it.victim.docs.Order;dev.safeload.it.victim.docs.LineItem";

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    /** The documents, and the markers their attacks leave when they run. */
    private record Documents(Path dir, Path yamlMarker, Path jsonMarker, Path yaml, Path json, Path relative,
                             Path order, Path log) {

        static Documents create(String name) throws Exception {
            Path dir = Files.createTempDirectory("safeload-tighten-" + name + "-");
            Path yamlMarker = dir.resolve("pwned-yaml");
            Path jsonMarker = dir.resolve("pwned-json.csv");
            return new Documents(dir, yamlMarker, jsonMarker,
                    DocumentPayloads.write(dir, "attack.yaml", DocumentPayloads.yamlFileWrite(yamlMarker)),
                    DocumentPayloads.write(dir, "attack.json", DocumentPayloads.jacksonDbcpDefaultTyping(jsonMarker)),
                    DocumentPayloads.write(dir, "relative.json", DocumentPayloads.jacksonDbcpMinimalRelative(jsonMarker)),
                    DocumentPayloads.write(dir, "order.json", DocumentPayloads.jacksonOrderDefaultTyping()),
                    dir.resolve("v.jsonl"));
        }
    }

    /** In audit mode both attacks run, twice each through the same instances (the second read is a cache hit). */
    private static void bothAttacksRunTwiceInAudit(ConsoleProcess console, Documents d) throws Exception {
        for (int read = 1; read <= 2; read++) {
            assertEquals("RESULT ok java.io.FileOutputStream", console.send("doc yaml-load-shared " + d.yaml()));
            assertEquals("RESULT ok " + DBCP, console.send("doc jackson-default-typing-shared " + d.json()));
            assertTrue(Files.exists(d.yamlMarker()) && Files.exists(d.jsonMarker()), "audit lets both run, read " + read);
            Files.delete(d.yamlMarker());
            Files.delete(d.jsonMarker());
            assertEquals("RESULT ok " + DBCP, console.send("doc jackson-minimal-relative-shared " + d.relative()));
            assertTrue(Files.exists(d.jsonMarker()), "audit lets the relative MINIMAL_CLASS id run, read " + read);
            Files.delete(d.jsonMarker());
        }
    }

    /** After the switch the same instances refuse both, and still read an allowed typed document. */
    private static void sameInstancesRefuseBothInEnforce(ConsoleProcess console, Documents d) throws Exception {
        String yaml = console.send("doc yaml-load-shared " + d.yaml());
        assertTrue(yaml.startsWith("RESULT failed safeload: refused java.io.FileOutputStream"), yaml);
        String json = console.send("doc jackson-default-typing-shared " + d.json());
        assertTrue(json.startsWith("RESULT failed com.fasterxml.jackson.databind.JsonMappingException: safeload: refused "
                + DBCP), json);
        String relative = console.send("doc jackson-minimal-relative-shared " + d.relative());
        assertTrue(relative.startsWith("RESULT failed com.fasterxml.jackson.databind.JsonMappingException: safeload: refused "
                + DBCP), relative);
        assertFalse(Files.exists(d.yamlMarker()));
        assertFalse(Files.exists(d.jsonMarker()));
        String order = console.send("doc jackson-default-typing-shared " + d.order());
        assertTrue(order.startsWith("RESULT ok dev.safeload.it.victim.docs.Order"), order);
    }

    private static void oneAuditPerClassThenOneRefusalEach(Documents d) throws Exception {
        List<JsonNode> events = ViolationLog.read(d.log());
        // The two Jackson reads are two call sites: one event each, not one per read.
        assertEquals(List.of("java.io.FileOutputStream", DBCP, DBCP), ViolationLog.withAction(events, "audit").stream()
                .map(e -> e.path("safeload.class").asText()).toList(), "one audit per class and call site, not one per read");
        List<JsonNode> refusals = ViolationLog.withAction(events, "refuse");
        assertEquals(List.of("java.io.FileOutputStream", DBCP, DBCP),
                refusals.stream().map(e -> e.path("safeload.class").asText()).toList());
        assertEquals(List.of("org.yaml.snakeyaml.Yaml.load", "com.fasterxml.jackson.databind.ObjectMapper.readValue",
                        "com.fasterxml.jackson.databind.ObjectMapper.readValue"),
                refusals.stream().map(e -> e.path("safeload.entry_point").asText()).toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void sameYamlAndMapperRefuseWhatAuditLetThroughOnceJmxSetsEnforce(Jdks.Jdk jdk) throws Exception {
        Documents d = Documents.create("jmx");
        try (ConsoleProcess console = ConsoleProcess.start(jdk, d.dir(), "log=" + d.log() + ",mode=audit," + ALLOW_ORDER)) {
            bothAttacksRunTwiceInAudit(console, d);
            assertEquals("MODE enforce", console.send("jmxmode enforce"));
            sameInstancesRefuseBothInEnforce(console, d);
        }
        oneAuditPerClassThenOneRefusalEach(d);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void sameYamlAndMapperRefuseWhatAuditLetThroughAfterASecondAttachSetsEnforce(Jdks.Jdk jdk) throws Exception {
        Documents d = Documents.create("attach");
        String jvmFlag = jdk.feature() >= 21 ? "-XX:+EnableDynamicAgentLoading" : "-Xshare:auto";
        try (ConsoleProcess console = ConsoleProcess.start(jdk, d.dir(), null, jvmFlag)) {
            ForkedJvm.Result audit = attach(d.dir(), console.pid(), "log=" + d.log() + ",mode=audit," + ALLOW_ORDER);
            assertEquals(0, audit.exitCode(), audit::toString);
            bothAttacksRunTwiceInAudit(console, d);
            ForkedJvm.Result enforce = attach(d.dir(), console.pid(), "mode=enforce");
            assertEquals(0, enforce.exitCode(), enforce::toString);
            sameInstancesRefuseBothInEnforce(console, d);
        }
        oneAuditPerClassThenOneRefusalEach(d);
    }

    private static ForkedJvm.Result attach(Path dir, long pid, String options) throws Exception {
        return ForkedJvm.on(Jdks.current()).workDir(dir).runJar(ForkedJvm.agentJar(), "attach", String.valueOf(pid), options);
    }
}
