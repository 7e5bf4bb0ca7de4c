package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.H2oMojos;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.OnnxModels;
import dev.safeload.it.support.Payloads;
import dev.safeload.it.support.PmmlFiles;
import dev.safeload.it.support.TorchFiles;
import dev.safeload.it.support.ViolationLog;
import dev.safeload.it.victim.ModelVictim;
import dev.safeload.it.victim.ServicePmml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hooks on real model-loading libraries from Maven Central, in forked JVMs: each refusal has a
 * twin that shows what the library does without the agent.
 */
class ModelLibraryHooksTest {

    private static String run(Path dir, boolean agent, String... args) throws Exception {
        return run(dir, agent ? "" : null, args);
    }

    private static String run(Path dir, String agentOptions, String... args) throws Exception {
        ForkedJvm jvm = ForkedJvm.on(Jdks.current()).workDir(dir).timeoutSeconds(120);
        if (agentOptions != null) {
            jvm.withAgent("log=" + dir.resolve("violations.jsonl") + (agentOptions.isEmpty() ? "" : "," + agentOptions));
        }
        ForkedJvm.Result result = jvm.runMain(ModelVictim.class, args);
        return result.stdout().lines().filter(l -> l.startsWith("RESULT ")).findFirst()
                .orElseThrow(() -> new AssertionError("no RESULT line:\n" + result));
    }

    @Test
    void runsAnAllowedOnnxModelUnderTheAgent() throws Exception {
        Path dir = Files.createTempDirectory("safeload-ort-");
        Path model = dir.resolve("add.onnx");
        Files.write(model, OnnxModels.add());
        assertEquals("RESULT ok C=[11.0, 22.0]", run(dir, true, "ort-path", model.toString()));
        assertEquals("RESULT ok C=[11.0, 22.0]", run(dir, true, "ort-bytes", model.toString()));
        List<JsonNode> allowed = ViolationLog.withAction(ViolationLog.read(dir.resolve("violations.jsonl")), "model-allow");
        assertEquals("onnx", allowed.get(0).path("safeload.format").asText(), allowed::toString);
        assertEquals(64, allowed.get(0).path("file.hash.sha256").asText().length());
    }

    @Test
    void refusesOnnxModelWhoseExternalDataEscapesItsFolder() throws Exception {
        Path dir = Files.createTempDirectory("safeload-ort-");
        Path models = Files.createDirectories(dir.resolve("models/inner"));
        Path secret = dir.resolve("secret.bin");
        Files.write(secret, new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, 0x40}); // floats 1.0 and 2.0
        Path model = models.resolve("escape.onnx");
        Files.write(model, OnnxModels.addWithExternalInitializer("../../secret.bin"));

        String without = run(dir, false, "ort-path", model.toString(), "initializer");
        assertEquals("RESULT ok C=[2.0, 4.0]", without, "ONNX Runtime reads the file outside the model folder");

