package dev.safeload.presets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edu.stanford.nlp.ie.crf.CRFClassifier;
import edu.stanford.nlp.ling.CoreLabel;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The stream guard reads CoreNLP's code-bearing SeqClassifierFlags fields on the object itself,
 * so a CRF read through {@code CRFClassifier.getClassifier(ObjectInputStream)}, which the model
 * gate never sees, is refused under {@code serial.presets=corenlp}. Real forked JVMs with the
 * agent jar (built by the agent module, {@code agent/target/safeload-agent.jar}) on this JDK and
 * on JDK 25 when it is installed; each refusal has its twin without the agent.
 */
class StreamGuardReadsCodeBearingFieldsTest {

    private static final Path AGENT_JAR = Path.of("..", "agent", "target", "safeload-agent.jar").toAbsolutePath();
    private static final Path JDK_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

    static Stream<Path> jdks() {
        Path here = Path.of(System.getProperty("java.home"));
        return Files.isDirectory(JDK_25) && !here.startsWith(JDK_25) ? Stream.of(here, JDK_25) : Stream.of(here);
    }

    private record Run(String result, String output) {
    }

    private static Run run(Path jdk, Path dir, String agentOptions, Path model, Path marker) throws Exception {
        assertTrue(Files.isRegularFile(AGENT_JAR), "build the agent jar first: " + AGENT_JAR);
        List<String> command = new ArrayList<>(List.of(jdk.resolve("bin/java").toString()));
        if (agentOptions != null) {
            command.add("-javaagent:" + AGENT_JAR + "=log=" + dir.resolve("violations.jsonl") + "," + agentOptions);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), CrfVictim.class.getName(),
                model.toString(), marker.toString()));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the victim JVM did not end");
        String output = new String(out, StandardCharsets.UTF_8);
        String result = output.lines().filter(l -> l.startsWith("RESULT ")).findFirst()
                .orElseThrow(() -> new AssertionError("no RESULT line:\n" + output));
        return new Run(result, output);
    }

    private static Path write(Path dir, CRFClassifier<CoreLabel> crf) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            crf.serializeClassifier(out);
        }
        Path model = dir.resolve("ner.model");
        Files.write(model, bytes.toByteArray());
        return model;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesCrfWhoseFlagsNameAClassToInstantiateReadFromAStream(Path jdk, @TempDir Path dir) throws Exception {
        CRFClassifier<CoreLabel> crf = CoreNlpPresetTest.trainCrf(dir);
        crf.flags.plainTextDocumentReaderAndWriter = ConstructionWitness.class.getName();
        Path model = write(dir, crf);
        Path marker = dir.resolve("constructed");

        Run without = run(jdk, dir, null, model, marker);
        assertTrue(Files.exists(marker), () -> "CoreNLP must really build the named class\n" + without.output());

        Files.delete(marker);
        Run with = run(jdk, dir, "serial.presets=corenlp", model, marker);
        assertFalse(Files.exists(marker), with.output());
        assertTrue(with.result().startsWith("RESULT refused java.io.InvalidClassException: "
                + "edu.stanford.nlp.sequences.SeqClassifierFlags; safeload: rejected by rule serial.field.class-name: "
                + "edu.stanford.nlp.sequences.SeqClassifierFlags.plainTextDocumentReaderAndWriter holds \""
                + ConstructionWitness.class.getName()), with.output());
        assertTrue(Files.readString(dir.resolve("violations.jsonl")).contains("\"rule.name\":\"serial.field.class-name\""),
                with.output());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesCrfWhoseFlagsNameALexiconToOpenReadFromAStream(Path jdk, @TempDir Path dir) throws Exception {
        CRFClassifier<CoreLabel> crf = CoreNlpPresetTest.trainCrf(dir);
        Path lexicon = dir.resolve("clusters.txt");
        crf.flags.useDistSim = true;
        crf.flags.distSimLexicon = lexicon.toString();
        Path model = write(dir, crf);

        // Its twin: CoreNLP tries to open the named (missing) file while it reads the classifier.
        Run without = run(jdk, dir, null, model, dir.resolve("no-marker"));
        assertTrue(without.result().startsWith("RESULT failed") && without.output().contains(lexicon.toString()),
                without.output());

        Run with = run(jdk, dir, "serial.presets=corenlp", model, dir.resolve("no-marker"));
        assertTrue(with.result().startsWith("RESULT refused java.io.InvalidClassException: "
                + "edu.stanford.nlp.sequences.SeqClassifierFlags; safeload: rejected by rule serial.field.resource: "
                + "edu.stanford.nlp.sequences.SeqClassifierFlags.distSimLexicon holds \"" + lexicon), with.output());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void readsTheRealCrfFromAStreamUnderTheCorenlpPreset(Path jdk, @TempDir Path dir) throws Exception {
        Path model = write(dir, CoreNlpPresetTest.trainCrf(dir));

        Run with = run(jdk, dir, "serial.presets=corenlp", model, dir.resolve("no-marker"));
        assertTrue(with.result().startsWith("RESULT ok "), with.output());
        assertEquals(CoreNlpPresetTest.trainCrf(dir).classifyToString(CoreNlpPresetTest.SENTENCES.get(0)),
                with.result().substring("RESULT ok ".length()), with.output());
    }
}
