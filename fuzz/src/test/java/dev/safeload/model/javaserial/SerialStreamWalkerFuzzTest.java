package dev.safeload.model.javaserial;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.safeload.fuzz.ScanHarness;
import dev.safeload.fuzz.SeedWarmUp;
import dev.safeload.model.ModelSource;
import java.io.IOException;
import org.junit.jupiter.api.BeforeAll;

/**
 * The Java-serialization stream walker that judges {@code AC ED} model files without
 * deserializing them: directly (every byte, not only streams the sniff claims), then through
 * the scanner.
 */
public class SerialStreamWalkerFuzzTest {

    /** Before fuzz.sh's fuzzing starts (not in the build's replay): see {@link SeedWarmUp}. */
    @BeforeAll
    static void warmUp() {
        SeedWarmUp.replay(SerialStreamWalkerFuzzTest.class, "walk", SerialStreamWalkerFuzzTest::fuzzerTestOneInput);
    }

    public static void fuzzerTestOneInput(byte[] data) {
        try {
            SerialStreamWalker.walk(ModelSource.of("fuzz.ser", data, null), ScanHarness.POLICY.serial());
        } catch (IOException e) {
            // Malformed stream: declared, and a blocking finding in the check.
        }
        ScanHarness.scan("fuzz.ser", data);
    }

    @FuzzTest(maxDuration = "30s")
    void walk(byte[] data) {
        fuzzerTestOneInput(data);
    }
}
