package dev.safeload.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.BeforeAll;

/** NumPy .npy headers (numeric and object arrays) and .npz archives, through the scanner. */
public class NumpyFuzzTest {

    /** Before fuzz.sh's fuzzing starts (not in the build's replay): see {@link SeedWarmUp}. */
    @BeforeAll
    static void warmUp() {
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
