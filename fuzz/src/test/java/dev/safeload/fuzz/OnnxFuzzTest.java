package dev.safeload.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.BeforeAll;

/** ONNX protobuf models, including external-data locations, through the scanner. */
public class OnnxFuzzTest {

    /** Before fuzz.sh's fuzzing starts (not in the build's replay): see {@link SeedWarmUp}. */
    @BeforeAll
    static void warmUp() {
        SeedWarmUp.replay(OnnxFuzzTest.class, "onnx", OnnxFuzzTest::fuzzerTestOneInput);
    }

    /** The entry point of Jazzer's standalone driver, which fuzz/fuzz.sh runs. */
    public static void fuzzerTestOneInput(byte[] data) {
        ScanHarness.scan("fuzz.onnx", data);
    }

    /** In the build: replays src/test/resources/dev/safeload/fuzz/OnnxFuzzTestInputs/onnx. */
    @FuzzTest(maxDuration = "30s")
    void onnx(byte[] data) {
        fuzzerTestOneInput(data);
    }
}
