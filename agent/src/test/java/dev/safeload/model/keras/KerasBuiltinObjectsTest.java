package dev.safeload.model.keras;

import static dev.safeload.model.Scans.assertAllowed;
import static dev.safeload.model.Scans.assertBlocked;
import static dev.safeload.model.Scans.scan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.model.Finding;
import dev.safeload.model.ScanResult;
import dev.safeload.model.Severity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

/** Every object of a Keras config must be a listed built-in, by every name Keras resolves it through. */
class KerasBuiltinObjectsTest {

    private static List<String> rules(String config) throws IOException {
        List<Finding> findings = new ArrayList<>();
        KerasConfig.inspect(new StringReader(config), "config.json", findings);
        return findings.stream().map(Finding::rule).toList();
    }

    private static String keras3(String className, String module, String registeredName, String config) {
        return "{\"module\": " + q(module) + ", \"class_name\": \"" + className + "\", \"config\": " + config
                + ", \"registered_name\": " + q(registeredName) + "}";
    }

    private static String q(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }

    private static String dense(String activation) {
        return keras3("Dense", "keras.layers", null, "{\"name\": \"d\", \"units\": 2, \"activation\": " + activation
                + ", \"kernel_initializer\": " + keras3("GlorotUniform", "keras.initializers", null,
                "{\"seed\": null}") + "}");
    }

    private static String sequential(String... layers) {
        return keras3("Sequential", "keras", null, "{\"name\": \"s\", \"layers\": [" + String.join(", ", layers)
                + "]}");
    }

    @Test
    void allowsBuiltInLayersInitializersAndActivationsInEverySpelling() throws IOException {
        String relu = keras3("function", "keras.activations", "relu", "\"relu\"");
        String src = keras3("function", "keras.src.activations.activations", "gelu", "\"gelu\"");
        assertEquals(List.of(), rules(sequential(dense(relu), dense(src), dense("\"tanh\""))));
        String compile = "{\"module\": \"keras\", \"class_name\": \"Functional\", \"config\": {\"name\": \"f\","
                + " \"layers\": []}, \"registered_name\": \"Functional\", \"compile_config\": {\"optimizer\": "
                + keras3("Adam", "keras.optimizers", null, "{\"learning_rate\": 0.001}") + ", \"loss\": "
                + keras3("MeanSquaredError", "keras.losses", null, "{\"reduction\": \"sum_over_batch_size\"}")
                + ", \"metrics\": [\"mae\"]}}";
        assertEquals(List.of(), rules(compile));
        // tf.keras 2.11+ H5 training_config names its optimizers Custom>Adam.
        assertEquals(List.of(), rules("{\"optimizer_config\": {\"class_name\": \"Custom>Adam\", \"config\":"
                + " {\"learning_rate\": 0.001}}, \"loss\": \"mse\"}"));
    }

    @Test
    void refusesFunctionReachedThroughAnActivationDict() throws IOException {
        // Not class_name "function" in a math module, but a class Keras imports from module + name.
        String viaClass = keras3("get_file", "keras.utils", null, "{}");
        assertEquals(List.of("keras.unknown-object"), rules(sequential(dense(viaClass))));
        String unknownFn = keras3("function", "keras.activations", "deserialize", "\"deserialize\"");
        assertEquals(List.of("keras.unknown-function"), rules(sequential(dense(unknownFn))));
        String registeredElsewhere = keras3("function", "keras.activations", "my_pkg>hook", "\"relu\"");
        assertTrue(rules(sequential(dense(registeredElsewhere))).contains("keras.custom-object"));
        assertEquals(List.of("keras.unknown-function"), rules(sequential(dense("\"get\""))));
    }

    @Test
    void refusesLambdaObjectAsActivation() throws IOException {
        String lambda = "{\"class_name\": \"__lambda__\", \"config\": {\"value\": \"YwAAAA\"}}";
        assertEquals(List.of("keras.lambda"), rules(sequential(dense(lambda))));
    }

