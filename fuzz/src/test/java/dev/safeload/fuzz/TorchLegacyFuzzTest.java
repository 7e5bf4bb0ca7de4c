package dev.safeload.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.BeforeAll;

/** PyTorch's legacy (pre-1.6) pickle-and-storages format and its tar variant, through the scanner. */
public class TorchLegacyFuzzTest {

    /** Before fuzz.sh's fuzzing starts (not in the build's replay): see {@link SeedWarmUp}. */
    @BeforeAll
    static void warmUp() {
        SeedWarmUp.replay(TorchLegacyFuzzTest.class, "torchLegacy", TorchLegacyFuzzTest::fuzzerTestOneInput);
    }

    /** The entry point of Jazzer's standalone driver, which fuzz/fuzz.sh runs. */
    public static void fuzzerTestOneInput(byte[] data) {
        ScanHarness.scan("fuzz.pt", data);
    }

    /** In the build: replays src/test/resources/dev/safeload/fuzz/TorchLegacyFuzzTestInputs/torchLegacy. */
    @FuzzTest(maxDuration = "30s")
    void torchLegacy(byte[] data) {
        fuzzerTestOneInput(data);
    }
}
