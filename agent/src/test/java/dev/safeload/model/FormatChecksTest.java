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
