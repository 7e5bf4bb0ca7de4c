package dev.safeload.model.onnx;

import static dev.safeload.model.onnx.OnnxProto.externalTensor;
import static dev.safeload.model.onnx.OnnxProto.graph;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.safeload.model.ModelPolicies;
import dev.safeload.model.ModelScanner;
import dev.safeload.model.ScanResult;
import dev.safeload.model.Verdict;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A folder scan attributes an ONNX model's external data file to the model. */
class OnnxFolderScanTest {

    @TempDir
    Path temp;

    private Map<String, ScanResult> scanFolder() throws IOException {
        Map<String, ScanResult> byName = new TreeMap<>();
        for (ScanResult r : new ModelScanner(ModelPolicies.defaults()).scan(temp)) {
            byName.put(temp.relativize(Path.of(r.path())).toString(), r);
        }
        return byName;
    }

    private void writeModel(String name, String location) throws IOException {
        Files.write(temp.resolve(name), OnnxProto.model(graph(externalTensor("W", location))).build());
    }

    @Test
    void allowsTheDataFileItsModelReferencesAndStillRefusesAnUnreferencedOne() throws IOException {
        writeModel("model.onnx", "weights/model.onnx.data");
        Files.createDirectories(temp.resolve("weights"));
        Files.write(temp.resolve("weights/model.onnx.data"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        Files.write(temp.resolve("stray.bin"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});

        Map<String, ScanResult> results = scanFolder();
        assertEquals(Verdict.ALLOW, results.get("model.onnx").verdict(), results.toString());
        ScanResult data = results.get("weights/model.onnx.data");
        assertEquals(Verdict.ALLOW, data.verdict(), data.toString());
        assertEquals(ModelScanner.RULE_EXTERNAL_DATA, data.findings().get(0).rule());
        ScanResult stray = results.get("stray.bin");
        assertEquals(Verdict.BLOCK, stray.verdict(), "the same bytes, referenced by no model, stay unknown");
        assertEquals(ModelScanner.RULE_UNKNOWN_FORMAT, stray.findings().get(0).rule());
    }

    @Test
    void attributesDataFileThatSortsBeforeItsModel() throws IOException {
        writeModel("z-model.onnx", "a-weights.bin");
        Files.write(temp.resolve("a-weights.bin"), new byte[] {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2});
        assertEquals(Verdict.ALLOW, scanFolder().get("a-weights.bin").verdict());
    }

    @Test
    void stillJudgesAReferencedDataFileThatIsAPickle() throws IOException {
        writeModel("model.onnx", "model.onnx.data");
        // GLOBAL os system: claimed by the pickle check, so its verdict stands.
        Files.write(temp.resolve("model.onnx.data"), "\u0080\u0002cos\nsystem\nq\u0000.".getBytes("ISO-8859-1"));
        ScanResult data = scanFolder().get("model.onnx.data");
        assertEquals(Verdict.BLOCK, data.verdict(), data.toString());
        assertTrue(data.findings().stream().noneMatch(f -> f.rule().equals(ModelScanner.RULE_EXTERNAL_DATA)));
    }

    @Test
    void readsOnlyTheHeadOfAThreeGigabyteExternalDataFile() throws IOException {
        writeModel("model.onnx", "model.onnx.data");
        long size = 3L << 30;
        try (RandomAccessFile data = new RandomAccessFile(temp.resolve("model.onnx.data").toFile(), "rw")) {
            data.setLength(size); // sparse: the zeros take no disk
            data.seek(0);
            data.write(new byte[] {0x3f, (byte) 0x80, 0, 0});
        }
        long before = bytesReadByThisProcess();
        List<ScanResult> results = new ModelScanner(ModelPolicies.defaults()).scan(temp);
        long read = bytesReadByThisProcess() - before;

        assertEquals(2, results.size());
        results.forEach(r -> assertEquals(Verdict.ALLOW, r.verdict(), r.toString()));
        if (read >= 0) {
            assertTrue(read < (64L << 20), "a verdict on a 3 GiB data file read " + read + " bytes");
        }
    }

    /** {@code rchar} of /proc/self/io: every byte this JVM read through a system call; -1 elsewhere. */
    private static long bytesReadByThisProcess() throws IOException {
        Path io = Path.of("/proc/self/io");
        assumeTrue(Files.isReadable(io), "needs Linux's /proc/self/io to count bytes read");
        for (String line : Files.readAllLines(io)) {
            if (line.startsWith("rchar:")) {
                return Long.parseLong(line.substring(6).trim());
            }
        }
        return -1;
    }
}
