package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.Jdks;
import io.airlift.compress.zstd.ZstdOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.LZMAOutputStream;
import org.tukaani.xz.XZOutputStream;

/**
 * {@code java -jar safeload-agent.jar scan} on every format and every codec: the jar bundles only
 * the library classes the agent reaches (minimizeJar), and the unit tests run against classes,
 * not the jar, so only a scan through the jar shows nothing that runs was left out. A class
 * missing from the jar turns a verdict into a scan error, or the exit code into a crash.
 */
class ShadedJarFormatsTest {

    /** {@code {"w": 1}}, protocol 2. */
    private static final byte[] BENIGN = bytes(0x80, 2, '}', 'q', 0, 'X', 1, 0, 0, 0, 'w', 'q', 1, 'K', 1, 's', '.');
    /** {@code posix.system("id")}, protocol 2. */
    private static final byte[] EVIL = concat("\u0080\u0002cposix\nsystem\nq\u0000X\u0002\u0000\u0000\u0000idq\u0001"
            + "\u0085q\u0002Rq\u0003.");

    private static final Path AGENT_FIXTURES = Path.of("../agent/src/test/resources/dev/safeload/model");

    interface Compressor {
        OutputStream wrap(OutputStream out) throws IOException;
    }

    /** Every codec the scanner opens, each read by a different bundled library (or the JDK). */
    private static final Map<String, Compressor> CODECS = new LinkedHashMap<>();

    static {
        CODECS.put("gzip", GZIPOutputStream::new);
        CODECS.put("zlib", DeflaterOutputStream::new);
        CODECS.put("bz2", BZip2CompressorOutputStream::new);
        CODECS.put("lz4", FramedLZ4CompressorOutputStream::new);
        CODECS.put("xz", out -> new XZOutputStream(out, new LZMA2Options()));
        CODECS.put("lzma", out -> new LZMAOutputStream(out, new LZMA2Options(), -1));
        CODECS.put("zstd", ZstdOutputStream::new);
    }

    @Test
    void decompressesEveryCodecWithTheBundledLibrariesAndJudgesTheContent(@TempDir Path dir) throws Exception {
        Map<String, String> expected = new TreeMap<>();
        for (Map.Entry<String, Compressor> codec : CODECS.entrySet()) {
            Path benign = dir.resolve("benign.joblib." + codec.getKey());
            Files.write(benign, compress(codec.getValue(), BENIGN));
            expected.put(benign.toString(), "allow " + codec.getKey() + " []");
            Path evil = dir.resolve("evil.joblib." + codec.getKey());
            Files.write(evil, compress(codec.getValue(), EVIL));
            expected.put(evil.toString(), "block " + codec.getKey() + " [pickle.import.dangerous]");
        }

        assertEquals(expected, scan(1, dir));
    }

    /**
     * aircompressor's zstd decoder reads through {@code sun.misc.Unsafe}. A JDK that denies its
     * memory access (JEP 498's {@code --sun-misc-unsafe-memory-access=deny}) gets a refusal that
     * says why; the same file is allowed where the access is allowed.
     */
    @Test
    void zstdWhereTheJvmDeniesUnsafeIsRefusedWithTheReason(@TempDir Path dir) throws Exception {
        assumeTrue(Jdks.jdk25Notice() == null, Jdks::jdk25Notice);
        Path file = dir.resolve("benign.joblib.zstd");
        Files.write(file, compress(CODECS.get("zstd"), BENIGN));
        Map<String, ForkedJvm.Result> byAccess = new TreeMap<>();
        for (String access : List.of("allow", "deny")) {
            byAccess.put(access, ForkedJvm.on(Jdks.all().get(1)).workDir(Files.createTempDirectory("safeload-zstd-"))
                    .jvmArg("--sun-misc-unsafe-memory-access=" + access).runJar(ForkedJvm.agentJar(), "scan", file.toString()));
        }
        ForkedJvm.Result allowed = byAccess.get("allow");
        assertEquals(0, allowed.exitCode(), allowed::toString);
        assertTrue(allowed.stdout().startsWith("ALLOW"), allowed::toString);
        ForkedJvm.Result denied = byAccess.get("deny");
        assertEquals(1, denied.exitCode(), denied::toString);
        assertTrue(denied.stdout().startsWith("BLOCK"), denied::toString);
        assertTrue(denied.stdout().contains("the zstd decoder (aircompressor) needs sun.misc.Unsafe's memory access,"
                + " which this JVM denies"), denied::toString);
    }

