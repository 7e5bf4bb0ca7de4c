package dev.safeload.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.safeload.model.ModelScanner;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ScanResult;
import dev.safeload.model.Verdict;
import dev.safeload.model.compress.ZipIndex;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.BeforeAll;

/**
 * The zip index, with Java's own readers as a differential oracle: where {@link ZipIndex} and
 * {@link ZipFile} (central directory) or {@link ZipInputStream} (local headers, front to back)
 * disagree about which entries exist, some loader sees an entry the scan did not, so the gate
 * must not answer allow. A zip {@link ZipFile} cannot open at all counts as one it sees no
 * entries in.
 */
public class ZipIndexFuzzTest {

    private static final Path FILE;

    static {
        try {
            FILE = Files.createTempFile("safeload-fuzz-zip", ".zip");
            FILE.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Before fuzz.sh's fuzzing starts (not in the build's replay): see {@link SeedWarmUp}. */
    @BeforeAll
    static void warmUp() {
        SeedWarmUp.replay(ZipIndexFuzzTest.class, "zipIndex", ZipIndexFuzzTest::fuzzerTestOneInput);
    }

    public static void fuzzerTestOneInput(byte[] data) {
        ScanResult result = ScanHarness.scan("fuzz.zip", data);

        // What the scan saw: the central directory's entries and those only the local headers
        // give, as visit() hands them to the zip-based checks.
        Set<String> indexed = null;
        List<String> indexedList = new ArrayList<>();
        try {
            ModelSource source = ModelSource.of("fuzz.zip", data, null);
            ZipIndex index = ZipIndex.read(source);
            Set<String> seen = new HashSet<>();
            for (ZipIndex.Entry e : index.central()) {
                seen.add(e.name());
                if (e.localName() != null) {
                    seen.add(e.localName());
                }
                indexedList.add(e.name());
            }
            index.visit(source, ModelScanner.budget(null), new ArrayList<>(), (entry, content, problem) -> seen.add(entry.name()));
            indexed = seen;
        } catch (IOException e) {
            // Not a zip to the index: the scanner either does not claim it as one or blocks.
        }

        String disagreement = null;
        List<String> central = centralNames(data);
        if (central != null && !central.isEmpty()) {
            if (indexed == null) {
                disagreement = "ZipFile lists " + central + ", the index reads no zip";
            } else if (!indexed.containsAll(central) || central.size() != indexedList.size()
                    || !new HashSet<>(central).containsAll(indexedList)) {
                disagreement = "ZipFile lists " + central + ", the index " + indexedList;
            }
        }
        if (central == null && !indexedList.isEmpty()) {
            disagreement = "ZipFile cannot open it, the index lists " + indexedList;
        }
        List<String> streamed = streamedNames(data);
        if (disagreement == null && !streamed.isEmpty()) {
            if (indexed == null) {
                disagreement = "ZipInputStream reads " + streamed + ", the index reads no zip";
            } else if (!indexed.containsAll(streamed)) {
                Set<String> missing = new TreeSet<>(streamed);
                missing.removeAll(indexed);
                disagreement = "ZipInputStream reads " + missing + ", which the index does not list";
            }
        }
        if (disagreement != null && result.verdict() == Verdict.ALLOW) {
            throw new AssertionError("allowed a zip its readers disagree on: " + disagreement + "; findings " + result.findings());
        }
    }

    /** Entry names as {@link ZipFile} lists them, or null if it cannot open the bytes. */
    private static List<String> centralNames(byte[] data) {
        try {
            Files.write(FILE, data);
            List<String> names = new ArrayList<>();
            try (ZipFile zip = new ZipFile(FILE.toFile())) {
                for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                    names.add(en.nextElement().getName());
                }
            }
            return names;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Entry names {@link ZipInputStream} reads before it stops. */
    private static List<String> streamedNames(byte[] data) {
        List<String> names = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(data))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null && names.size() < 10_000; ) {
                names.add(e.getName());
            }
        } catch (IOException | RuntimeException e) {
            // What it read before the error is what a streaming loader saw.
        }
        return names;
    }

    @FuzzTest(maxDuration = "30s")
    void zipIndex(byte[] data) {
        fuzzerTestOneInput(data);
    }
}
