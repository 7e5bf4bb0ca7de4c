package dev.safeload.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Runs one format package's checks over the shared corpus of real model files (written by the
 * real producers) and compares with the manifest's verdicts; each format package extends it
 * with its manifest categories and checks. Skipped where the corpus is absent.
 */
public abstract class FormatCorpusTest {

    private final Set<String> categories;
    private final List<FormatCheck> checks;

    protected FormatCorpusTest(Set<String> categories, List<FormatCheck> checks) {
        this.categories = categories;
        this.checks = checks;
    }

    @Test
    void claimsOnlyAndAllTheCorpusFilesOfItsFormats() throws IOException {
        Path corpus = corpus();
        for (String[] row : manifest(corpus)) {
            byte[] head = head(corpus.resolve(row[0]));
            boolean claimed = checks.stream().anyMatch(c -> c.sniff(head, head.length));
            assertEquals(categories.contains(row[2]), claimed, row[0] + " (" + row[2] + ")");
        }
    }

    @Test
    void givesTheManifestVerdictForCorpusFilesOfItsFormats() throws IOException {
        Path corpus = corpus();
        int checked = 0;
        for (String[] row : manifest(corpus)) {
            if (!categories.contains(row[2])) {
                continue;
            }
            Path file = corpus.resolve(row[0]);
            byte[] head = head(file);
            List<Finding> findings = new ArrayList<>();
            for (FormatCheck check : checks) {
                if (check.sniff(head, Files.size(file))) {
                    try (ModelSource source = ModelSource.of(file)) {
                        findings.addAll(check.check(source, null));
                    }
                }
            }
            boolean blocked = findings.stream().anyMatch(f -> f.severity().compareTo(Severity.HIGH) >= 0);
            assertEquals(row[1], blocked ? "block" : "allow", row[0] + ": " + findings);
            checked++;
        }
        assumeTrue(checked > 0, "no corpus files of " + categories);
    }

    /** The corpus beside the repository ({@code ../shared/corpus} from its root), or a skip. */
    protected static Path corpus() {
        Path corpus = Path.of(System.getProperty("safeload.corpus", "../../shared/corpus")).toAbsolutePath()
                .normalize();
        assumeTrue(Files.isRegularFile(corpus.resolve("manifest.tsv")), "no model corpus at " + corpus);
        return corpus;
    }

    /** Rows of manifest.tsv: file, expected verdict, category, note. */
    protected static List<String[]> manifest(Path corpus) throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(corpus.resolve("manifest.tsv"))) {
            String[] row = line.split("\t");
            if (row.length >= 3 && !row[0].equals("file")) {
                rows.add(row);
            }
        }
        return rows;
    }

    protected static byte[] head(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return bytes.length <= 64 * 1024 ? bytes : Arrays.copyOf(bytes, 64 * 1024);
    }
}
