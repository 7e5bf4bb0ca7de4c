package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.it.support.ConsoleProcess;
import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.OnnxModels;
import dev.safeload.it.support.Payloads;
import dev.safeload.it.support.TorchFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The library hooks are entry edits written when a class loads; a JVM that loaded the libraries
 * before the agent was attached gets them by retransformation: an exact class (Weka, ONNX
 * Runtime), a subtype found by its hierarchy (DJL's engine model) and a {@code model.hooks} class.
 */
class LibraryHooksOnAttachTest {

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void hooksLibrariesTheJvmLoadedBeforeTheAgentWasAttached(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-attach-hooks-");
        Path marker = dir.resolve("pwned");
        Path wekaBad = dir.resolve("classifier.model");
        Files.write(wekaBad, Payloads.serialize(Payloads.commonsCollections3(marker.toString())));
        Path wekaGood = dir.resolve("good.model");
        Files.write(wekaGood, Payloads.serialize(new java.util.ArrayList<>(java.util.List.of("a", "b"))));
        Path onnx = dir.resolve("add.onnx");
        Files.write(onnx, OnnxModels.add());
        Path models = Files.createDirectories(dir.resolve("models/inner"));
        Files.write(dir.resolve("secret.bin"), new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, 0x40});
        Path escape = models.resolve("escape.onnx");
        Files.write(escape, OnnxModels.addWithExternalInitializer("../../secret.bin"));
        Path djlGood = Files.createDirectories(dir.resolve("djl-good"));
        Files.write(djlGood.resolve("add.onnx"), OnnxModels.add());
        Path djlBad = Files.createDirectories(dir.resolve("resnet"));
        Files.write(djlBad.resolve("resnet.pt"), TorchFiles.maliciousCheckpoint());
        Path checkpoint = dir.resolve("model.bin");
        Files.write(checkpoint, TorchFiles.maliciousCheckpoint());

        try (ConsoleProcess console = ConsoleProcess.start(jdk, dir, null, "-XX:+EnableDynamicAgentLoading")) {
            // Unprotected, every library is loaded and each bad model goes through: the twins of the refusals below.
            assertEquals("RESULT ok [a, b]", console.send("weka " + wekaGood));
            assertTrue(console.send("weka " + wekaBad).startsWith("RESULT "));
            assertTrue(Files.exists(marker), "the chain runs through Weka in the unprotected JVM");
            Files.delete(marker);
            assertTrue(console.send("ort " + onnx).startsWith("RESULT ok"));
            assertTrue(console.send("ort " + escape).startsWith("RESULT ok"), "ONNX Runtime reads outside the model folder");
            assertTrue(console.send("djl " + djlBad).startsWith("RESULT ok"), "DJL's engine model loads any folder");
            assertEquals("RESULT ok bytes=" + Files.size(checkpoint), console.send("store " + checkpoint));

            ForkedJvm.Result attach = ForkedJvm.on(Jdks.current()).workDir(dir).runJar(ForkedJvm.agentJar(), "attach",
                    String.valueOf(console.pid()), "log=" + dir.resolve("v.jsonl")
                            + ",model.hooks=dev.safeload.it.victim.ModelStore#load(0)");
            assertEquals(0, attach.exitCode(), attach::toString);
            String stderr = Files.readString(dir.resolve("console-stderr.txt"));
            assertTrue(stderr.lines().noneMatch(l -> l.contains("cannot hook") && (l.contains("weka.") || l.contains("ai.")
                    || l.contains("ModelStore"))), stderr);

            String weka = console.send("weka " + wekaBad);
            assertTrue(weka.startsWith("RESULT refused java.io.InvalidClassException: safeload: refused model"), weka);
            assertFalse(Files.exists(marker));
            String ort = console.send("ort " + escape);
            assertTrue(ort.startsWith("RESULT refused ai.onnxruntime.OrtException: safeload: refused model"), ort);
            String djl = console.send("djl " + djlBad);
            assertTrue(djl.startsWith("RESULT refused ai.djl.MalformedModelException: safeload: refused model"), djl);
            String store = console.send("store " + checkpoint);
            assertTrue(store.startsWith("RESULT refused java.lang.SecurityException: safeload: refused model"), store);

            // What is allowed still loads, through the same hooks.
            assertEquals("RESULT ok [a, b]", console.send("weka " + wekaGood));
            assertTrue(console.send("ort " + onnx).startsWith("RESULT ok"));
            assertTrue(console.send("djl " + djlGood).startsWith("RESULT ok"));
        }
    }
}
