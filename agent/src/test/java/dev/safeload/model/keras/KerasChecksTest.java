package dev.safeload.model.keras;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.model.Finding;
import dev.safeload.model.ModelPolicy;
import dev.safeload.model.ModelSource;
import dev.safeload.model.SparseSource;
import dev.safeload.model.ScanContext;
import dev.safeload.model.Severity;
import dev.safeload.model.keras.h5.KerasH5Check;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KerasChecksTest {

    private final KerasH5Check h5 = new KerasH5Check();
    private final KerasV3Check v3 = new KerasV3Check();

    @TempDir
    Path temp;

    // Keras 2 configs, as tf.keras writes them into model_config.

    static final String DENSE = "{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": 2,"
            + " \"activation\": \"relu\", \"kernel_initializer\": {\"class_name\": \"GlorotUniform\","
            + " \"config\": {\"seed\": null}}}}";
    static final String LAMBDA = "{\"class_name\": \"Lambda\", \"config\": {\"name\": \"evil\", \"function\":"
            + " [\"4wEAAAAAAAAAAAAAAAEAAAAB\", null, null], \"function_type\": \"lambda\", \"module\": \"__main__\"}}";

    static String sequential(String... layers) {
        return "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"sequential\", \"layers\": ["
                + String.join(", ", layers) + "]}, \"keras_version\": \"2.11.0\", \"backend\": \"tensorflow\"}";
    }

    static String wrapper(String wrapperClass, String layer) {
        return "{\"class_name\": \"" + wrapperClass + "\", \"config\": {\"name\": \"wrap\", \"layer\": " + layer
                + "}}";
    }

    // Keras 3 configs, as config.json in a .keras archive.

    static String keras3(String className, String module, String registeredName, String config) {
        return "{\"module\": " + quoted(module) + ", \"class_name\": \"" + className + "\", \"config\": " + config
                + ", \"registered_name\": " + quoted(registeredName) + "}";
    }

    static String functional(String... layers) {
        return keras3("Functional", "keras.src.models.functional", "Functional",
                "{\"name\": \"model\", \"layers\": [" + String.join(", ", layers) + "]}");
    }

    static final String DENSE_3 = keras3("Dense", "keras.layers", null, "{\"name\": \"d\", \"units\": 1,"
            + " \"activation\": " + keras3("function", "keras.activations", "relu", "\"relu\"") + "}");
    static final String LAMBDA_3 = keras3("Lambda", "keras.layers", null, "{\"name\": \"l\", \"function\": "
            + "{\"class_name\": \"__lambda__\", \"config\": {\"code\": \"YwAA\", \"defaults\": null,"
            + " \"closure\": null}}}");

    private static String quoted(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }

    private Path writeH5(String modelConfig, String trainingConfig) {
        Path file = temp.resolve("model-" + System.nanoTime() + ".h5");
        try (WritableHdfFile out = HdfFile.write(file)) {
            if (modelConfig != null) {
                out.putAttribute("model_config", modelConfig);
            }
            if (trainingConfig != null) {
                out.putAttribute("training_config", trainingConfig);
            }
            out.putAttribute("keras_version", "2.11.0");
            out.putGroup("model_weights").putGroup("dense").putDataset("kernel", new float[] {1f, 2f, 3f});
        }
        return file;
    }

    private List<Finding> checkH5(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        assertTrue(h5.sniff(bytes, bytes.length));
        List<Finding> fromFile;
        try (ModelSource source = ModelSource.of(file)) {
            fromFile = h5.check(source, null);
        }
        List<Finding> fromMemory = h5.check(ModelSource.of("memory.h5", bytes, null), null);
        assertEquals(rules(fromFile), rules(fromMemory), "file and in-memory reads disagree");
        return fromFile;
    }

    private static boolean blocks(List<Finding> findings) {
        return findings.stream().anyMatch(f -> f.severity().compareTo(Severity.HIGH) >= 0);
    }

    private static String rules(List<Finding> findings) {
        return findings.stream().map(Finding::rule).toList().toString();
    }

    @Test
    void allowsDenseH5Model() throws IOException {
        assertEquals(List.of(), checkH5(writeH5(sequential(DENSE, DENSE), "{\"loss\": \"mse\"}")));
    }

    @Test
    void allowsWeightsOnlyH5() throws IOException {
        assertEquals(List.of(), checkH5(writeH5(null, null)));
    }

    @Test
    void refusesLambdaLayerInH5() throws IOException {
        List<Finding> findings = checkH5(writeH5(sequential(DENSE, LAMBDA), null));
        assertEquals("[keras.lambda]", rules(findings));
        assertEquals(Severity.CRITICAL, findings.get(0).severity());
        assertTrue(findings.get(0).message().contains("evil"), findings.get(0).message());
    }

    @Test
    void refusesLambdaNestedInWrappers() throws IOException {
        for (String wrapperClass : List.of("TimeDistributed", "Bidirectional")) {
            List<Finding> findings = checkH5(writeH5(sequential(DENSE, wrapper(wrapperClass, LAMBDA)), null));
            assertEquals("[keras.lambda]", rules(findings), wrapperClass);
            assertTrue(findings.get(0).location().contains("layer"), findings.get(0).location());
        }
        String nested = sequential(DENSE, sequential(wrapper("TimeDistributed", sequential(LAMBDA))));
        assertEquals("[keras.lambda]", rules(checkH5(writeH5(nested, null))));
        assertEquals(List.of(), checkH5(writeH5(sequential(wrapper("TimeDistributed", DENSE)), null)));
    }

    @Test
    void refusesCustomRegisteredObjectsAndForeignModules() throws IOException {
        String custom = "{\"class_name\": \"Custom>Exfiltrate\", \"config\": {\"name\": \"x\"}}";
        assertEquals("[keras.custom-object]", rules(checkH5(writeH5(sequential(custom), null))));
        String foreign = keras3("Shell", "my_company.layers", "Shell", "{\"name\": \"s\"}");
        assertEquals("[keras.module]", rules(checkH5(writeH5(sequential(foreign), null))));
        String loss = "{\"loss\": " + keras3("function", "builtins", "function", "\"eval\"") + "}";
        assertEquals("[keras.module]", rules(checkH5(writeH5(sequential(DENSE), loss))));
    }

    @Test
    void refusesMalformedModelConfig() throws IOException {
        assertEquals("[keras.config.malformed]", rules(checkH5(writeH5("{\"class_name\": ", null))));
        String duplicate = "{\"class_name\": \"Dense\", \"class_name\": \"Lambda\"}";
        assertEquals("[keras.config.malformed]", rules(checkH5(writeH5(duplicate, null))));
    }

    @Test
    void readsOnlyRootAttributesOfTwoGigabyteH5() throws IOException {
        byte[] prefix = Files.readAllBytes(writeH5(sequential(DENSE, LAMBDA), null));
        long size = prefix.length + (2L << 30);
        SparseSource huge = new SparseSource("huge.h5", size, prefix);
        assertEquals("[keras.lambda]", rules(h5.check(huge, null)));
        assertTrue(huge.bytesRead() < 1024 * 1024, "read " + huge.bytesRead() + " bytes");
    }

    @Test
    void refusesUnreadableHdf5() throws IOException {
        byte[] bytes = Files.readAllBytes(writeH5(sequential(DENSE), null));
        byte[] broken = Arrays.copyOf(bytes, 96);
        List<Finding> findings = h5.check(ModelSource.of("broken.h5", broken, null), null);
        assertEquals("[keras.h5.unreadable]", rules(findings));
    }

    @Test
    void sniffsHdf5SignatureAfterUserBlock() {
        byte[] head = new byte[1024];
        byte[] signature = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1A, '\n'};
        System.arraycopy(signature, 0, head, 512, 8);
        assertTrue(h5.sniff(head, 4096));
        assertFalse(h5.sniff(new byte[1024], 4096));
    }

    // .keras archives

    private final List<String> nested = new ArrayList<>();

    private ScanContext context() {
        return new ScanContext() {
            @Override
            public ModelPolicy policy() {
                return null;
            }

            @Override
            public List<Finding> scanNested(ModelSource inner) throws IOException {
                nested.add(inner.name() + ":" + inner.size());
                return List.of();
            }
        };
    }

    private static byte[] zip(boolean stored, String... namesAndContents) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                byte[] content = namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8);
                ZipEntry entry = new ZipEntry(namesAndContents[i]);
                if (stored) {
                    CRC32 crc = new CRC32();
                    crc.update(content);
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(content.length);
                    entry.setCrc(crc.getValue());
                }
                out.putNextEntry(entry);
                out.write(content);
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private List<Finding> checkV3(byte[] bytes) throws IOException {
        assertTrue(v3.sniff(bytes, bytes.length), "sniff should claim the archive");
        return v3.check(ModelSource.of("model.keras", bytes, null), context());
    }

    private static final String METADATA = "{\"keras_version\": \"3.3.3\", \"date_saved\": \"2024-05-01\"}";

    @Test
    void allowsKerasArchiveAndScansItsOtherEntries() throws IOException {
        for (boolean stored : List.of(true, false)) {
            nested.clear();
            byte[] archive = zip(stored, "metadata.json", METADATA, "config.json", functional(DENSE_3),
                    "model.weights.h5", "not really hdf5");
            assertEquals(List.of(), checkV3(archive));
            assertEquals(List.of("model.keras!/model.weights.h5:15"), nested);
        }
    }

    @Test
    void refusesLambdaInKerasArchive() throws IOException {
        List<Finding> findings = checkV3(zip(false, "metadata.json", METADATA, "config.json",
                functional(DENSE_3, LAMBDA_3)));
        assertTrue(blocks(findings));
        assertTrue(rules(findings).contains("keras.lambda"), rules(findings));
        assertEquals(Severity.CRITICAL, findings.get(0).severity());
    }

    @Test
    void refusesLambdaSpelledForKeras3Lookup() throws IOException {
        String dotted = keras3("layers.Lambda", "keras", null, "{\"name\": \"l\"}");
        assertEquals("[keras.lambda]", rules(checkV3(zip(false, "config.json", functional(dotted)))));
        String registered = keras3("Identity", "keras.layers", "keras>Lambda", "{\"name\": \"l\"}");
        assertEquals("[keras.lambda]", rules(checkV3(zip(false, "config.json", functional(registered)))));
    }

    @Test
    void refusesKerasFunctionsThatAreNotMath() throws IOException {
        String getFile = keras3("function", "keras.utils", "get_file", "\"get_file\"");
        String layer = keras3("Dense", "keras.layers", null, "{\"name\": \"d\", \"activation\": " + getFile + "}");
        assertEquals("[keras.function]", rules(checkV3(zip(false, "config.json", functional(layer)))));
        String dotted = keras3("function", "keras", "x", "\"utils.get_file\"");
        String viaRoot = keras3("Dense", "keras.layers", null, "{\"name\": \"d\", \"activation\": " + dotted + "}");
        assertEquals("[keras.function]", rules(checkV3(zip(false, "config.json", functional(viaRoot)))));
    }

    @Test
    void refusesConfigHiddenBehindNulInEntryName() throws IOException {
        byte[] archive = zip(false, "metadata.json", METADATA, "config.json\0.txt", functional(LAMBDA_3));
        assertTrue(rules(checkV3(archive)).contains("keras.lambda"));
    }

    /**
     * zipfile 3.12+ names an entry by its Unicode Path field, 3.11 and miniz by the stored name:
     * either way round the archive is refused as ambiguous, whichever name the config sits under.
     */
    @Test
    void refusesArchiveWhoseUnicodePathFieldRenamesAnEntry() throws IOException {
        for (String[] names : new String[][] {{"config.json", "innocent.txt"}, {"innocent.txt", "config.json"}}) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream out =
                         new org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream(bytes)) {
                org.apache.commons.compress.archivers.zip.ZipArchiveEntry entry =
                        new org.apache.commons.compress.archivers.zip.ZipArchiveEntry(names[0]);
                entry.addExtraField(new org.apache.commons.compress.archivers.zip.UnicodePathExtraField(names[1],
                        names[0].getBytes(StandardCharsets.UTF_8)));
                out.putArchiveEntry(entry);
                out.write(functional(LAMBDA_3).getBytes(StandardCharsets.UTF_8));
                out.closeArchiveEntry();
            }
            List<Finding> findings = v3.check(ModelSource.of("u.keras", bytes.toByteArray(), null), context());
            assertTrue(blocks(findings) && rules(findings).contains("zip.ambiguous"), names[0] + " / " + names[1] + ": " + findings);
            assertEquals(names[0].equals("config.json"), rules(findings).contains("keras.lambda"), rules(findings));
        }
    }

    @Test
    void checksEveryConfigEntryWhenNamesRepeat() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // java.util.zip refuses duplicate names, so the second entry is renamed in the bytes.
        byte[] archive = zip(false, "config.json", functional(DENSE_3), "config.jsoX", functional(LAMBDA_3));
        String text = new String(archive, StandardCharsets.ISO_8859_1).replace("config.jsoX", "config.json");
        bytes.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(rules(checkV3(bytes.toByteArray())).contains("keras.lambda"));
    }

    @Test
    void refusesMalformedArchivesAndConfigs() throws IOException {
        byte[] archive = zip(false, "metadata.json", METADATA, "config.json", functional(DENSE_3));
        List<Finding> truncated = v3.check(ModelSource.of("t.keras", Arrays.copyOf(archive, archive.length - 30),
                null), context());
        assertEquals("[keras.zip.malformed]", rules(truncated));
        assertEquals("[keras.config.malformed]", rules(checkV3(zip(false, "config.json", "[1, 2"))));
    }

    @Test
    void refusesConfigThatInflatesPastTheLimit() throws IOException {
        String bomb = "{" + " ".repeat((int) KerasV3Check.MAX_CONFIG_BYTES) + "}";
        assertEquals("[keras.config.too-large]", rules(checkV3(zip(false, "metadata.json", METADATA,
                "config.json", bomb))));
    }

    @Test
    void findsConfigPastTheHeadThroughTheCentralDirectory() throws IOException {
        String padding = new java.util.Random(7).ints(100_000, 'a', 'z' + 1)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        byte[] archive = zip(true, "assets/padding.txt", padding, "config.json", functional(LAMBDA_3));
        byte[] head = Arrays.copyOf(archive, 64 * 1024);
        assertFalse(v3.sniff(head, archive.length), "the head alone cannot show config.json");
        ModelSource source = ModelSource.of("late.keras", archive, null);
        assertTrue(v3.sniff(source, head));
        assertTrue(rules(v3.check(source, context())).contains("keras.lambda"));

        byte[] torchLike = zip(true, "archive/padding.bin", padding, "archive/data.pkl", "x");
        assertFalse(v3.sniff(ModelSource.of("t.pt", torchLike, null), Arrays.copyOf(torchLike, 64 * 1024)));
        byte[] notZip = new byte[100_000];
        assertFalse(v3.sniff(ModelSource.of("zeros", notZip, null), Arrays.copyOf(notZip, 64 * 1024)));
    }

    @Test
    void sniffsKerasArchivesButNotOtherZips() throws IOException {
        assertTrue(v3.sniff(zip(false, "metadata.json", METADATA, "config.json", "{}"), 0));
        assertFalse(v3.sniff(zip(false, "archive/data.pkl", "x", "archive/version", "3"), 0));
        assertFalse(v3.sniff(zip(false, "arr_0.npy", "x"), 0));
        assertFalse(v3.sniff(zip(false, "archive/config.json", "{}"), 0));
    }

    @Test
    void turnsCorruptedFilesIntoFindingsNeverExceptions() throws IOException {
        byte[] hdf5 = Files.readAllBytes(writeH5(sequential(DENSE, LAMBDA), "{\"loss\": \"mse\"}"));
        byte[] archive = zip(false, "metadata.json", METADATA, "config.json", functional(DENSE_3, LAMBDA_3),
                "model.weights.h5", "weights");
        Random random = new Random(20261127);
        for (int i = 0; i < 300; i++) {
            byte[] badH5 = corrupt(hdf5, random);
            byte[] badZip = corrupt(archive, random);
            int round = i;
            assertDoesNotThrow(() -> h5.check(ModelSource.of("corrupt.h5", badH5, null), null),
                    () -> "h5 corruption " + round);
            assertDoesNotThrow(() -> v3.check(ModelSource.of("corrupt.keras", badZip, null), context()),
                    () -> "zip corruption " + round);
        }
    }

    /** Flips a few bits or bytes of {@code good}, and sometimes cuts it short. */
    static byte[] corrupt(byte[] good, Random random) {
        byte[] bad = good.clone();
        for (int n = 1 + random.nextInt(4); n > 0; n--) {
            int at = random.nextInt(bad.length);
            bad[at] = (byte) (random.nextInt(3) == 0 ? random.nextInt(256) : bad[at] ^ 1 << random.nextInt(8));
        }
        return random.nextInt(10) == 0 ? Arrays.copyOf(bad, random.nextInt(bad.length)) : bad;
    }
}
