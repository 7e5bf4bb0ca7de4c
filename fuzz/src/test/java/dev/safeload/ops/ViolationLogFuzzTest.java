package dev.safeload.ops;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.safeload.config.ConfigException;
import dev.safeload.config.PolicyCompiler;
import dev.safeload.config.PolicyFile;
import dev.safeload.config.Settings;
import dev.safeload.fuzz.SeedWarmUp;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;

/**
 * The violation-log reader and line parser, with what {@code learn} and {@code report} do with
 * the events: the report is written, and the policy {@code learn} writes must compile (learn
 * itself treats a policy the agent rejects as its own bug).
 */
public class ViolationLogFuzzTest {

    private static final Path FILE;
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    /** Immutable, and reading it from the jar's resources for each input cost most of the time. */
    private static final GadgetCatalog GADGETS = GadgetCatalog.builtIn();

    static {
        try {
            FILE = Files.createTempFile("safeload-fuzz-log", ".jsonl");
            FILE.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Before fuzz.sh's fuzzing starts (not in the build's replay): see {@link SeedWarmUp}. */
    @BeforeAll
    static void warmUp() {
        SeedWarmUp.replay(ViolationLogFuzzTest.class, "violationLog", ViolationLogFuzzTest::fuzzerTestOneInput);
    }

    public static void fuzzerTestOneInput(byte[] data) {
        try {
            Files.write(FILE, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PolicyLearner learner = new PolicyLearner();
        ViolationSummary summary = new ViolationSummary(GADGETS);
        List<Path> files = List.of(FILE);
        List<ViolationLogReader.FileStats> stats = ViolationLogReader.read(files, null, new ViolationLogReader.Visitor() {
            @Override
            public void event(LogEvent event) {
                learner.event(event);
                summary.event(event);
            }

            @Override
            public void malformed(Path file, long line, String reason) {
                summary.malformed(file, line, reason);
            }
        });
        summary.finish();
        try {
            SummaryJsonWriter.write(OutputStream.nullOutputStream(), summary, stats, null, 10);
        } catch (IOException e) {
            throw new AssertionError("report cannot write to a null stream", e);
        }
        SummaryTextWriter.write(new PrintStream(OutputStream.nullOutputStream()), summary, stats, null, 10);
        for (boolean widen : new boolean[] {false, true}) {
            PolicyLearner.Result result = learner.learn(BasePolicy.none(), GADGETS, widen, false);
            String text = LearnedPolicyText.render(result, BasePolicy.none(), files, NOW);
            try {
                PolicyCompiler.compile(Settings.of(PolicyFile.parse(text.getBytes(StandardCharsets.UTF_8),
                        "learned policy"), "learned policy"));
            } catch (ConfigException e) {
                throw new AssertionError("learn wrote a policy the agent rejects (widen=" + widen + "): "
                        + e.getMessage() + "\n" + text, e);
            }
        }
    }

    @FuzzTest(maxDuration = "30s")
    void violationLog(byte[] data) {
        fuzzerTestOneInput(data);
    }
}
