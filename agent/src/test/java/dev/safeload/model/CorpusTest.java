package dev.safeload.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Runs the scanner over the shared corpus of real model files (../shared/corpus from the repo
 * root) and compares every verdict with its manifest. Files expected to pass whose category no
 * registered check reads yet are skipped (they are blocked as unknown until then), so they
 * start counting the day their check is registered.
 */
class CorpusTest {

    private static Path corpus() {
        Path module = Path.of("").toAbsolutePath();
        for (Path p : List.of(module.resolve("../../shared/corpus"), module.resolve("../shared/corpus"))) {
            if (Files.isRegularFile(p.resolve("manifest.tsv"))) {
                return p.normalize();
            }
        }
        return null;
    }

    @Test
    void everyVerdictMatchesTheManifest() throws IOException {
        Path corpus = corpus();
        Assumptions.assumeTrue(corpus != null, "no shared corpus next to the repository");
        Set<String> registered = FormatChecks.all().stream().map(FormatCheck::format).collect(Collectors.toSet());
        registered.add("numpy");
        ModelScanner scanner = new ModelScanner(ModelPolicies.defaults());
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        List<String> manifest = Files.readAllLines(corpus.resolve("manifest.tsv"));
        for (String line : manifest.subList(1, manifest.size())) {
            String[] row = line.split("\t");
            if (row.length < 3 || (!registered.contains(row[2]) && row[1].equals("allow"))) {
                // Until a check for its format is registered, such a file is blocked as unknown.
                continue;
            }
            ScanResult r = scanner.scanFile(corpus.resolve(row[0]));
            checked++;
            if (!r.verdict().id().equals(row[1])) {
                wrong.add(row[0] + ": expected " + row[1] + ", got " + r.verdict().id() + " " + r.findings());
            }
        }
        assertTrue(checked >= 20, "only " + checked + " corpus files are in registered formats");
        assertEquals(List.of(), wrong);
    }

    @Test
    void sklearnModelPassesWhenThePolicyAllowsSklearn() throws Exception {
        Path corpus = corpus();
        Assumptions.assumeTrue(corpus != null, "no shared corpus next to the repository");
        ModelPolicy policy = ModelPolicies.parse(Map.of("model.pickle.allow", "sklearn.**"));
        ScanResult r = new ModelScanner(policy).scanFile(corpus.resolve("sklearn_logreg.joblib"));
        assertEquals(Verdict.ALLOW, r.verdict(), r::toString);
        assertEquals(List.of("joblib"), r.formats());
    }
}
