package dev.safeload.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.BeforeAll;

/** Keras HDF5 (.h5, read through jhdf) and Keras 3 (.keras zip) models, through the scanner. */
public class KerasH5FuzzTest {

    /** Before fuzz.sh's fuzzing starts (not in the build's replay): see {@link SeedWarmUp}. */
    @BeforeAll
    static void warmUp() {
        SeedWarmUp.replay(KerasH5FuzzTest.class, "kerasH5", KerasH5FuzzTest::fuzzerTestOneInput);
    }

    /** The entry point of Jazzer's standalone driver, which fuzz/fuzz.sh runs. */
    public static void fuzzerTestOneInput(byte[] data) {
        ScanHarness.scan("fuzz.h5", data);
    }

    /** In the build: replays src/test/resources/dev/safeload/fuzz/KerasH5FuzzTestInputs/kerasH5. */
    @FuzzTest(maxDuration = "30s")
    void kerasH5(byte[] data) {
        fuzzerTestOneInput(data);
    }
}
