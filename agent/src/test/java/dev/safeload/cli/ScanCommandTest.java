package dev.safeload.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.safeload.model.pickle.PickleBuilder;
import dev.safeload.model.pickle.PickleOp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
