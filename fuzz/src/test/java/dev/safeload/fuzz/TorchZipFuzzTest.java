package dev.safeload.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.BeforeAll;

/** PyTorch zip checkpoints and TorchScript archives, through the scanner. */
public class TorchZipFuzzTest {

    /** Before fuzz.sh's fuzzing starts (not in the build's replay): see {@link SeedWarmUp}. */
    @BeforeAll
    static void warmUp() {
        SeedWarmUp.replay(TorchZipFuzzTest.class, "torchZip", TorchZipFuzzTest::fuzzerTestOneInput);
    }

    /** The entry point of Jazzer's standalone driver, which fuzz/fuzz.sh runs. */
    public static void fuzzerTestOneInput(byte[] data) {
        ScanHarness.scan("fuzz.pt", data);
    }

    /** In the build: replays src/test/resources/dev/safeload/fuzz/TorchZipFuzzTestInputs/torchZip. */
    @FuzzTest(maxDuration = "30s")
    void torchZip(byte[] data) {
        fuzzerTestOneInput(data);
    }
}
