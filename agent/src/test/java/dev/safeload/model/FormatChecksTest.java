package dev.safeload.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.model.pickle.PickleOp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The registry's quick tests turn a check away only where the check's own sniff would: every
 * fixture the repository has, and each with its first byte set to every value, is claimed by the
 * same formats (and trips the same sniffs) with the quick tests as with the checks alone.
 */
class FormatChecksTest {

    @Test
    void eachEntryNamesTheFormatOfItsCheck() {
        List<FormatCheck> all = FormatChecks.all();
        assertEquals(29, all.size());
        for (FormatCheck deferred : all) {
            assertEquals(((FormatChecks.Deferred) deferred).check().format(), deferred.format());
        }
    }

    @Test
    void thePickleOpcodeTableIsPickleOps() {
        for (int b = 0; b < 256; b++) {
            assertEquals(PickleOp.of(b) != null, FormatChecks.PICKLE_OPCODES[b], "byte 0x" + Integer.toHexString(b));
        }
    }

    @Test
    void theXGBoostQuickTestUsesTheLegacyReadersSizes() throws ReflectiveOperationException {
        Class<?> legacy = Class.forName("dev.safeload.model.xgboost.LegacyBinaryModel");
        for (String[] pair : new String[][] {{"LEARNER_PARAM", "136"}, {"MAX_NAME", "256"}}) {
            java.lang.reflect.Field field = legacy.getDeclaredField(pair[0]);
            field.setAccessible(true);
            assertEquals(Integer.parseInt(pair[1]), field.getInt(null), pair[0]);
        }
        assertEquals(136, FormatChecks.XGBOOST_LEARNER_PARAM);
        assertEquals(256, FormatChecks.XGBOOST_MAX_NAME);
    }

