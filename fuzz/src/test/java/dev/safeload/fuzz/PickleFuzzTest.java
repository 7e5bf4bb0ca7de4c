package dev.safeload.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.BeforeAll;

/** The pickle machine (plain pickles, protocols 0 to 5), through the scanner as the hooks call it. */
public class PickleFuzzTest {

    /** Before fuzz.sh's fuzzing starts (not in the build's replay): see {@link SeedWarmUp}. */
    @BeforeAll
    static void warmUp() {
        SeedWarmUp.replay(PickleFuzzTest.class, "pickle", PickleFuzzTest::fuzzerTestOneInput);
    }

    /** The entry point of Jazzer's standalone driver, which fuzz/fuzz.sh runs. */
    public static void fuzzerTestOneInput(byte[] data) {
        ScanHarness.scan("fuzz.pkl", data);
    }

    /** In the build: replays src/test/resources/dev/safeload/fuzz/PickleFuzzTestInputs/pickle. */
    @FuzzTest(maxDuration = "30s")
    void pickle(byte[] data) {
        fuzzerTestOneInput(data);
    }
}
