package dev.safeload.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** The pickle machine (plain pickles, protocols 0 to 5), through the scanner as the hooks call it. */
public class PickleFuzzTest {

    /** Called once by Jazzer's standalone driver before fuzzing: see {@link SeedWarmUp}. */
    public static void fuzzerInitialize() {
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
