package dev.safeload.model.gguf;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.model.Finding;
import dev.safeload.model.ModelSource;
import dev.safeload.model.SparseSource;
import dev.safeload.model.Severity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GgufCheckTest {

    private final GgufCheck check = new GgufCheck();

    /** Writes GGUF v3 by hand: header, key/values, tensor infos, padding, data. */
    static final class GgufWriter {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        long tensorCount;
        long keyCount;
        final ByteArrayOutputStream body = new ByteArrayOutputStream();

        GgufWriter u32(long v) {
            body.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
            return this;
        }

        GgufWriter u64(long v) {
            body.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
            return this;
        }

        GgufWriter str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            body.writeBytes(b);
            return this;
        }

        GgufWriter kvString(String key, String value) {
            keyCount++;
            return str(key).u32(8).str(value);
        }

        GgufWriter kvU32(String key, long value) {
            keyCount++;
            return str(key).u32(4).u32(value);
        }

        GgufWriter tensor(String name, long[] dims, int type, long offset) {
            tensorCount++;
            str(name).u32(dims.length);
            for (long d : dims) {
                u64(d);
            }
            return u32(type).u64(offset);
        }

        byte[] build(int dataBytes) {
            ByteBuffer head = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            head.put("GGUF".getBytes(StandardCharsets.US_ASCII)).putInt(3).putLong(tensorCount).putLong(keyCount);
            out.writeBytes(head.array());
            out.writeBytes(body.toByteArray());
            while (out.size() % 32 != 0) {
                out.write(0);
            }
            out.writeBytes(new byte[dataBytes]);
            return out.toByteArray();
        }
    }

    private List<Finding> check(byte[] bytes) throws IOException {
        assertTrue(check.sniff(bytes, bytes.length));
        return check.check(ModelSource.of("t.gguf", bytes, null), null);
    }

    private static boolean blocks(List<Finding> findings) {
        return findings.stream().anyMatch(f -> f.severity().compareTo(Severity.HIGH) >= 0);
    }

    private static String rules(List<Finding> findings) {
        return findings.stream().map(Finding::rule).toList().toString();
    }

    private static GgufWriter benign() {
        return new GgufWriter().kvString("general.architecture", "llama").kvU32("general.alignment", 32)
                .tensor("a", new long[] {4, 2}, 0, 0).tensor("b", new long[] {32}, 8, 32);
    }

    @Test
    void acceptsWellFormedHeaderAndTensorTable() throws IOException {
        assertEquals(List.of(), check(benign().build(32 + 34)));
    }

    @Test
    void acceptsStringArraysSuchAsVocabularies() throws IOException {
        GgufWriter w = new GgufWriter();
        w.keyCount++;
        w.str("tokenizer.ggml.tokens").u32(9).u32(8).u64(3).str("a").str("bb").str("ccc");
        assertEquals(List.of(), check(w.build(0)));
    }

    @Test
    void refusesStringLengthPastEndOfFile() throws IOException {
        GgufWriter w = new GgufWriter();
        w.keyCount++;
        w.str("general.name").u32(8).u64(1L << 40);
        List<Finding> findings = check(w.build(0));
        assertEquals("[gguf.length]", rules(findings));
        assertTrue(blocks(findings));
    }

    @Test
    void refusesKeyLengthPastEndOfFile() throws IOException {
        GgufWriter w = new GgufWriter();
        w.keyCount++;
        w.u64(Long.MAX_VALUE).u32(4).u32(1);
        assertEquals("[gguf.length]", rules(check(w.build(0))));
    }

    @Test
    void refusesCountsThatCannotFitTheFile() throws IOException {
        byte[] bytes = benign().build(66);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(8, 1L << 40);
        assertEquals("[gguf.count]", rules(check(bytes)));
        bytes = benign().build(66);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(16, -1L);
        assertEquals("[gguf.length]", rules(check(bytes)));
    }

    @Test
    void refusesArrayLongerThanTheFile() throws IOException {
        GgufWriter w = new GgufWriter();
        w.keyCount++;
        w.str("tokenizer.ggml.scores").u32(9).u32(6).u64(1L << 50);
        assertEquals("[gguf.array]", rules(check(w.build(0))));
    }

    @Test
    void refusesUnknownValueType() throws IOException {
        GgufWriter w = new GgufWriter();
        w.keyCount++;
        w.str("general.x").u32(13).u32(0);
        assertEquals("[gguf.value-type]", rules(check(w.build(0))));
    }

    @Test
    void refusesUnknownOrRetiredTensorType() throws IOException {
        assertEquals("[gguf.tensor-type]", rules(check(new GgufWriter()
                .tensor("t", new long[] {4}, 4, 0).build(32))));
        assertEquals("[gguf.tensor-type]", rules(check(new GgufWriter()
                .tensor("t", new long[] {4}, 99, 0).build(32))));
    }

    @Test
    void refusesTensorRunningPastTheData() throws IOException {
        byte[] bad = new GgufWriter().tensor("t", new long[] {1024, 1024}, 0, 0).build(64);
        assertEquals("[gguf.tensor-offset]", rules(check(bad)));
    }

    @Test
    void refusesOverlappingTensors() throws IOException {
        byte[] bad = new GgufWriter().tensor("a", new long[] {16}, 0, 0).tensor("b", new long[] {16}, 0, 32)
                .build(128);
        assertEquals("[gguf.tensor-offset]", rules(check(bad)));
    }

    @Test
    void refusesMisalignedTensorAndBadAlignment() throws IOException {
        assertEquals("[gguf.tensor-offset]", rules(check(new GgufWriter()
                .tensor("a", new long[] {1}, 0, 4).build(64))));
        assertEquals("[gguf.alignment]", rules(check(new GgufWriter().kvU32("general.alignment", 24).build(0))));
    }

    @Test
    void refusesTooManyDimensionsAndPartialBlocks() throws IOException {
        assertEquals("[gguf.tensor]", rules(check(new GgufWriter()
                .tensor("a", new long[] {1, 1, 1, 1, 1}, 0, 0).build(32))));
        assertEquals("[gguf.tensor]", rules(check(new GgufWriter()
                .tensor("q", new long[] {31}, 2, 0).build(64))));
    }

    @Test
    void refusesDuplicateKeysAndTensorNames() throws IOException {
        assertEquals("[gguf.duplicate-key]", rules(check(new GgufWriter().kvU32("k", 1).kvU32("k", 2).build(0))));
        assertEquals("[gguf.duplicate-tensor]", rules(check(new GgufWriter().tensor("a", new long[] {1}, 0, 0)
                .tensor("a", new long[] {1}, 0, 32).build(64))));
    }

    @Test
    void refusesUnknownVersionAndBadMagic() throws IOException {
        byte[] bytes = benign().build(66);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 0x03000000);
        assertEquals("[gguf.version]", rules(check(bytes)));
        assertFalse(check.sniff("GGML".getBytes(StandardCharsets.US_ASCII), 4));
    }

    @Test
    void refusesTruncatedHeader() throws IOException {
        byte[] bytes = benign().build(66);
        assertEquals("[gguf.truncated]", rules(check(java.util.Arrays.copyOf(bytes, 106))));
    }

    @Test
    void reportsChatTemplateWithoutBlocking() throws IOException {
        byte[] bytes = new GgufWriter().kvString("tokenizer.chat_template",
                "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}").build(0);
        List<Finding> findings = check(bytes);
        assertEquals("[gguf.chat-template]", rules(findings));
        assertEquals(Severity.INFO, findings.get(0).severity());
        assertFalse(blocks(findings));
    }

    @Test
    void refusesChatTemplateThatClimbsOutOfTheSandbox() throws IOException {
        byte[] bytes = new GgufWriter().kvString("tokenizer.chat_template.tool_use",
                "{{ ''.__class__.__mro__[1].__subclasses__() }}").build(0);
        List<Finding> findings = check(bytes);
        assertEquals("[gguf.chat-template, gguf.chat-template.escape]", rules(findings));
        assertTrue(blocks(findings));
    }

    @Test
    void readsOnlyTheHeaderOfATwoGigabyteFile() throws IOException {
        long tensorBytes = 2L << 30;
        byte[] prefix = new GgufWriter().tensor("big", new long[] {tensorBytes}, 24, 0).build(0);
        long size = prefix.length + tensorBytes;
        SparseSource huge = new SparseSource("huge.gguf", size, prefix);
        assertEquals(List.of(), check.check(huge, null));
        assertTrue(huge.bytesRead() <= 64 * 1024, "read " + huge.bytesRead() + " bytes");
    }

    @Test
    void turnsCorruptedFilesIntoFindingsNeverExceptions() {
        byte[] good = benign().kvString("tokenizer.chat_template", "{{ messages }}").build(66);
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