    /**
     * The zip quick test past the head: a zip behind 100 KiB of other bytes (no local header at 0,
     * its end record in the tail only), the same bytes with the end record's signature broken, a
     * signature alone near the end, and a large file of no format; then the XGBoost test on a
     * legacy model's head with {@code binf} and lengths at and around its bounds.
     */
    @Test
    void quickTestsPastTheHeadAndAtTheirBounds() throws IOException {
        List<FormatCheck> deferred = FormatChecks.all();
        List<FormatCheck> direct = new ArrayList<>();
        for (int i = 0; i < deferred.size(); i++) {
            direct.add(FormatChecks.create(i));
        }
        java.io.ByteArrayOutputStream zip = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(zip)) {
            out.putNextEntry(new java.util.zip.ZipEntry("archive/data.pkl"));
            out.write(new byte[] {(byte) 0x80, 2, ']', 'q', 0, '.'});
            out.closeEntry();
        }
        byte[] filler = new byte[100 * 1024];
        new java.util.Random(12).nextBytes(filler);
        for (int i = 0; i + 1 < filler.length; i++) {
            if (filler[i] == 'P' && filler[i + 1] == 'K') {
                filler[i] = 'p';
            }
        }
        byte[] prefixed = concat(filler, zip.toByteArray());
        assertSameClaims("zip behind 100 KiB", prefixed, deferred, direct);
        assertTrue(FormatChecks.zipSignature(ModelSource.of("zip", prefixed, null), java.util.Arrays.copyOf(prefixed, 65536)));
        byte[] broken = prefixed.clone();
        for (int i = broken.length - 4; i >= 0; i--) {
            if (broken[i] == 'P' && broken[i + 1] == 'K' && broken[i + 2] == 5 && broken[i + 3] == 6) {
                broken[i + 3] = 7;
            }
        }
        assertSameClaims("zip behind 100 KiB, end record's signature broken", broken, deferred, direct);
        assertTrue(!FormatChecks.zipSignature(ModelSource.of("broken", broken, null), java.util.Arrays.copyOf(broken, 65536)));
        byte[] lone = concat(filler, new byte[] {'P', 'K', 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        assertSameClaims("a lone end record after 100 KiB", lone, deferred, direct);
        assertSameClaims("100 KiB of no format", filler, deferred, direct);
        assertTrue(!FormatChecks.zipSignature(ModelSource.of("filler", filler, null), java.util.Arrays.copyOf(filler, 65536)));

        byte[] legacy = new byte[4 + 136 + 8 + 64];
        legacy[0] = 'b';
        legacy[1] = 'i';
        legacy[2] = 'n';
        legacy[3] = 'f';
        byte[] name = "binary:logistic".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (long n : new long[] {0, 2, 3, name.length, 64, 65, 256, 257, -1}) {
            byte[] bytes = legacy.clone();
            for (int i = 0; i < 8; i++) {
                bytes[140 + i] = (byte) (n >>> (8 * i));
            }
            System.arraycopy(name, 0, bytes, 148, name.length);
            assertSameClaims("legacy XGBoost head, name length " + n, bytes, deferred, direct);
            byte[] plain = java.util.Arrays.copyOfRange(bytes, 4, bytes.length); // no binf: the parameters at 0
            assertSameClaims("legacy XGBoost head without binf, name length " + n, plain, deferred, direct);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    @Test
    void quickTestsNeverChangeWhatIsClaimed() throws IOException {
        List<Path> files = fixtures();
        assertTrue(files.size() > 100, "fixtures found: " + files.size());
        List<FormatCheck> deferred = FormatChecks.all();
        List<FormatCheck> direct = new ArrayList<>();
        for (int i = 0; i < deferred.size(); i++) {
            direct.add(FormatChecks.create(i));
        }
        int compared = 0;
        for (Path file : files) {
            byte[] bytes = Files.readAllBytes(file);
            assertSameClaims(file.toString(), bytes, deferred, direct);
            compared++;
            byte[] cut = java.util.Arrays.copyOf(bytes, Math.min(bytes.length, 4096));
            for (int b = 0; b < 256 && cut.length > 0; b++) {
                cut[0] = (byte) b;
                assertSameClaims(file + " with first byte " + b, cut, deferred, direct);
                compared++;
            }
        }
        assertTrue(compared > 20_000, "compared " + compared);
    }

    private static void assertSameClaims(String what, byte[] bytes, List<FormatCheck> deferred, List<FormatCheck> direct)
            throws IOException {
        ModelSource source = ModelSource.of(what, bytes, null);
        byte[] head = ModelSources.readAt(source, 0, Math.min(ModelScanner.HEAD, bytes.length));
        // fresh: every quick test runs; deferred, reused across files, has its checks made, as in a folder scan
        List<FormatCheck> fresh = FormatChecks.all();
        for (int i = 0; i < deferred.size(); i++) {
            String expected = sniff(direct.get(i), source, head);
            assertEquals(expected, sniff(fresh.get(i), source, head), what);
            assertEquals(expected, sniff(deferred.get(i), source, head), what);
        }
    }

    /** What the scanner makes of one check's sniff: claimed, not claimed, or the sniff's failure. */
    private static String sniff(FormatCheck check, ModelSource source, byte[] head) {
        try {
            boolean yes = check instanceof ContentSniff cs ? cs.sniff(source, head) : check.sniff(head, source.size());
            return check.format() + (yes ? " claims" : " refuses");
        } catch (IOException | RuntimeException e) {
            return check.format() + " fails: " + e.getClass().getName();
        }
    }

    private static List<Path> fixtures() throws IOException {
        Path module = Path.of("").toAbsolutePath();
        List<Path> files = new ArrayList<>();
        for (Path root : List.of(module.resolve("src/test/resources"), module.resolve("../fuzz/src/test/resources"),
                module.resolve("../../shared/corpus"))) {
            if (Files.isDirectory(root)) {
                try (Stream<Path> walk = Files.walk(root)) {
                    walk.filter(Files::isRegularFile).filter(p -> p.toFile().length() < (64 << 20)).sorted().forEach(files::add);
                }
            }
        }
        return files;
    }
}
