package dev.safeload.model.keras;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.safeload.fuzz.SeedWarmUp;
import dev.safeload.model.Finding;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;

/**
 * The Keras config walker on raw JSON, as the .keras and .h5 checks hand it {@code config.json}
 * or the {@code model_config} attribute: findings, or an IOException for JSON it cannot read
 * (which those checks turn into a blocking finding); nothing else.
 */
public class KerasConfigFuzzTest {

    /** Before fuzz.sh's fuzzing starts (not in the build's replay): see {@link SeedWarmUp}. */
    @BeforeAll
    static void warmUp() {
        SeedWarmUp.replay(KerasConfigFuzzTest.class, "kerasConfig", KerasConfigFuzzTest::fuzzerTestOneInput);
    }

    public static void fuzzerTestOneInput(byte[] data) {
        List<Finding> findings = new ArrayList<>();
        try {
            KerasConfig.inspect(new ByteArrayInputStream(data), "config.json", findings);
        } catch (IOException e) {
            // Malformed JSON: declared.
        }
    }

    @FuzzTest(maxDuration = "30s")
    void kerasConfig(byte[] data) {
        fuzzerTestOneInput(data);
    }
}