        String with = run(dir, true, "ort-path", model.toString(), "initializer");
        assertTrue(with.startsWith("RESULT refused ai.onnxruntime.OrtException: safeload: refused model"), with);
        JsonNode event = ViolationLog.withAction(ViolationLog.read(dir.resolve("violations.jsonl")), "refuse").get(0);
        assertEquals("onnx", event.path("safeload.format").asText(), event::toString);
        assertTrue(event.path("file.path").asText().endsWith("escape.onnx"), event::toString);
        assertTrue(event.path("safeload.findings").size() > 0, event::toString);
    }

    @Test
    void refusesCustomOperatorLibraryByDefault() throws Exception {
        Path dir = Files.createTempDirectory("safeload-ort-");
        Path library = dir.resolve("libcustom.so");
        Files.write(library, new byte[] {0x7f, 'E', 'L', 'F'});
        String without = run(dir, false, "ort-custom-op", library.toString());
        assertTrue(without.contains("Failed to load library"), () -> "ONNX Runtime tries to dlopen it: " + without);
        String with = run(dir, true, "ort-custom-op", library.toString());
        assertTrue(with.startsWith("RESULT refused ai.onnxruntime.OrtException: safeload: refused model"), with);
        assertTrue(with.contains("model.native-library"), with);
    }

    @Test
    void refusesMaliciousTorchCheckpointBeforeDjlLooksUpAnEngine() throws Exception {
        Path dir = Files.createTempDirectory("safeload-djl-");
        Path modelDir = Files.createDirectories(dir.resolve("resnet"));
        Files.write(modelDir.resolve("resnet.pt"), TorchFiles.maliciousCheckpoint());

        // Without the agent DJL accepts the folder and hands back a model; nothing looks inside it.
        String without = run(dir, false, "djl-criteria", modelDir.toString());
        assertTrue(without.startsWith("RESULT ok ai.djl.repository.zoo.ZooModel"), without);

        String with = run(dir, true, "djl-criteria", modelDir.toString());
        assertTrue(with.startsWith("RESULT refused ai.djl.MalformedModelException: safeload: refused model"), with);
        assertTrue(with.contains("resnet.pt"), with);
    }

    @Test
    void refusesGadgetFileBeforeWekaOpensIt() throws Exception {
        Path dir = Files.createTempDirectory("safeload-weka-");
        Path marker = dir.resolve("pwned");
        Path model = dir.resolve("classifier.model");
        Files.write(model, Payloads.serialize(Payloads.commonsCollections3(marker.toString())));

        run(dir, false, "weka-file", model.toString());
        assertTrue(Files.exists(marker), "the chain runs through Weka without the agent");
        Files.delete(marker);

        String with = run(dir, true, "weka-file", model.toString());
        assertTrue(with.startsWith("RESULT refused java.io.InvalidClassException: safeload: refused model"), with);
        assertTrue(with.contains("java-serialization"), with);
        assertFalse(Files.exists(marker));
    }

    @Test
    void checksUserDeclaredHookWithoutConsumingTheCallersStream() throws Exception {
        Path dir = Files.createTempDirectory("safeload-hook-");
        Path bad = dir.resolve("model.bin");
        Files.write(bad, TorchFiles.maliciousCheckpoint());
        Path good = dir.resolve("weights.onnx");
        Files.write(good, OnnxModels.add());
        String hook = "model.hooks=dev.safeload.it.victim.ModelStore#load(0)";

        assertEquals("RESULT ok bytes=" + Files.size(bad), run(dir, (String) null, "model-store", bad.toString()));
        String refused = run(dir, hook, "model-store", bad.toString());
        assertTrue(refused.startsWith("RESULT refused java.lang.SecurityException: safeload: refused model"), refused);
        assertEquals("RESULT ok bytes=" + Files.size(good), run(dir, hook, "model-store", good.toString()),
                "the hooked method must still read every byte of the stream");
    }

    @Test
    void loadsAndScoresAnAllowedH2oMojoFromFileAndStream() throws Exception {
        Path dir = Files.createTempDirectory("safeload-h2o-");
        Path mojo = dir.resolve("isotonic.zip");
        Files.write(mojo, H2oMojos.zip(H2oMojos.entries("d000.txt")));
        String scored = "RESULT ok y(5)=0.5 kind=[red, blue]";
        assertEquals(scored, run(dir, false, "h2o-file", mojo.toString()), "the MOJO is one h2o-genmodel reads");
        assertEquals(scored, run(dir, true, "h2o-file", mojo.toString()));
        assertEquals(scored, run(dir, true, "h2o-stream", mojo.toString()),
                "the factory must still get every byte of the stream the check read");
        List<JsonNode> allowed = ViolationLog.withAction(ViolationLog.read(dir.resolve("violations.jsonl")), "model-allow");
        assertEquals("h2o-mojo", allowed.get(0).path("safeload.format").asText(), allowed::toString);
        assertEquals("h2o", allowed.get(0).path("safeload.library").asText(), allowed::toString);
    }

    @Test
    void refusesMojoFolderWhoseDomainFileIsOutsideIt() throws Exception {
        Path dir = Files.createTempDirectory("safeload-h2o-");
        Files.writeString(dir.resolve("secret.txt"), "hunter2\ns3cret\n");
        Path mojo = H2oMojos.folder(dir.resolve("mojo"), H2oMojos.entries("../../secret.txt"));

        String without = run(dir, false, "h2o-file", mojo.toString());
        assertEquals("RESULT ok y(5)=0.5 kind=[hunter2, s3cret]", without,
                "without the agent h2o-genmodel reads the file outside the MOJO into the model");

        String with = run(dir, true, "h2o-file", mojo.toString());
        assertTrue(with.startsWith("RESULT refused java.io.IOException: safeload: refused model"), with);
        assertTrue(with.contains("h2o.mojo.path.escape"), with);
        JsonNode event = ViolationLog.withAction(ViolationLog.read(dir.resolve("violations.jsonl")), "refuse").get(0);
        assertEquals("h2o-mojo", event.path("safeload.format").asText(), event::toString);
    }

    @Test
    void loadsXGBoostModelsInEveryFormatUnderTheAgent() throws Exception {
        Path dir = Files.createTempDirectory("safeload-xgb-");
        String trained = run(dir, false, "xgb-save", dir.toString());
        assertTrue(trained.startsWith("RESULT ok pred=[["), trained);
        String predicted = trained.substring("RESULT ok ".length());
        for (String file : List.of("model.json", "model.ubj", "model.deprecated")) {
            assertEquals("RESULT ok " + predicted, run(dir, true, "xgb-path", dir.resolve(file).toString()), file);
        }
        assertEquals("RESULT ok " + predicted, run(dir, true, "xgb-stream", dir.resolve("model.ubj").toString()));
        List<JsonNode> allowed = ViolationLog.withAction(ViolationLog.read(dir.resolve("violations.jsonl")), "model-allow");
        assertEquals("xgboost", allowed.get(0).path("safeload.format").asText(), allowed::toString);
    }

    @Test
    void refusesXGBoostTreeWhoseChildIndexWouldCrashTheJvm() throws Exception {
        Path dir = Files.createTempDirectory("safeload-xgb-");
        run(dir, false, "xgb-save", dir.toString());
        String json = Files.readString(dir.resolve("model.json"));
        String bad = json.replaceFirst("\"left_children\":\\[1,", "\"left_children\":[100000000,");
        assertTrue(!bad.equals(json), "the fixture has the tree this test edits");
        Path model = Files.writeString(dir.resolve("bad.json"), bad);

        ForkedJvm.Result without = ForkedJvm.on(Jdks.current()).workDir(dir).timeoutSeconds(120)
                .runMain(ModelVictim.class, "xgb-stream", model.toString());
        assertTrue(without.stdout().contains("loaded") && !without.stdout().contains("RESULT")
                && without.exitCode() != 0, () -> "XGBoost accepts the model and the JVM dies in predict: " + without);

        String with = run(dir, true, "xgb-stream", model.toString());
        assertTrue(with.startsWith("RESULT refused ml.dmlc.xgboost4j.java.XGBoostError: safeload: refused model"), with);
        assertTrue(with.contains("xgboost.tree.index"), with);
        String path = run(dir, true, "xgb-path", model.toString());
        assertTrue(path.startsWith("RESULT refused ml.dmlc.xgboost4j.java.XGBoostError: safeload: refused model"), path);
    }

    @Test
    void evaluatesAnAllowedPmmlModelUnderTheAgent() throws Exception {
        Path dir = Files.createTempDirectory("safeload-pmml-");
        Path model = Files.writeString(dir.resolve("regression.pmml"), PmmlFiles.regression());
        assertEquals("RESULT ok y(3)=7.0", run(dir, false, "pmml-evaluate", model.toString()));
        assertEquals("RESULT ok y(3)=7.0", run(dir, true, "pmml-evaluate", model.toString()));
        assertEquals("RESULT ok RegressionModel", run(dir, true, "pmml-unmarshal", model.toString()));
        assertEquals("RESULT ok RegressionModel", run(dir, true, "pmml-jaxb", model.toString()));
        List<JsonNode> allowed = ViolationLog.withAction(ViolationLog.read(dir.resolve("violations.jsonl")), "model-allow");
        assertEquals("pmml", allowed.get(0).path("safeload.format").asText(), allowed::toString);
    }

    @Test
    void refusesPmmlArchiveWhoseServiceClassPmmlUtilWouldRun() throws Exception {
        Path dir = Files.createTempDirectory("safeload-pmml-");
        Path jar = PmmlFiles.serviceJar(dir.resolve("model.pmml.jar"), ServicePmml.class);
        Path marker = dir.resolve("pwned");

        String without = run(dir, false, "pmml-load-url", jar.toString());
        assertTrue(without.startsWith("RESULT ok"), without);
        assertTrue(Files.exists(marker), "PMMLUtil.load(URL) runs the archive's code without the agent");
        Files.delete(marker);

        String with = run(dir, true, "pmml-load-url", jar.toString());
        assertTrue(with.startsWith("RESULT refused java.io.IOException: safeload: refused model"), with);
        assertTrue(with.contains("model.code-archive"), with);
        assertFalse(Files.exists(marker));
    }

    /** A DL4J ModelSerializer zip: a configuration naming DL4J's own classes, no parameters. */
    private static Path dl4jModel(Path file, byte[] preprocessor) throws Exception {
        String config = "{\"backpropType\":\"Standard\",\"confs\":[{\"layer\":{\"@class\":"
                + "\"org.deeplearning4j.nn.conf.layers.DenseLayer\",\"nin\":2,\"nout\":2}}],\"dataType\":\"FLOAT\"}";
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(file))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("configuration.json"));
            zip.write(config.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            zip.putNextEntry(new java.util.zip.ZipEntry("noParams.marker"));
            if (preprocessor != null) {
                zip.putNextEntry(new java.util.zip.ZipEntry("preprocessor.bin"));
                zip.write(preprocessor);
            }
        }
        return file;
    }

    @Test
    void refusesDl4jModelWhosePreprocessorCarriesAGadgetChain() throws Exception {
        Path dir = Files.createTempDirectory("safeload-dl4j-");
        Path marker = dir.resolve("pwned");
        Path model = dl4jModel(dir.resolve("model.zip"), Payloads.serialize(Payloads.commonsCollections3(marker.toString())));

        run(dir, false, "dl4j-restore", model.toString());
        assertTrue(Files.exists(marker), "ModelSerializer runs the chain in preprocessor.bin without the agent");
        Files.delete(marker);

        String with = run(dir, true, "dl4j-restore", model.toString());
        assertTrue(with.startsWith("RESULT refused java.io.IOException: safeload: refused model"), with);
        assertFalse(Files.exists(marker));
        JsonNode event = ViolationLog.withAction(ViolationLog.read(dir.resolve("violations.jsonl")), "refuse").get(0);
        assertEquals("dl4j", event.path("safeload.format").asText(), event::toString);
    }

    @Test
    void letsAValidDl4jModelThroughToTheSameStepAsWithoutTheAgent() throws Exception {
        Path dir = Files.createTempDirectory("safeload-dl4j-");
        Path model = dl4jModel(dir.resolve("model.zip"), null);
        // With nd4j-api alone DL4J stops where it first needs an ND4J backend, after the hook.
        String without = run(dir, false, "dl4j-restore", model.toString());
        assertEquals(without, run(dir, true, "dl4j-restore", model.toString()));
        List<JsonNode> allowed = ViolationLog.withAction(ViolationLog.read(dir.resolve("violations.jsonl")), "model-allow");
        assertEquals("dl4j", allowed.get(0).path("safeload.format").asText(), allowed::toString);
    }

    /**
     * Smile's and CoreNLP's model readers are not hooked at the file level: both read through
     * ObjectInputStream, whose guard judges every class before it is instantiated. Shown here
     * through the libraries' own readers, each with its twin.
     */
    @Test
    void guardsSmileAndCoreNlpFileReadersThroughTheStreamGuard() throws Exception {
        Path dir = Files.createTempDirectory("safeload-serial-readers-");
        Path benign = dir.resolve("benign.ser");
        Files.write(benign, Payloads.serialize(new java.util.ArrayList<>(List.of("a", "b"))));
        for (String reader : List.of("smile-read", "corenlp-read")) {
            Path marker = dir.resolve("pwned-" + reader);
            Path model = dir.resolve(reader + ".ser");
            Files.write(model, Payloads.serialize(Payloads.commonsCollections3(marker.toString())));

            run(dir, false, reader, model.toString());
            assertTrue(Files.exists(marker), reader + " runs the chain without the agent");
            Files.delete(marker);

            String with = run(dir, true, reader, model.toString());
            assertTrue(with.contains("InvalidClassException") && with.contains("safeload"), with);
            assertFalse(Files.exists(marker), reader);
            assertEquals("RESULT ok [a, b]", run(dir, true, reader, benign.toString()), reader);
        }
    }

    @Test
    void refusesPmmlWithADocumentTypeBeforeJaxbReadsIt() throws Exception {
        Path dir = Files.createTempDirectory("safeload-pmml-");
        Path secret = Files.writeString(dir.resolve("secret.txt"), "hunter2");
        String xxe = PmmlFiles.regression()
                .replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                        + "<!DOCTYPE PMML [<!ENTITY x SYSTEM \"" + secret.toUri() + "\">]>\n")
                .replace("<Header/>", "<Header><Annotation>&x;</Annotation></Header>");
        Path model = Files.writeString(dir.resolve("xxe.pmml"), xxe);

        // JAXB RI 4.0.6 refuses this document too (no payload to show here): the refusal is the
        // gate reading the file as JPMML's own parser does, so another JAXB runtime cannot differ.
        String without = run(dir, false, "pmml-jaxb", model.toString());
        assertTrue(without.startsWith("RESULT failed jakarta.xml.bind.UnmarshalException") && !without.contains("hunter2"),
                without);
        String with = run(dir, true, "pmml-jaxb", model.toString());
        assertTrue(with.startsWith("RESULT refused jakarta.xml.bind.UnmarshalException: safeload: refused model"), with);
        assertTrue(with.contains("pmml.doctype"), with);
    }
}
