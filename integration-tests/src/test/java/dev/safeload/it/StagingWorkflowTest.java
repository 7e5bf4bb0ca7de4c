package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.safeload.it.support.ConsoleProcess;
import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.Payloads;
import dev.safeload.it.support.ViolationLog;
import dev.safeload.it.victim.Victim;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/operations.md as an SRE runs it: audit in staging with the mode in the policy file,
 * report, learn, then ship the reviewed file with mode=enforce to the running JVM.
 */
class StagingWorkflowTest {

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void followsTheDocumentedStepsFromAuditToEnforceWithoutARestart(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-staging-");
        Path policy = dir.resolve("policy.properties");
        Path log = dir.resolve("violations.jsonl");
        Path random = dir.resolve("random.ser");
        Files.write(random, Payloads.serialize(new Random(7)));
        Path marker = dir.resolve("pwned");
        Path gadget = dir.resolve("gadget.ser");
        Files.write(gadget, Payloads.serialize(Payloads.commonsCollections3(marker.toString())));

        // Step 1: the mode in the policy file, not in the agent options.
        Files.writeString(policy, "mode=audit\n");
        try (ConsoleProcess console = ConsoleProcess.start(jdk, dir, "policy=" + policy + ",log=" + log)) {
            assertEquals("RESULT ok java.util.Random", console.send("read " + random), "audit lets traffic through");
            RuntimeProtectionTest.awaitEvent(log, "audit");

            // Steps 2 to 4: report and learn from the audit log, as a person would before review.
            ForkedJvm.Result report = ForkedJvm.on(Jdks.current()).workDir(dir).runJar(ForkedJvm.agentJar(), "report", log.toString());
            assertEquals(0, report.exitCode(), report::toString);
            assertTrue(report.stdout().contains("java.util.Random"), report::toString);
            Path learned = dir.resolve("learned.properties");
            ForkedJvm.Result learn = ForkedJvm.on(Jdks.current()).workDir(dir)
                    .runJar(ForkedJvm.agentJar(), "learn", "--out", learned.toString(), log.toString());
            assertEquals(0, learn.exitCode(), learn::toString);
            String reviewed = Files.readString(learned);
            assertTrue(reviewed.contains("java.util.Random"), reviewed);

            // Step 5: ship the reviewed file with mode=enforce; the running agent reloads it.
            Files.writeString(policy, reviewed.replaceAll("(?m)^mode=.*$", "") + "\nmode=enforce\n");
            RuntimeProtectionTest.awaitEvent(log, "policy-reload");
            JsonNode reload = ViolationLog.withAction(ViolationLog.read(log), "policy-reload").get(0);
            assertEquals("enforce", reload.path("safeload.mode").asText(), reload::toString);
            assertEquals("audit", reload.path("safeload.previous_mode").asText());

            assertEquals("RESULT ok java.util.Random", console.send("read " + random), "the learned class still loads");
            assertTrue(console.send("read " + gadget).startsWith("RESULT refused"), "and the service now enforces");
        }
        assertFalse(Files.exists(marker));
        String stderr = Files.readString(dir.resolve("console-stderr.txt"));
        assertTrue(stderr.contains("safeload: settings: mode=audit (policy file " + policy + " line 1)"), stderr);
        assertTrue(stderr.contains("safeload: policy reloaded from policy file " + policy + ": enforce mode"), stderr);
    }

