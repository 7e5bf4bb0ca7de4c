package dev.safeload.model.safetensors;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.model.Finding;
import dev.safeload.model.ModelSource;
import dev.safeload.model.SparseSource;
import dev.safeload.model.Severity;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SafetensorsCheckTest {

    private final SafetensorsCheck check = new SafetensorsCheck();

    /** A file: 8-byte length, the header, then {@code dataBytes} of tensor data. */
    static byte[] file(String header, int dataBytes) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(json.length).put(json);
        return buffer.array();
    }

    private List<Finding> check(byte[] bytes) throws IOException {
        assertTrue(check.sniff(bytes, bytes.length), "sniff should claim the file");
        return check.check(ModelSource.of("t.safetensors", bytes, null), null);
    }

    private static boolean blocks(List<Finding> findings) {
        return findings.stream().anyMatch(f -> f.severity().compareTo(Severity.HIGH) >= 0);
    }

    private static String rules(List<Finding> findings) {
        return findings.stream().map(Finding::rule).toList().toString();
    }

    @Test
    void acceptsContiguousTensorsWithStringMetadata() throws IOException {
        byte[] ok = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[16,22]},"
                + "\"__metadata__\":{\"format\":\"pt\"}}  ", 22);
        assertEquals(List.of(), check(ok));
    }

    @Test
    void acceptsTensorsListedOutOfOffsetOrder() throws IOException {
        byte[] ok = file("{\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[4,6]},"
                + "\"a\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[0,4]}}", 6);
        assertEquals(List.of(), check(ok));
    }

    @Test
    void acceptsSubByteAndFloat8Dtypes() throws IOException {
        byte[] ok = file("{\"a\":{\"dtype\":\"F4\",\"shape\":[4],\"data_offsets\":[0,2]},"
                + "\"b\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[2,4]},"
                + "\"c\":{\"dtype\":\"F8_E5M2\",\"shape\":[1,1],\"data_offsets\":[4,5]}}", 5);
        assertEquals(List.of(), check(ok));
    }

    @Test
    void acceptsEmptyHeader() throws IOException {
        assertEquals(List.of(), check(file("{}      ", 0)));
    }

    @Test
    void refusesHeaderLengthAboveReferenceLimit() throws IOException {
        byte[] bytes = file("{}", 0);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 100_000_001L);
        List<Finding> findings = check(bytes);
        assertEquals("[safetensors.header.too-large]", rules(findings));
        assertTrue(blocks(findings));
    }

    @Test
    void claimsAndRefusesHeaderLengthBeyondAnyFile() throws IOException {
        byte[] bytes = file("{}", 0);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
        assertEquals("[safetensors.header.too-large]", rules(check(bytes)));
    }

    @Test
    void refusesHeaderLengthPastEndOfFile() throws IOException {
        byte[] bytes = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 5000);
        assertEquals("[safetensors.header.truncated]", rules(check(bytes)));
    }

    @Test
    void refusesOverlappingOffsets() throws IOException {
        byte[] bad = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12);
        List<Finding> findings = check(bad);
        assertEquals("[safetensors.offsets]", rules(findings));
        assertTrue(findings.get(0).message().contains("overlaps"), findings.toString());
    }

    @Test
    void refusesGapBetweenTensors() throws IOException {
        byte[] bad = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12);
        assertEquals("[safetensors.offsets]", rules(check(bad)));
    }

    @Test
    void refusesDataThatDoesNotStartAtZero() throws IOException {
        byte[] bad = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8);
        assertEquals("[safetensors.offsets]", rules(check(bad)));
    }

    @Test
    void refusesTrailingBytesAfterLastTensor() throws IOException {
        byte[] bad = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 12);
        assertEquals("[safetensors.size-mismatch]", rules(check(bad)));
    }

    @Test
    void refusesTensorEndingPastFile() throws IOException {
        byte[] bad = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8);
        assertEquals("[safetensors.size-mismatch]", rules(check(bad)));
    }

    @Test
    void refusesUnknownDtype() throws IOException {
        byte[] bad = file("{\"a\":{\"dtype\":\"PYOBJ\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
        assertEquals("[safetensors.dtype]", rules(check(bad)));
        byte[] lower = file("{\"a\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
        assertEquals("[safetensors.dtype]", rules(check(lower)));
    }

    @Test
    void refusesShapeThatDisagreesWithSpan() throws IOException {
        byte[] bad = file("{\"a\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8);
        assertEquals("[safetensors.span]", rules(check(bad)));
    }

    @Test
    void refusesShapeWhoseSizeOverflows() throws IOException {
        byte[] bad = file("{\"a\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],"
                + "\"data_offsets\":[0,8]}}", 8);
        assertEquals("[safetensors.shape]", rules(check(bad)));
    }

    @Test
    void refusesNonStringMetadata() throws IOException {
        byte[] bad = file("{\"__metadata__\":{\"n\":1},\"a\":{\"dtype\":\"U8\",\"shape\":[1],"
                + "\"data_offsets\":[0,1]}}", 1);
        assertEquals("[safetensors.metadata]", rules(check(bad)));
    }

    @Test
    void refusesDuplicateTensorNames() throws IOException {
        byte[] bad = file("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                + "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2);
        assertEquals("[safetensors.header.json]", rules(check(bad)));
    }

    @Test
    void refusesMalformedJson() throws IOException {
        assertEquals("[safetensors.header.json]", rules(check(file("{\"a\":{\"dtype\":", 0))));
        assertEquals("[safetensors.header.json]", rules(check(file("{} {}", 0))));
    }

    @Test
    void refusesMissingFields() throws IOException {
        assertEquals("[safetensors.tensor]", rules(check(file("{\"a\":{\"dtype\":\"U8\",\"shape\":[1]}}", 0))));
        assertEquals("[safetensors.offsets]", rules(check(file(
                "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1,2]}}", 1))));
    }

    @Test
    void readsOnlyTheHeaderOfATwoGigabyteFile() throws IOException {
        long dataBytes = 2L << 30;
        String header = "{\"w\":{\"dtype\":\"U8\",\"shape\":[" + dataBytes + "],\"data_offsets\":[0," + dataBytes
                + "]}}";
        byte[] prefix = file(header, 0);
        long size = prefix.length + dataBytes;
        SparseSource huge = new SparseSource("huge.safetensors", size, prefix);
        assertEquals(List.of(), check.check(huge, null));
        assertTrue(huge.bytesRead() < 64 * 1024, "read " + huge.bytesRead() + " bytes");
    }

    @Test
    void sniffsByContentNotByName() {
        assertTrue(check.sniff(file("{\"a\":1}", 0), 15));
        assertFalse(check.sniff(new byte[] {(byte) 0x80, 2, 'c', 'o', 's', 0, 0, 0, 0, 0}, 10));
        assertFalse(check.sniff("GGUF\3\0\0\0\0\0\0\0".getBytes(StandardCharsets.ISO_8859_1), 12));
    }

    @Test
    void turnsCorruptedFilesIntoFindingsNeverExceptions() {
        byte[] good = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"__metadata__\":{\"format\":\"pt\"}}", 16);
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
