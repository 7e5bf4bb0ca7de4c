package dev.safeload.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.BeforeAll;

/** GGUF header and metadata, through the scanner. The chat-template parser gets its own target once it lands. */
public class GgufFuzzTest {

    /** Before fuzz.sh's fuzzing starts (not in the build's replay): see {@link SeedWarmUp}. */
    @BeforeAll
    static void warmUp() {
        SeedWarmUp.replay(GgufFuzzTest.class, "gguf", GgufFuzzTest::fuzzerTestOneInput);
    }

    /** The entry point of Jazzer's standalone driver, which fuzz/fuzz.sh runs. */
    public static void fuzzerTestOneInput(byte[] data) {
        ScanHarness.scan("fuzz.gguf", data);
    }

    /** In the build: replays src/test/resources/dev/safeload/fuzz/GgufFuzzTestInputs/gguf. */
    @FuzzTest(maxDuration = "30s")
    void gguf(byte[] data) {
        fuzzerTestOneInput(data);
    }
}