    /**
     * Files written by the real producers (joblib in every compression, NumPy, h5py, Keras 3,
     * PyTorch's zip and tar formats, TorchScript, XGBoost, the onnx package), each the verdict
     * the unminimized jar gave.
     */
    @Test
    void scansRealFilesOfEveryFormatAsBefore() throws Exception {
        Map<String, String> expected = new TreeMap<>();
        for (String codec : List.of("zlib", "gzip", "bz2", "lzma", "xz", "lz4")) {
            expected.put("joblib/arrays.joblib." + codec, "allow " + codec + " []");
        }
        expected.put("joblib/payload_after_arrays.joblib.gzip", "block gzip [pickle.import.dangerous]");
        expected.put("joblib/payload_in_object_array.joblib", "block joblib [pickle.import.dangerous]");
        expected.put("numpy/pair_compressed.npz", "allow npz []");
        expected.put("numpy/structured_object.npy", "allow numpy-object []");
        expected.put("keras/h5-external/inline.h5", "allow keras-h5 []");
        expected.put("keras/h5-external/filtered.h5", "allow keras-h5 []");
        expected.put("keras/h5-external/external-link.h5", "block keras-h5 [keras.h5.external-link]");
        expected.put("keras/h5-external/virtual.h5", "block keras-h5 [keras.h5.virtual-dataset]");
        expected.put("keras/lookup/adapted-string-lookup.keras", "allow keras-v3 [keras.asset]");
        expected.put("keras/lookup/tfsm-layer.keras", "block keras-v3 [keras.file-layer]");
        expected.put("torch/conv_state_dict.pt", "allow pytorch-zip []");
        expected.put("torch/npy-in-storage/storage_is_object_npy.pt", "block pytorch-zip [pickle.import.dangerous]");
        expected.put("torch/legacy-tar/pickle_hidden_in_folder_twin.pt", "allow pytorch-legacy []");
        expected.put("torch/legacy-tar/pickle_hidden_in_folder.pt", "block pytorch-legacy [pickle.import.dangerous]");
        expected.put("torch/conv_script.pt", "allow torchscript []");
        expected.put("torch/ts_from_file.pt", "block torchscript [torchscript.operator]");
        expected.put("xgboost/model.json", "allow xgboost []");
        expected.put("xgboost/model.ubj", "allow xgboost []");
        Map<String, String> byPath = new TreeMap<>();
        List<Path> files = new ArrayList<>();
        for (Map.Entry<String, String> e : expected.entrySet()) {
            Path file = AGENT_FIXTURES.resolve(e.getKey()).toAbsolutePath().normalize();
            files.add(file);
            byPath.put(file.toString(), e.getValue());
        }
        Path formats = Path.of("src/test/resources/fixtures/formats").toAbsolutePath();
        Map<String, String> copied = Map.of(
                "model.onnx", "allow onnx []",
                "onnx_external_traversal.onnx", "block onnx [onnx.external-data.escape]",
                "model.gguf", "allow gguf []",
                "model.safetensors", "allow safetensors []");
        copied.forEach((name, verdict) -> {
            files.add(formats.resolve(name));
            byPath.put(formats.resolve(name).toString(), verdict);
        });
        Path h5 = Path.of("src/test/resources/fixtures/weights.h5").toAbsolutePath();
        files.add(h5);
        byPath.put(h5.toString(), "allow keras-h5 []");

        assertEquals(byPath, scan(1, files.toArray(Path[]::new)));
    }

    /** Verdict, formats and rules per path, from one {@code scan --format json} through the jar. */
    private static Map<String, String> scan(int exitCode, Path... paths) throws Exception {
        List<String> args = new ArrayList<>(List.of("scan", "--format", "json"));
        for (Path p : paths) {
            args.add(p.toString());
        }
        ForkedJvm.Result r = ForkedJvm.on(Jdks.current()).workDir(Files.createTempDirectory("safeload-formats-"))
                .runJar(ForkedJvm.agentJar(), args.toArray(String[]::new));
        assertEquals(exitCode, r.exitCode(), r::toString);
        assertEquals("", r.stderr(), r::toString);
        Map<String, String> byPath = new TreeMap<>();
        for (JsonNode file : new ObjectMapper().readTree(r.stdout()).get("results")) {
            List<String> formats = new ArrayList<>();
            file.get("formats").forEach(f -> formats.add(f.asText()));
            List<String> rules = new ArrayList<>();
            file.get("findings").forEach(f -> {
                if (!rules.contains(f.get("rule").asText())) {
                    rules.add(f.get("rule").asText());
                }
            });
            rules.sort(null);
            byPath.put(file.get("path").asText(),
                    file.get("verdict").asText() + " " + String.join(",", formats) + " " + rules);
        }
        return byPath;
    }

    private static byte[] compress(Compressor c, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = c.wrap(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] concat(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }
}
