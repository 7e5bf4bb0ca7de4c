package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.Payloads;
import dev.safeload.it.support.ViolationLog;
import dev.safeload.it.support.WekaModels;
import dev.safeload.it.victim.PresetVictim;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Models that a preset's own library turns into code or file reads when they are used, not when
 * they are read: a Weka cost expression whose java(...) macro calls a public static method, and
 * a Weka stand-in classifier that loads another model from a path. Each one really runs without
 * the agent, and is refused under {@code serial.presets=weka}, by the stream guard and by the
 * model gate, on every JDK.
 */
class PresetCodePathTest {

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    /** What one forked run of the victim left behind. */
    private record Run(String result, boolean markerCreated, List<JsonNode> refusals, ForkedJvm.Result jvm) {
    }

    private static Run run(Jdks.Jdk jdk, Path dir, String agentOptions, String mode, Path model, Path marker)
            throws Exception {
        Files.deleteIfExists(marker);
        Path log = dir.resolve("violations.jsonl");
        Files.deleteIfExists(log);
        ForkedJvm jvm = ForkedJvm.on(jdk).workDir(dir).timeoutSeconds(120);
        if (agentOptions != null) {
            jvm.withAgent("log=" + log + "," + agentOptions);
        }
        ForkedJvm.Result result = jvm.runMain(PresetVictim.class, mode, model.toString());
        String line = result.stdout().lines().filter(l -> l.startsWith("RESULT ")).findFirst()
                .orElseThrow(() -> new AssertionError("no RESULT line:\n" + result));
        return new Run(line, Files.exists(marker), ViolationLog.withAction(ViolationLog.read(log), "refuse"), result);
    }

    /** Writes, in {@code dir}, a CostSensitiveClassifier whose cost expression creates {@code marker}. */
    private static Path costExpressionModel(Path dir, Path marker) throws Exception {
        Path model = dir.resolve("cost.model");
        Files.write(model, WekaModels.costExpressionCalling(marker.toString()));
        return model;
    }

    /**
     * Runs the victim on a model whose planted filter rewrites {@code kept}, with {@code kept}
     * holding "precious" first; the caller reads {@code kept} after.
     */
    private static Run runOverKeptFile(Jdks.Jdk jdk, Path dir, Path kept, String agentOptions, String mode, Path model)
            throws Exception {
        Files.writeString(kept, "precious");
        return run(jdk, dir, agentOptions, mode, model, dir.resolve("no-marker"));
    }

    /** The twin of a refusal: without the agent, the first prediction really rewrites {@code kept}. */
    private static void assertRewritesKeptFileWithoutTheAgent(Jdks.Jdk jdk, Path dir, Path kept, String mode, Path model)
            throws Exception {
        Run without = runOverKeptFile(jdk, dir, kept, null, mode, model);
        assertEquals("", Files.readString(kept), () -> "the first prediction must really rewrite the file\n" + without);
    }

    /** Runs with the agent ({@code agentOptions}) and asserts {@code kept} still holds "precious". */
    private static Run runKeepingKeptFile(Jdks.Jdk jdk, Path dir, Path kept, String agentOptions, String mode,
            Path model) throws Exception {
        Run with = runOverKeptFile(jdk, dir, kept, agentOptions, mode, model);
        assertEquals("precious", Files.readString(kept), () -> mode + "\n" + with);
        return with;
    }

