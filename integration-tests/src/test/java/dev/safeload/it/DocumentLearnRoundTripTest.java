package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.it.support.DocumentPayloads;
import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.victim.DocumentVictim;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Staging to production for YAML and JSON traffic, in real JVMs: audit a service's tagged
 * config and typed orders (and one CVE-2022-1471 document among them), {@code report} names
 * the library entry points, {@code learn} writes a policy that lets the traffic through and
 * refuses to allow the attack's classes, and in enforce mode with that policy the traffic reads
 * and the attacks are refused.
 */
class DocumentLearnRoundTripTest {

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    private static ForkedJvm.Result run(Jdks.Jdk jdk, Path dir, String options, String mode, Path doc) throws Exception {
        return ForkedJvm.on(jdk).workDir(dir).withAgent(options).runMain(DocumentVictim.class, mode, doc.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void learnedPolicyReadsTheAuditedDocumentsAndStillRefusesTheAttacks(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-doc-learn-");
        Path config = DocumentPayloads.write(dir, "config.yaml", DocumentPayloads.yamlTaggedConfig());
        Path order = DocumentPayloads.write(dir, "order.json", DocumentPayloads.jacksonOrderDefaultTyping());
        Path engineAttack = DocumentPayloads.write(dir, "engine.yaml",
                DocumentPayloads.yamlScriptEngine(DocumentPayloads.scriptEngineJar(dir)));
        Path log = dir.resolve("audit.jsonl");

        String audit = "mode=audit,log=" + log;
        assertTrue(run(jdk, dir, audit, "yaml-load", config).stdout().contains("RESULT ok dev.safeload.it.victim.docs.ServiceConfig"));
        assertTrue(run(jdk, dir, audit, "jackson-default-typing", order).stdout().contains("RESULT ok dev.safeload.it.victim.docs.Order"));
        run(jdk, dir, audit, "yaml-load", engineAttack);
        assertTrue(Files.exists(dir.resolve(DocumentPayloads.SCRIPT_ENGINE_MARKER)), "audit mode lets the attack run");

        ForkedJvm.Result report = ForkedJvm.on(Jdks.current()).workDir(dir).runJar(ForkedJvm.agentJar(), "report", log.toString());
        assertEquals(0, report.exitCode(), report::toString);
        String byEntry = report.stdout().substring(report.stdout().indexOf("By entry point"));
        assertTrue(byEntry.contains("org.yaml.snakeyaml.Yaml.load"), report::toString);
        assertTrue(byEntry.contains("com.fasterxml.jackson.databind.ObjectMapper.readValue"), report::toString);

        Path learned = dir.resolve("learned.properties");
        ForkedJvm.Result learn = ForkedJvm.on(Jdks.current()).workDir(dir)
                .runJar(ForkedJvm.agentJar(), "learn", "--out", learned.toString(), log.toString());
        assertEquals(3, learn.exitCode(), () -> "learn must not allow the attack's classes silently\n" + learn);
        assertTrue(learn.stderr().contains("javax.script.ScriptEngineManager"), learn::toString);
        String text = Files.readString(learned);
        for (String traffic : new String[] {"dev.safeload.it.victim.docs.ServiceConfig", "dev.safeload.it.victim.docs.Order",
                "dev.safeload.it.victim.docs.LineItem"}) {
            assertTrue(text.lines().anyMatch(l -> l.strip().replace(";\\", "").equals(traffic)), () -> traffic + "\n" + text);
        }
        String allowValue = text.substring(text.indexOf("serial.allow="));
        for (String attack : new String[] {"javax.script.ScriptEngineManager", "java.net.URLClassLoader", "java.net.URL"}) {
            assertFalse(allowValue.lines().anyMatch(l -> l.strip().replace(";\\", "").equals(attack)),
                    () -> attack + " must not be a plain allow entry:\n" + text);
        }

        String enforce = "policy=" + learned + ",log=" + dir.resolve("enforce.jsonl");
        ForkedJvm.Result yaml = run(jdk, dir, enforce, "yaml-load", config);
        assertTrue(yaml.stdout().contains("RESULT ok dev.safeload.it.victim.docs.ServiceConfig"), yaml::toString);
        ForkedJvm.Result json = run(jdk, dir, enforce, "jackson-default-typing", order);
        assertTrue(json.stdout().contains("RESULT ok dev.safeload.it.victim.docs.Order"), json::toString);

        Files.delete(dir.resolve(DocumentPayloads.SCRIPT_ENGINE_MARKER));
        ForkedJvm.Result engine = run(jdk, dir, enforce, "yaml-load", engineAttack);
        assertTrue(engine.stdout().contains("safeload: refused javax.script.ScriptEngineManager"), engine::toString);
        assertFalse(Files.exists(dir.resolve(DocumentPayloads.SCRIPT_ENGINE_MARKER)));
        Path marker = dir.resolve("pwned-after-learn");
        ForkedJvm.Result fileWrite = run(jdk, dir, enforce, "yaml-load",
                DocumentPayloads.write(dir, "write.yaml", DocumentPayloads.yamlFileWrite(marker)));
        assertTrue(fileWrite.stdout().contains("safeload: refused java.io.FileOutputStream"), fileWrite::toString);
        ForkedJvm.Result dbcp = run(jdk, dir, enforce, "jackson-default-typing",
                DocumentPayloads.write(dir, "dbcp.json", DocumentPayloads.jacksonDbcpDefaultTyping(marker)));
        assertTrue(dbcp.stdout().contains("safeload: refused org.apache.commons.dbcp.BasicDataSource"), dbcp::toString);
        assertFalse(Files.exists(marker));
    }
}
