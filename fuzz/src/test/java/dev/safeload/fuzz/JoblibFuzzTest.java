package dev.safeload.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.BeforeAll;

/** Joblib pickles with their array chunks, and the compressed streams (gzip, bz2, xz, lzma, lz4, zlib) around pickles, through the scanner. */
public class JoblibFuzzTest {

    /** Before fuzz.sh's fuzzing starts (not in the build's replay): see {@link SeedWarmUp}. */
    @BeforeAll
    static void warmUp() {
        SeedWarmUp.replay(JoblibFuzzTest.class, "joblib", JoblibFuzzTest::fuzzerTestOneInput);
    }

    /** The entry point of Jazzer's standalone driver, which fuzz/fuzz.sh runs. */
    public static void fuzzerTestOneInput(byte[] data) {
        ScanHarness.scan("fuzz.joblib", data);
    }

    /** In the build: replays src/test/resources/dev/safeload/fuzz/JoblibFuzzTestInputs/joblib. */
    @FuzzTest(maxDuration = "30s")
    void joblib(byte[] data) {
        fuzzerTestOneInput(data);
    }
}
