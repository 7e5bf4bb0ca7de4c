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
 * A legacy checkpoint whose first pickle's FRAME runs past its STOP: torch.load (pickle.load on
 * the file) reads that frame whole and starts the next pickle at its end, inside what a
 * STOP-to-STOP reading takes for storage bytes (legacy-frame/make_legacy_frame_fixtures.py
 * --prove: the payload runs in torch 1.13).
 */
class LegacyFrameTest {

    private static Path fixture(String name) throws Exception {
        return Path.of(LegacyFrameTest.class.getResource("legacy-frame/" + name).toURI());
    }

    @Test
    void refusesAFrameThatRunsPastStopBeforeTheNextPickle() throws Exception {
        assertBlocked(new ModelScanner(ModelPolicies.defaults()).scanFile(fixture("legacy_frame_runs_past_stop.pt")),
                PickleMachine.RULE_FRAME, Severity.HIGH);
    }

    @Test
    void refusesTheFrameTrickEvenWhenTheHiddenPickleIsHarmless() throws Exception {
        assertBlocked(new ModelScanner(ModelPolicies.defaults()).scanFile(fixture("legacy_frame_runs_past_stop_harmless.pt")),
                PickleMachine.RULE_FRAME, Severity.HIGH);
    }

    @Test
    void allowsTheSameCheckpointAsTorchSaveWroteIt() throws Exception {
        assertAllowed(new ModelScanner(ModelPolicies.defaults()).scanFile(fixture("legacy_plain_twin.pt")));
    }
}