    /** {@code safeload-agent.jar scan --policy policy --format json model}. */
    private static ForkedJvm.Result scan(Jdks.Jdk jdk, Path dir, Path policy, Path model) throws Exception {
        return ForkedJvm.on(jdk).workDir(dir).timeoutSeconds(120)
                .runJar(ForkedJvm.agentJar(), "scan", "--policy", policy.toString(), "--format", "json", model.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void costExpressionCallingJavaWritesItsFileWithoutTheAgent(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-preset-");
        Path marker = dir.resolve("pwned");
        Path model = costExpressionModel(dir, marker);

        for (String mode : List.of("weka-stream", "weka-file")) {
            Run without = run(jdk, dir, null, mode, model, marker);
            assertTrue(without.markerCreated(), () -> "the expression must really run at the first prediction ("
                    + mode + ")\n" + without);
            assertTrue(without.result().startsWith("RESULT ok prediction="), without::toString);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesCostExpressionCallingJavaInTheStreamUnderWekaPreset(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-preset-");
        Path marker = dir.resolve("pwned");
        Path model = costExpressionModel(dir, marker);

        Run with = run(jdk, dir, "serial.presets=weka", "weka-stream", model, marker);
        assertFalse(with.markerCreated(), with::toString);
        assertTrue(with.result().startsWith("RESULT refused java.io.InvalidClassException: "
                + "weka.classifiers.meta.CostSensitiveClassifier; safeload: rejected by rule serial.allow"), with::toString);
        assertEquals("weka.classifiers.meta.CostSensitiveClassifier", with.refusals().get(0).path("safeload.class").asText(),
                with::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesCostExpressionFileAtTheModelGateUnderWekaPreset(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-preset-");
        Path marker = dir.resolve("pwned");
        Path model = costExpressionModel(dir, marker);

        Run with = run(jdk, dir, "serial.presets=weka", "weka-file", model, marker);
        assertFalse(with.markerCreated(), with::toString);
        assertTrue(with.result().startsWith("RESULT refused java.io.InvalidClassException: safeload: refused model"),
                with::toString);
        JsonNode event = with.refusals().get(0);
        assertEquals("java-serialization", event.path("safeload.format").asText(), event::toString);
        assertTrue(event.path("safeload.findings").toString().contains("weka.classifiers.meta.CostSensitiveClassifier"),
                event::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void scanBlocksCostExpressionWithAFindingNamingTheClass(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-preset-");
        Path model = costExpressionModel(dir, dir.resolve("pwned"));
        Path policy = dir.resolve("safeload.properties");
        Files.writeString(policy, "serial.presets=weka\n");

        ForkedJvm.Result scan = scan(jdk, dir, policy, model);
        assertEquals(1, scan.exitCode(), scan::toString);
        JsonNode result = new ObjectMapper().readTree(scan.stdout()).path("results").get(0);
        assertEquals("block", result.path("verdict").asText(), scan::toString);
        JsonNode finding = result.path("findings").get(0);
        assertEquals("serial.class", finding.path("rule").asText(), scan::toString);
        assertTrue(finding.path("message").asText().contains("weka.classifiers.meta.CostSensitiveClassifier"), scan::toString);

        // Its twin: the same scan passes the real J48 model the preset is for.
        Path benign = dir.resolve("points.model");
        weka.core.SerializationHelper.write(benign.toString(), dev.safeload.it.victim.WekaPrediction.train());
        ForkedJvm.Result clean = scan(jdk, dir, policy, benign);
        assertEquals(0, clean.exitCode(), clean::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesSmoWhosePlantedFilterRewritesAFileAtTheModelGate(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-preset-");
        Path kept = dir.resolve("kept-by-the-server.txt");
        Path model = dir.resolve("smo.model");
        Files.write(model, WekaModels.smoWritingDictionaryTo(kept));

        assertRewritesKeptFileWithoutTheAgent(jdk, dir, kept, "weka-file", model);
        Run with = runKeepingKeptFile(jdk, dir, kept, "serial.presets=weka", "weka-file", model);
        assertTrue(with.result().startsWith("RESULT refused java.io.InvalidClassException: safeload: refused model"),
                with::toString);
        JsonNode event = with.refusals().get(0);
        assertTrue(event.path("safeload.findings").toString().contains("serial.field.resource"), event::toString);
        assertTrue(event.path("safeload.findings").toString().contains("m_dictionaryFile"), event::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesSerializedClassifierThatLoadsAModelFromAPath(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-preset-");
        Path marker = dir.resolve("pwned");
        // The file it points at: anything an attacker could place or name on the server.
        Path elsewhere = dir.resolve("elsewhere.bin");
        Path model = dir.resolve("standin.model");
        Files.write(model, WekaModels.loadingModelFrom(elsewhere));
        Files.write(elsewhere, Payloads.serialize(Payloads.commonsCollections3(marker.toString())));

        Run without = run(jdk, dir, null, "weka-stream", model, marker);
        assertTrue(without.markerCreated(), () -> "the first prediction must really load and run the named file\n" + without);

        Run with = run(jdk, dir, "serial.presets=weka", "weka-stream", model, marker);
        assertFalse(with.markerCreated(), with::toString);
        assertTrue(with.result().startsWith("RESULT refused java.io.InvalidClassException: "
                + "weka.classifiers.misc.SerializedClassifier; safeload: rejected by rule serial.allow"), with::toString);
    }

    /**
     * The same planted filter read through a stream, where the model gate never sees it: the
     * stream guard reads StringToWordVector's dictionary path once the object's fields are read,
     * and refuses before SMO, and so the first prediction, gets it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesSmoWhosePlantedFilterRewritesAFileThroughAnyStream(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-preset-");
        Path kept = dir.resolve("kept-by-the-server.txt");
        Path model = dir.resolve("smo.model");
        Files.write(model, WekaModels.smoWritingDictionaryTo(kept));

        assertRewritesKeptFileWithoutTheAgent(jdk, dir, kept, "weka-ois", model);
        for (String mode : List.of("weka-stream", "weka-ois")) {
            Run with = runKeepingKeptFile(jdk, dir, kept, "serial.presets=weka", mode, model);
            assertTrue(with.result().startsWith("RESULT refused java.io.InvalidClassException: "
                    + "weka.filters.unsupervised.attribute.StringToWordVector; safeload: rejected by rule "
                    + "serial.field.resource: weka.filters.unsupervised.attribute.StringToWordVector.m_dictionaryFile"
                    + " holds \"" + kept + "\""), () -> mode + "\n" + with);
            JsonNode event = with.refusals().get(0);
            assertEquals("serial.field.resource", event.path("rule.name").asText(), event::toString);
            assertEquals("weka.filters.unsupervised.attribute.StringToWordVector",
                    event.path("safeload.class").asText(), event::toString);
        }
    }

    /** Audit mode logs the planted path and lets the model through, which then does what it does. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void auditLogsSmoWhosePlantedFilterRewritesAFileAndLetsItThrough(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-preset-");
        Path kept = dir.resolve("kept-by-the-server.txt");
        Path model = dir.resolve("smo.model");
        Files.write(model, WekaModels.smoWritingDictionaryTo(kept));
        Path log = dir.resolve("violations.jsonl");
        Files.writeString(kept, "precious");

        ForkedJvm.Result result = ForkedJvm.on(jdk).workDir(dir).timeoutSeconds(120)
                .withAgent("log=" + log + ",serial.presets=weka,mode=audit")
                .runMain(PresetVictim.class, "weka-ois", model.toString());
        // Let through: the first prediction rewrites the file (and then fails on the header).
        assertFalse(result.stdout().contains("RESULT refused"), result::toString);
        assertEquals("", Files.readString(kept), result::toString);
        List<JsonNode> audited = ViolationLog.withAction(ViolationLog.read(log), "audit");
        assertTrue(audited.stream().anyMatch(e -> e.path("rule.name").asText().equals("serial.field.resource")
                && e.path("safeload.class").asText().equals("weka.filters.unsupervised.attribute.StringToWordVector")),
                () -> audited + "\n" + result);
    }

    /** The twin of the refusals: the same SMO and filter, saving no dictionary, reads and predicts. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void readsSmoWithATextFilterThatSavesNoDictionaryThroughAnyStream(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-preset-");
        Path model = dir.resolve("smo.model");
        Files.write(model, WekaModels.smoWithTextFilterSavingNoDictionary());

        for (String mode : List.of("weka-stream", "weka-ois")) {
            Run with = run(jdk, dir, "serial.presets=weka", mode, model, dir.resolve("no-marker"));
            assertTrue(with.result().startsWith("RESULT ok prediction="), () -> mode + "\n" + with);
            assertTrue(with.refusals().isEmpty(), () -> mode + "\n" + with);
        }
    }

    /**
     * A refused object is already in the stream's handle table. A host readObject that swallows
     * the refusal and reads on must not get it by a back-reference: the stream stays refused.
     * Twin: without the agent, the SMO read after the swallowed read holds the filter and
     * rewrites the file.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesBackReferenceToARefusedObjectAfterAHostSwallowedTheRefusal(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-preset-");
        Path kept = dir.resolve("kept-by-the-server.txt");
        Path model = dir.resolve("swallowed.model");
        Files.write(model, WekaModels.smoWritingDictionaryToBehindASwallowedRead(kept));

        assertRewritesKeptFileWithoutTheAgent(jdk, dir, kept, "weka-swallowed", model);
        Run with = runKeepingKeptFile(jdk, dir, kept, "serial.presets=weka,serial.allow=dev.safeload.it.victim.Swallower",
                "weka-swallowed", model);
        assertTrue(with.result().startsWith("RESULT refused java.io.InvalidClassException: "), with::toString);
        assertTrue(with.result().contains("serial.field.resource"), with::toString);
        assertTrue(with.refusals().size() >= 2, () -> "the filter, then the back-reference\n" + with);
    }
}
