package dev.safeload.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** Joblib pickles with their array chunks, and the compressed streams (gzip, bz2, xz, lzma, lz4, zlib) around pickles, through the scanner. */
public class JoblibFuzzTest {

    /** Called once by Jazzer's standalone driver before fuzzing: see {@link SeedWarmUp}. */
    public static void fuzzerInitialize() {
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
