package dev.safeload.model.torch;

import static dev.safeload.model.Scans.assertAllowed;
import static dev.safeload.model.Scans.assertBlocked;

import dev.safeload.model.ModelPolicies;
import dev.safeload.model.ModelScanner;
import dev.safeload.model.Severity;
import dev.safeload.model.pickle.PickleMachine;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A legacy checkpoint whose first pickle builds a joblib array wrapper means one thing to
 * torch.load and another to joblib.load (legacy-joblib/make_legacy_joblib_fixtures.py --prove:
 * torch 1.13 loads a tensor, joblib 1.2 runs the payload hidden in the storage bytes).
 */
class LegacyJoblibReadingTest {

    private static Path fixture(String name) throws Exception {
        return Path.of(LegacyJoblibReadingTest.class.getResource("legacy-joblib/" + name).toURI());
    }

    @Test
    void readsALegacyCheckpointAsJoblibToo() throws Exception {
        assertBlocked(new ModelScanner(ModelPolicies.defaults()).scanFile(fixture("legacy_joblib_double.pt")),
                PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
    }

    @Test
    void allowsTheSameLayoutWhenJoblibsReadingIsHarmless() throws Exception {
        assertAllowed(new ModelScanner(ModelPolicies.defaults()).scanFile(fixture("legacy_joblib_double_twin.pt")));
    }
}
