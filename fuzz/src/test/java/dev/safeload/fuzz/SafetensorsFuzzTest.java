package dev.safeload.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.BeforeAll;

/** Safetensors: the JSON header and the tensor offsets, through the scanner. */
public class SafetensorsFuzzTest {

    /** Before fuzz.sh's fuzzing starts (not in the build's replay): see {@link SeedWarmUp}. */
    @BeforeAll
    static void warmUp() {
        SeedWarmUp.replay(SafetensorsFuzzTest.class, "safetensors", SafetensorsFuzzTest::fuzzerTestOneInput);
    }

    /** The entry point of Jazzer's standalone driver, which fuzz/fuzz.sh runs. */
    public static void fuzzerTestOneInput(byte[] data) {
        ScanHarness.scan("fuzz.safetensors", data);
    }

    /** In the build: replays src/test/resources/dev/safeload/fuzz/SafetensorsFuzzTestInputs/safetensors. */
    @FuzzTest(maxDuration = "30s")
    void safetensors(byte[] data) {
        fuzzerTestOneInput(data);
    }
}