    @Test
    void refusesUnknownObjectsNestedInWrappers() throws IOException {
        String unknown = keras3("Evil", "keras.layers", null, "{\"name\": \"e\"}");
        for (String wrapper : List.of("Bidirectional", "TimeDistributed")) {
            String wrapped = keras3(wrapper, "keras.layers", null, "{\"name\": \"w\", \"layer\": " + unknown + "}");
            assertEquals(List.of("keras.unknown-object"), rules(sequential(sequential(wrapped))), wrapper);
        }
        // A listed name from a module that holds no built-in classes could be anything there.
        assertEquals(List.of("keras.unknown-object"), rules(sequential(keras3("Dense", "keras.src.utils.file_utils",
                null, "{\"name\": \"d\"}"))));
        assertEquals(List.of(), rules(sequential(keras3("Dense", "keras.src.layers.core.dense", null,
                "{\"name\": \"d\"}"))));
        String kerasHub = keras3("Backbone", "keras_hub.src.models.backbone", "keras_hub>Backbone", "{}");
        assertEquals(List.of("keras.unknown-object"), rules(sequential(kerasHub)));
        assertEquals(List.of("keras.unknown-object"), rules(sequential(keras3("__typespec__", "keras", null, "{}"))));
    }

    @Test
    void refusesTfOpLambdaThatCallsMoreThanMath() throws IOException {
        String math = "{\"class_name\": \"TFOpLambda\", \"config\": {\"name\": \"tf.math.add\", \"function\":"
                + " \"math.add\"}}";
        assertEquals(List.of(), rules(math));
        String write = "{\"class_name\": \"TFOpLambda\", \"config\": {\"name\": \"w\", \"function\": \"io.write_file\"}}";
        assertEquals(List.of("keras.tf-op"), rules(write));
    }

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = KerasBuiltinObjectsTest.class.getResourceAsStream("lookup/" + name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void allowsAnAdaptedStringLookupWithItsVocabularyAsset() throws IOException {
        ScanResult r = scan("adapted-string-lookup.keras", fixture("adapted-string-lookup.keras"));
        assertAllowed(r);
        assertTrue(r.findings().stream().anyMatch(f -> f.rule().equals("keras.asset")
                && f.location().endsWith("assets/layers/string_lookup/vocabulary.txt")), r.toString());
    }

    @Test
    void stillJudgesAnAssetThatIsAModelOfItsOwn() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("config.json"));
            zip.write(sequential(dense("\"relu\"")).getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry("assets/layers/x/vocabulary.txt"));
            zip.write("\u0080\u0002cos\nsystem\nq\u0000.".getBytes(StandardCharsets.ISO_8859_1));
            zip.putNextEntry(new ZipEntry("stray.bin"));
            zip.write("just text".getBytes(StandardCharsets.UTF_8));
        }
        ScanResult r = scan("m.keras", bytes.toByteArray());
        assertEquals(dev.safeload.model.Verdict.BLOCK, r.verdict());
        assertTrue(r.findings().stream().anyMatch(f -> f.location().endsWith("stray.bin")
                && f.rule().equals("model.format.unknown")), "outside assets/, unknown content stays unknown: " + r);
        assertTrue(r.findings().stream().noneMatch(f -> f.rule().equals("keras.asset")), r.toString());
    }

    @Test
    void refusesLookupVocabularyReadFromAPathOutsideTheArchive() throws IOException {
        assertBlocked(scan("v.keras", fixture("vocabulary-path.keras")), "keras.vocabulary-file", Severity.CRITICAL);
        assertBlocked(scan("t.keras", fixture("text-vectorization-path.keras")), "keras.vocabulary-file",
                Severity.CRITICAL);
        assertEquals(List.of(), rules(sequential(keras3("IntegerLookup", "keras.layers", null,
                "{\"name\": \"i\", \"vocabulary\": [1, 2, 3]}"))), "a vocabulary given as a list is data");
    }

    @Test
    void refusesTfsmLayer() throws IOException {
        assertBlocked(scan("tfsm.keras", fixture("tfsm-layer.keras")), "keras.file-layer", Severity.CRITICAL);
    }

    @Test
    void passesRealKerasConfigsOfEverySpelling() throws IOException {
        for (String name : List.of("sequential-keras-3.6.json", "sequential-keras-3.3.json", "sequential-keras-2.2.5.json")) {
            try (InputStream in = KerasBuiltinObjectsTest.class.getResourceAsStream("real-configs/" + name)) {
                assertEquals(List.of(), rules(new String(in.readAllBytes(), StandardCharsets.UTF_8)), name);
            }
        }
    }
}