    /** The trap the old guide set: mode=audit as an agent option outranks the file; the reload says so. */
    @Test
    void warnsWhenTheReloadedFileSetsAKeyAnAgentOptionOverrides() throws Exception {
        Path dir = Files.createTempDirectory("safeload-staging-trap-");
        Path policy = dir.resolve("policy.properties");
        Path log = dir.resolve("violations.jsonl");
        Files.writeString(policy, "serial.maxDepth=60\n");
        try (ConsoleProcess console = ConsoleProcess.start(Jdks.current(), dir, "mode=audit,policy=" + policy + ",log=" + log)) {
            Files.writeString(policy, "serial.maxDepth=50\nmode=enforce\n");
            RuntimeProtectionTest.awaitEvent(log, "policy-overridden");
            RuntimeProtectionTest.awaitEvent(log, "policy-reload");
        }
        List<JsonNode> overridden = ViolationLog.withAction(ViolationLog.read(log), "policy-overridden");
        String expected = "mode=enforce (policy file " + policy + " line 2) is overridden by agent option (mode=audit)";
        assertTrue(overridden.get(0).path("message").asText().contains(expected), overridden::toString);
        assertEquals("audit", ViolationLog.withAction(ViolationLog.read(log), "policy-reload").get(0).path("safeload.mode").asText());
        String stderr = Files.readString(dir.resolve("console-stderr.txt"));
        assertTrue(stderr.contains("safeload: warning: the reloaded policy file sets keys another source overrides: " + expected), stderr);
    }

    @Test
    void startsWithOneWarningWhenAStrayEnvironmentVariableStartsWithSafeload() throws Exception {
        Path dir = Files.createTempDirectory("safeload-env-");
        Path benign = dir.resolve("benign.ser");
        Files.write(benign, Payloads.serialize(new java.util.HashMap<>(java.util.Map.of("k", "v"))));
        ForkedJvm.Result result = ForkedJvm.on(Jdks.current()).workDir(dir).withAgent("log=" + dir.resolve("v.jsonl"))
                .env("SAFELOAD_DEPLOY_COLOR", "blue").env("SAFELOAD_MODE", "AUDIT")
                .runMain(Victim.class, "read", benign.toString());
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.stdout().contains("RESULT ok java.util.HashMap"), result::toString);
        List<String> warnings = result.stderr().lines().filter(l -> l.startsWith("safeload: warning:")).toList();
        assertEquals(List.of("safeload: warning: ignoring environment variable SAFELOAD_DEPLOY_COLOR: not a Safeload key;"
                + " known: SAFELOAD_MODE, SAFELOAD_POLICY, SAFELOAD_LOG, SAFELOAD_LOG_MAXFILESIZE, SAFELOAD_LOG_MAXHISTORY,"
                + " SAFELOAD_LOG_RATELIMIT, SAFELOAD_SERVICE_NAME, SAFELOAD_SERVICE_VERSION, SAFELOAD_SERVICE_ENVIRONMENT,"
                + " SAFELOAD_JMX, SAFELOAD_ONCONFIGERROR, SAFELOAD_SERIAL_ALLOW, SAFELOAD_SERIAL_DENY,"
                + " SAFELOAD_SERIAL_PRESETS, SAFELOAD_SERIAL_MAXDEPTH, SAFELOAD_SERIAL_MAXREFS, SAFELOAD_SERIAL_MAXBYTES,"
                + " SAFELOAD_SERIAL_MAXARRAY, SAFELOAD_SERIAL_ALLOWWITHOUTCONSTRUCTOR, SAFELOAD_XMLDECODER_ALLOWMETHODS, SAFELOAD_MODEL_ALLOWFORMATS, SAFELOAD_MODEL_PICKLE_ALLOW, SAFELOAD_MODEL_TRUSTEDDIRS,"
                + " SAFELOAD_MODEL_SHA256, SAFELOAD_MODEL_HOOKS, SAFELOAD_MODEL_ALLOWNATIVELIBRARIES,"
                + " SAFELOAD_RUNTIME_ALLOWLOOSENING"), warnings, result::toString);
        assertTrue(result.stderr().contains("safeload: settings: mode=AUDIT (environment variable SAFELOAD_MODE)"), result::toString);
        assertTrue(result.stderr().contains("audit mode"), result::toString);

        ForkedJvm.Result strictProperty = ForkedJvm.on(Jdks.current()).workDir(dir).withAgent("log=" + dir.resolve("v.jsonl"))
                .jvmArg("-Dsafeload.deploy.color=blue").runMain(Victim.class, "read", benign.toString());
        assertEquals(78, strictProperty.exitCode(), strictProperty::toString);
    }
}
