package dev.safeload.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.safeload.model.pickle.PickleBuilder;
import dev.safeload.model.pickle.PickleOp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScanCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static Path fixtures(Path dir) throws Exception {
        Files.write(dir.resolve("good.pkl"), PickleBuilder.proto(2).stateDict("w").stop().bytes());
        Files.write(dir.resolve("bad.pkl"), PickleBuilder.proto(2).call("os", "system", "id").stop().bytes());
        return dir;
    }

    @Test
    void writesOneJsonDocumentAndExitsOneWhenAnythingIsBlocked(@TempDir Path dir) throws Exception {
        assertEquals(1, run("scan", "--format", "json", fixtures(dir).toString()));
        JsonNode doc = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertEquals(2, doc.get("results").size());
        JsonNode bad = doc.get("results").get(0);
        assertEquals("block", bad.get("verdict").asText());
        assertEquals("pickle", bad.get("format").asText());
        assertEquals(64, bad.get("sha256").asText().length());
        assertEquals("pickle.import.dangerous", bad.get("findings").get(0).get("rule").asText());
        assertEquals("critical", bad.get("findings").get(0).get("severity").asText());
        assertEquals(1, doc.get("summary").get("blocked").asInt());
    }

    @Test
    void jsonAndSarifReportsAreTheTextAnIndentingObjectMapperWrites(@TempDir Path dir) throws Exception {
        // The CLI writes its reports with jackson-core alone (databind is not bundled); the
        // documents must stay byte for byte what ObjectMapper with INDENT_OUTPUT wrote before.
        ObjectMapper indenting = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Map<String, Object> odd = new LinkedHashMap<>();
        odd.put("null", null);
        odd.put("empty list", List.of());
        odd.put("empty map", Map.of());
        odd.put("text", "quote \" backslash \\ tab \t bidi \u202e é \u0001");
        odd.put("numbers", List.of(0, -1, Integer.MAX_VALUE, Long.MIN_VALUE));
        odd.put("flags", List.of(true, false));
        odd.put("nested", List.of(Map.of("a", List.of(Map.of()))));
        assertEquals(indenting.writeValueAsString(odd), ScanCommand.indentedJson(odd));

        assertEquals(1, run("scan", "--format", "json", fixtures(dir).toString()));
        String written = out.toString(StandardCharsets.UTF_8).strip();
        Object tree = new ObjectMapper().readValue(written, Object.class);
        assertEquals(indenting.writeValueAsString(tree), written);
        out.reset();
        assertEquals(1, run("scan", "--format", "sarif", dir.toString()));
        written = out.toString(StandardCharsets.UTF_8).strip();
        assertEquals(indenting.writeValueAsString(new ObjectMapper().readValue(written, Object.class)), written);
    }

    @Test
    void exitsZeroWhenEverythingIsAllowed(@TempDir Path dir) throws Exception {
        fixtures(dir);
        assertEquals(0, run("scan", dir.resolve("good.pkl").toString()));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("ALLOW"));
    }

    @Test
    void writesSarifForCodeScanning(@TempDir Path dir) throws Exception {
        assertEquals(1, run("scan", "--format=sarif", fixtures(dir).toString()));
        JsonNode doc = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertEquals("2.1.0", doc.get("version").asText());
        JsonNode run = doc.get("runs").get(0);
        assertEquals("safeload", run.get("tool").get("driver").get("name").asText());
        JsonNode result = run.get("results").get(0);
        assertEquals("error", result.get("level").asText());
        assertTrue(result.get("locations").get(0).get("physicalLocation").get("artifactLocation").get("uri").asText().endsWith("bad.pkl"));
        assertEquals(1, result.get("locations").get(0).get("physicalLocation").get("region").get("startLine").asInt());
        assertEquals(result.get("ruleId").asText(), run.get("tool").get("driver").get("rules").get(0).get("id").asText());
    }

    @Test
    void exitsTwoOnUsageAndIoErrorsAndUnknownPolicyKeys(@TempDir Path dir) throws Exception {
        assertEquals(2, run("scan"));
        assertEquals(2, run("scan", "--format", "xml", dir.toString()));
        assertEquals(2, run("scan", dir.resolve("missing.pt").toString()));
        Path policy = dir.resolve("policy.properties");
        Files.writeString(policy, "serial.allow=a.B\nmodel.pickle.alow=sklearn.**\n");
        assertEquals(2, run("scan", "--policy", policy.toString(), dir.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("model.pickle.alow"));
    }

    @Test
    void readsModelKeysOfAPolicyFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("tree.pkl");
        Files.write(f, PickleBuilder.proto(2).global("sklearn.tree", "DecisionTreeClassifier").op(PickleOp.EMPTY_TUPLE)
                .op(PickleOp.REDUCE).op(PickleOp.STOP).bytes());
        assertEquals(1, run("scan", f.toString()));
        Path policy = dir.resolve("policy.properties");
        Files.writeString(policy, "mode=enforce\nmodel.pickle.allow=sklearn.**\n");
        assertEquals(0, run("scan", "--policy", policy.toString(), f.toString()));
    }

    /** A Hugging Face style folder: one model and the files that always sit beside it. */
    private static Path modelFolder(Path dir) throws Exception {
        Files.write(dir.resolve("model.pkl"), PickleBuilder.proto(2).stateDict("w").stop().bytes());
        Files.writeString(dir.resolve("README.md"), "---\nlicense: apache-2.0\n---\n# A model\n\tUse it well.\n");
        Files.writeString(dir.resolve("LICENSE"), "Apache License\nVersion 2.0, January 2004\n");
        Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"BertModel\"], \"hidden_size\": 768}");
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"vocab\": {\"[PAD]\": 0, \"é\": 1}}}");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"do_lower_case\": true}");
        Files.writeString(dir.resolve("generation_config.json"), "{}");
        Files.writeString(dir.resolve("vocab.txt"), "[PAD]\n[UNK]\nthe\n");
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\nt h\n");
        Files.writeString(dir.resolve(".gitattributes"), "*.bin filter=lfs diff=lfs merge=lfs -text\n");
        return dir;
    }

    private JsonNode json() throws Exception {
        return new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
    }

    private static JsonNode result(JsonNode doc, String fileName) {
        for (JsonNode r : doc.get("results")) {
            if (Path.of(r.get("path").asText()).getFileName().toString().equals(fileName)) {
                return r;
            }
        }
        throw new AssertionError("no result for " + fileName + " in " + doc);
    }

    @Test
    void skipsTheReadmeLicenceConfigsAndTokenizersOfAModelFolder(@TempDir Path dir) throws Exception {
        assertEquals(0, run("scan", "--format", "json", modelFolder(dir).toString()), err::toString);
        JsonNode doc = json();
        for (String name : List.of("README.md", "LICENSE", "config.json", "tokenizer.json", "tokenizer_config.json",
                "generation_config.json", "vocab.txt", "merges.txt", ".gitattributes")) {
            JsonNode r = result(doc, name);
            assertEquals("skipped", r.get("verdict").asText(), r::toString);
            assertEquals("model.skipped", r.get("findings").get(0).get("rule").asText(), r::toString);
            assertTrue(r.get("findings").get(0).get("message").asText().contains("content checked"), r::toString);
        }
        assertEquals("allow", result(doc, "model.pkl").get("verdict").asText());
        assertEquals(9, doc.get("summary").get("skipped").asInt());
        assertEquals(1, doc.get("summary").get("allowed").asInt());
    }

    @Test
    void blocksAFileWhoseContentIsNotWhatItsCompanionNameSays(@TempDir Path dir) throws Exception {
        modelFolder(dir);
        // A pickle named config.json is checked as the pickle it is.
        Files.write(dir.resolve("config.json"), PickleBuilder.proto(2).call("os", "system", "id").stop().bytes());
        // JSON with trailing bytes, text with a NUL, Latin-1 "text", binary named LICENSE.
        Files.writeString(dir.resolve("tokenizer.json"), "{\"a\": 1} {\"b\": 2}");
        Files.write(dir.resolve("vocab.txt"), "[PAD]\n\0\u0001\n".getBytes(StandardCharsets.UTF_8));
        Files.write(dir.resolve("merges.txt"), new byte[] {'t', ' ', (byte) 0xe9, '\n'});
        Files.write(dir.resolve("LICENSE"), new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        // A protocol-0 pickle is printable text: the pickle check claims it before any skip.
        Files.writeString(dir.resolve("NOTES.md"), "cos\nsystem\n(S'id'\ntR.");

        assertEquals(1, run("scan", "--format", "json", dir.toString()));
        JsonNode doc = json();
        assertEquals("pickle.import.dangerous", result(doc, "config.json").get("findings").get(0).get("rule").asText());
        assertEquals("pickle.import.dangerous", result(doc, "NOTES.md").get("findings").get(0).get("rule").asText());
        for (String name : List.of("config.json", "tokenizer.json", "vocab.txt", "merges.txt", "LICENSE", "NOTES.md")) {
            assertEquals("block", result(doc, name).get("verdict").asText(), name);
        }
        assertEquals("skipped", result(doc, "README.md").get("verdict").asText());
    }

    @Test
    void keepsBlockingUnknownBinaryContentWithAnUnknownName(@TempDir Path dir) throws Exception {
        modelFolder(dir);
        Files.write(dir.resolve("weights.bin"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertEquals(1, run("scan", dir.toString()));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("BLOCK  " + dir.resolve("weights.bin")));
    }

    @Test
    void leavesOutFilesMatchingAnExcludeGlobByNameOrRelativePath(@TempDir Path dir) throws Exception {
        modelFolder(dir);
        Files.write(dir.resolve("weights.bin"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        Files.createDirectories(dir.resolve("onnx"));
        Files.write(dir.resolve("onnx/model.onnx_data"), new byte[] {9, 9, 9, 9});

        assertEquals(0, run("scan", "--format", "json", "--exclude", "*.bin", "--exclude=onnx/**", dir.toString()),
                out::toString);
        JsonNode doc = json();
        assertEquals(10, doc.get("summary").get("files").asInt(), doc::toString);
        assertEquals(2, run("scan", "--exclude", "[", dir.toString()), "a bad glob is a usage error");
    }

    @Test
    void failsOnTheSeverityThresholdGiven(@TempDir Path dir) throws Exception {
        Path unknown = dir.resolve("weights.bin");
        Files.write(unknown, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}); // model.format.unknown: HIGH
        Path dangerous = dir.resolve("bad.pkl");
        Files.write(dangerous, PickleBuilder.proto(2).call("os", "system", "id").stop().bytes()); // CRITICAL
        Path info = dir.resolve("pinned.pkl");
        Files.write(info, PickleBuilder.proto(2).stateDict("w").stop().bytes());

        assertEquals(1, run("scan", unknown.toString()), "default: what blocks fails");
        assertEquals(0, run("scan", "--fail-on", "critical", unknown.toString()));
        assertEquals(1, run("scan", "--fail-on", "CRITICAL", dangerous.toString()));
        assertEquals(0, run("scan", "--fail-on", "info", info.toString()), "a clean file has no finding");
        Files.writeString(dir.resolve("README.md"), "# notes\n");
        assertEquals(0, run("scan", "--fail-on", "info", dir.resolve("README.md").toString()),
                "a skipped file is no finding about a model");
        assertEquals(2, run("scan", "--fail-on", "severe", unknown.toString()));
    }

    @Test
    void showsProgressOnlyWhenAskedForATerminal(@TempDir Path dir) throws Exception {
        modelFolder(dir);
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);

        assertEquals(0, ScanCommand.run(new String[] {dir.toString()}, o, e, -1));
        assertEquals("", err.toString(StandardCharsets.UTF_8));
        assertEquals(0, ScanCommand.run(new String[] {dir.toString()}, o, e, 0));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("safeload: scanned 1 file(s) of " + dir + ", at "), err::toString);
    }

    @Test
    void namesTheReasonWhenAFileNamedDirectlyCannotBeScanned(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("pipe.onnx");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());

        assertEquals(2, run("scan", fifo.toString()));
        assertEquals("safeload: cannot scan: " + fifo + ": not a regular file\n", err.toString(StandardCharsets.UTF_8));
    }
}
