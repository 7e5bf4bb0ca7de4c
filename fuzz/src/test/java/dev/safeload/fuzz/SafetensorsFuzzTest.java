package dev.safeload.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** Safetensors: the JSON header and the tensor offsets, through the scanner. */
public class SafetensorsFuzzTest {

    /** Called once by Jazzer's standalone driver before fuzzing: see {@link SeedWarmUp}. */
    public static void fuzzerInitialize() {
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
