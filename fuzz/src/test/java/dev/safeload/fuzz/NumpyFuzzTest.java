package dev.safeload.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** NumPy .npy headers (numeric and object arrays) and .npz archives, through the scanner. */
public class NumpyFuzzTest {

    /** Called once by Jazzer's standalone driver before fuzzing: see {@link SeedWarmUp}. */
    public static void fuzzerInitialize() {
        SeedWarmUp.replay(NumpyFuzzTest.class, "numpy", NumpyFuzzTest::fuzzerTestOneInput);
    }

    /** The entry point of Jazzer's standalone driver, which fuzz/fuzz.sh runs. */
    public static void fuzzerTestOneInput(byte[] data) {
        ScanHarness.scan("fuzz.npy", data);
    }

    /** In the build: replays src/test/resources/dev/safeload/fuzz/NumpyFuzzTestInputs/numpy. */
    @FuzzTest(maxDuration = "30s")
    void numpy(byte[] data) {
        fuzzerTestOneInput(data);
    }
}
