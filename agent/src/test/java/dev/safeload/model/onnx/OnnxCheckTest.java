package dev.safeload.model.onnx;

import static dev.safeload.model.ProtoMessage.message;
import static dev.safeload.model.onnx.OnnxProto.externalTensor;
import static dev.safeload.model.onnx.OnnxProto.graph;
import static dev.safeload.model.onnx.OnnxProto.inlineTensor;
import static dev.safeload.model.onnx.OnnxProto.model;
import static dev.safeload.model.onnx.OnnxProto.node;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
import dev.safeload.model.Finding;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ProtoMessage;
import dev.safeload.model.Severity;
import dev.safeload.model.SparseSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxCheckTest {

    private final OnnxCheck check = new OnnxCheck();

    @TempDir
    Path temp;

    private List<Finding> check(byte[] bytes, Path directory) throws IOException {
        assertTrue(check.sniff(bytes, bytes.length), "sniff should claim the model");
        return check.check(ModelSource.of("model.onnx", bytes, directory), null);
    }

    private List<Finding> checkFile(byte[] bytes, Path directory) throws IOException {
        Path file = directory.resolve("model.onnx");
        Files.write(file, bytes);
        try (ModelSource source = ModelSource.of(file)) {
            return check.check(source, null);
        }
    }

    private static boolean blocks(List<Finding> findings) {
        return findings.stream().anyMatch(f -> f.severity().compareTo(Severity.HIGH) >= 0);
    }

    private static String rules(List<Finding> findings) {
        return findings.stream().map(Finding::rule).toList().toString();
    }

    private static byte[] withInitializer(ProtoMessage tensor) {
        return model(graph(tensor)).build();
    }

    @Test
    void acceptsInlineInitializer() throws IOException {
        assertEquals(List.of(), check(withInitializer(inlineTensor("W")), null));
    }

    @Test
    void acceptsExternalDataInsideTheModelFolder() throws IOException {
        Files.createDirectories(temp.resolve("weights"));
        Files.write(temp.resolve("weights/w.bin"), new byte[8]);
        assertEquals(List.of(), checkFile(withInitializer(externalTensor("W", "weights/w.bin")), temp));
        assertEquals(List.of(), checkFile(withInitializer(externalTensor("W", "./weights/../weights/w.bin")), temp));
    }

    @Test
    void refusesDotDotTraversalOutOfTheFolder() throws IOException {
        List<Finding> findings = checkFile(withInitializer(externalTensor("W", "../../../../etc/passwd")), temp);
        assertEquals("[onnx.external-data.escape]", rules(findings));
        assertEquals(Severity.CRITICAL, findings.get(0).severity());
        assertTrue(findings.get(0).location().contains("initializer[W]"), findings.get(0).location());
        assertEquals("[onnx.external-data.escape]", rules(check(withInitializer(
                externalTensor("W", "weights/../../secret")), temp)));
        assertEquals("[onnx.external-data.escape]", rules(check(withInitializer(
                externalTensor("W", "weights\\..\\..\\secret")), temp)));
    }

    @Test
    void refusesAbsoluteLocationsInEverySpelling() throws IOException {
        for (String location : List.of("/etc/passwd", "C:\\Windows\\win.ini", "c:secret", "\\\\host\\share\\w",
                "//host/share/w")) {
            assertEquals("[onnx.external-data.escape]", rules(check(withInitializer(
                    externalTensor("W", location)), temp)), location);
        }
    }

    @Test
    void refusesOnnxRuntimeMemoryAddressMarker() throws IOException {
        List<Finding> findings = check(withInitializer(externalTensor("W", "*/_ORT_MEM_ADDR_/*")), null);
        assertEquals("[onnx.external-data.memory-address]", rules(findings));
        assertEquals(Severity.CRITICAL, findings.get(0).severity());
    }

    @Test
    void refusesEscapesEvenWithoutAFolderToResolveAgainst() throws IOException {
        assertTrue(blocks(check(withInitializer(externalTensor("W", "../w.bin")), null)));
        assertTrue(blocks(check(withInitializer(externalTensor("W", "/w.bin")), null)));
        assertEquals(List.of(), check(withInitializer(externalTensor("W", "w.bin")), null));
    }

    @Test
    void refusesSymlinkThatLeadsOutOfTheFolder() throws IOException {
        Path model = Files.createDirectories(temp.resolve("model"));
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.write(outside.resolve("secret.bin"), new byte[8]);
        Files.createSymbolicLink(model.resolve("weights.bin"), outside.resolve("secret.bin"));
        Files.createSymbolicLink(model.resolve("sub"), outside);

        List<Finding> viaFile = checkFile(withInitializer(externalTensor("W", "weights.bin")), model);
        assertEquals("[onnx.external-data.symlink]", rules(viaFile));
        assertEquals(Severity.CRITICAL, viaFile.get(0).severity());
        assertEquals("[onnx.external-data.symlink]", rules(checkFile(withInitializer(
                externalTensor("W", "sub/secret.bin")), model)));
        assertEquals("[onnx.external-data.symlink]", rules(checkFile(withInitializer(
                externalTensor("W", "sub/not-there-yet.bin")), model)));
    }

    @Test
    void acceptsSymlinkThatStaysInsideTheFolder() throws IOException {
        Path model = Files.createDirectories(temp.resolve("model"));
        Files.write(model.resolve("real.bin"), new byte[8]);
        Files.createSymbolicLink(model.resolve("link.bin"), model.resolve("real.bin"));
        assertEquals(List.of(), checkFile(withInitializer(externalTensor("W", "link.bin")), model));
    }

    @Test
    void refusesDanglingSymlink() throws IOException {
        Path model = Files.createDirectories(temp.resolve("model"));
        Files.createSymbolicLink(model.resolve("w.bin"), temp.resolve("nowhere/w.bin"));
        assertEquals("[onnx.external-data.symlink]", rules(checkFile(withInitializer(
                externalTensor("W", "w.bin")), model)));
    }

    @Test
    void reportsMissingExternalFileWithoutBlocking() throws IOException {
        List<Finding> findings = checkFile(withInitializer(externalTensor("W", "absent.bin")), temp);
        assertEquals("[onnx.external-data.missing]", rules(findings));
        assertFalse(blocks(findings));
    }

    @Test
    void refusesEscapeHiddenInIfSubgraph() throws IOException {
        ProtoMessage thenBranch = graph(externalTensor("hidden", "../../etc/shadow"));
        ProtoMessage ifNode = node("If", "").message(5, message().string(1, "then_branch").message(6, thenBranch)
                .varint(20, 5));
        byte[] bytes = model(message().message(1, ifNode).string(2, "main")).build();
        List<Finding> findings = check(bytes, temp);
        assertEquals("[onnx.external-data.escape]", rules(findings));
        assertTrue(findings.get(0).location().contains("then_branch"), findings.get(0).location());

        ProtoMessage safeBranch = graph(inlineTensor("hidden"));
        byte[] twin = model(message().message(1, node("If", "").message(5, message().string(1, "then_branch")
                .message(6, safeBranch))).string(2, "main")).build();
        assertEquals(List.of(), check(twin, temp));
    }

    @Test
    void refusesEscapeInLoopBodyListAndConstantAttribute() throws IOException {
        ProtoMessage loop = node("Loop", "").message(5, message().string(1, "body")
                .message(11, graph(externalTensor("b", "/etc/hosts"))));
        ProtoMessage constant = node("Constant", "").message(5, message().string(1, "value")
                .message(5, externalTensor("c", "../c.bin")));
        byte[] bytes = model(message().message(1, loop).message(1, constant)).build();
        assertEquals("[onnx.external-data.escape, onnx.external-data.escape]", rules(check(bytes, temp)));
    }

    @Test
    void refusesEscapeInSparseInitializer() throws IOException {
        ProtoMessage sparse = message().message(1, externalTensor("values", "../v.bin"))
                .message(2, inlineTensor("indices")).varint(3, 4);
        byte[] bytes = model(graph().message(15, sparse)).build();
        List<Finding> findings = check(bytes, temp);
        assertEquals("[onnx.external-data.escape]", rules(findings));
        assertTrue(findings.get(0).location().contains("sparse_initializer/values"), findings.get(0).location());
    }

    @Test
    void refusesEscapeInTrainingGraphAndLocalFunction() throws IOException {
        byte[] training = model(graph()).message(20, message().message(1, graph(externalTensor("t", "../t"))))
                .build();
        assertEquals("[onnx.external-data.escape]", rules(check(training, temp)));
        ProtoMessage function = message().string(1, "F").string(10, "local").message(7, node("Constant", "")
                .message(5, message().string(1, "value").message(5, externalTensor("f", "/f"))));
        assertEquals("[onnx.external-data.escape]", rules(check(model(graph()).message(25, function).build(), temp)));
    }

    @Test
    void refusesExternalTensorWithoutLocation() throws IOException {
        ProtoMessage tensor = message().varint(1, 2).string(8, "W").varint(14, 1);
        assertEquals("[onnx.external-data.malformed]", rules(check(withInitializer(tensor), temp)));
    }

    @Test
    void refusesMalformedProtobuf() throws IOException {
        byte[] good = withInitializer(inlineTensor("W"));
        byte[] truncated = Arrays.copyOf(good, good.length - 5);
        List<Finding> findings = check.check(ModelSource.of("m.onnx", truncated, null), null);
        assertEquals("[onnx.malformed]", rules(findings));
        assertTrue(blocks(findings));

        byte[] badWireType = good.clone();
        badWireType[2] = (byte) 0x3F; // field 7 with wire type 7
        assertEquals("[onnx.malformed]", rules(check.check(ModelSource.of("m.onnx", badWireType, null), null)));
    }

    @Test
    void reportsCustomOperatorDomainWithoutBlocking() throws IOException {
        byte[] bytes = model(message().message(1, node("FastGelu", "com.example.ops")))
                .message(8, message().string(1, "com.example.ops").varint(2, 1)).build();
        List<Finding> findings = check(bytes, temp);
        assertEquals("[onnx.custom-domain]", rules(findings));
        assertEquals(Severity.MEDIUM, findings.get(0).severity());
        assertTrue(findings.get(0).message().contains("FastGelu"), findings.get(0).message());

        byte[] contrib = model(message().message(1, node("FusedMatMul", "com.microsoft")))
                .message(8, message().string(1, "com.microsoft").varint(2, 1)).build();
        assertEquals(List.of(), check(contrib, temp));
    }

    @Test
    void acceptsCustomDomainServedByModelLocalFunction() throws IOException {
        ProtoMessage function = message().string(1, "MyGelu").string(10, "custom")
                .message(7, node("Erf", "")).message(9, message().string(1, "").varint(2, 17));
        byte[] bytes = model(message().message(1, node("MyGelu", "custom")))
                .message(8, message().string(1, "custom").varint(2, 1)).message(25, function).build();
        assertEquals(List.of(), check(bytes, temp));
    }

    @Test
    void readsOnlyStructureOfModelWithLargeInlineWeights() throws IOException {
        long raw = 1L << 30;
        byte[] tensorHead = message().varint(2, 1).string(8, "W").build();
        byte[] rawTag = varintField(9, raw);
        long tensorLength = tensorHead.length + rawTag.length + raw;
        byte[] initializerTag = varintField(5, tensorLength);
        long graphLength = initializerTag.length + tensorLength;
        byte[] prefix = concat(new byte[] {0x08, 0x08}, varintField(7, graphLength), initializerTag, tensorHead,
                rawTag);
        byte[] suffix = message().message(8, message().string(1, "").varint(2, 17)).build();
        long size = prefix.length + raw + suffix.length;
        SparseSource huge = new SparseSource("huge.onnx", size, prefix, suffix);
        byte[] head = new byte[64 * 1024];
        huge.read(0, head, 0, head.length);
        assertTrue(check.sniff(head, size));
        long sniffed = huge.bytesRead();
        assertEquals(List.of(), check.check(huge, null));
        long read = huge.bytesRead() - sniffed;
        assertTrue(read < 1024 * 1024, "read " + read + " bytes");
    }

    @Test
    void sniffsModelWhoseGraphComesBeforeIrVersion() throws IOException {
        byte[] graphFirst = message().message(7, graph(externalTensor("W", "../escape")))
                .message(8, message().string(1, "").varint(2, 17)).varint(1, 8).build();
        assertEquals("[onnx.external-data.escape]", rules(check(graphFirst, temp)));
        byte[] noIrVersionInHead = message().message(7, graph(inlineTensor("W"))).build();
        assertTrue(check.sniff(Arrays.copyOf(noIrVersionInHead, 10), 1 << 20));
    }

    @Test
    void sniffsModelsButNotOtherFormats() {
        assertTrue(check.sniff(withInitializer(inlineTensor("W")), 100));
        assertFalse(check.sniff(new byte[] {(byte) 0x80, 0x02, 0x63}, 3)); // pickle
        assertFalse(check.sniff(new byte[] {'P', 'K', 3, 4}, 4));
        assertFalse(check.sniff(new byte[] {0x08, 0x01, 0, 0, 0, 0, 0, 0, '{', '}'}, 10)); // safetensors
        assertFalse(check.sniff(new byte[] {0x08, 0x08, 0x3A, 0x7F}, 20)); // graph longer than file
        assertFalse(check.sniff("{\"a\": 1}".getBytes(java.nio.charset.StandardCharsets.UTF_8), 8));
        assertFalse(check.sniff("rabbit hole".getBytes(java.nio.charset.StandardCharsets.UTF_8), 11));
        assertFalse(check.sniff(new byte[] {0x12, 0x01, 'x'}, 3)); // producer_name alone is not a model
    }

    private static byte[] varintField(int field, long value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeTag(field, 2);
        out.writeUInt64NoTag(value);
        out.flush();
        return bytes.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    @Test
    void turnsCorruptedFilesIntoFindingsNeverExceptions() throws IOException {
        byte[] good = model(graph(externalTensor("W", "w.bin"), inlineTensor("B"))).build();
        Random random = new Random(20261127);
        for (int i = 0; i < 2000; i++) {
            byte[] bad = corrupt(good, random);
            int round = i;
            assertDoesNotThrow(() -> check.check(ModelSource.of("corrupt", bad, null), null),
                    () -> "corruption " + round);
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
