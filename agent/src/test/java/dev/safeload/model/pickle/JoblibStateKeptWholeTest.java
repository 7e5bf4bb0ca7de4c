package dev.safeload.model.pickle;

import static dev.safeload.model.Scans.assertAllowed;
import static dev.safeload.model.Scans.assertBlocked;

import dev.safeload.model.ModelPolicies;
import dev.safeload.model.ModelScanner;
import dev.safeload.model.ScanResult;
import dev.safeload.model.Severity;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A joblib array wrapper after a container past the retention budget, whose state repeats
 * 'shape': joblib takes the last one (joblib/make_budget_fixtures.py --prove: the payload runs
 * in joblib 1.2), a reading that kept only the first few entries took the first.
 */
class JoblibStateKeptWholeTest {

    private static ScanResult scan(String file) throws Exception {
        Path path = Path.of(JoblibStateKeptWholeTest.class.getResource("/dev/safeload/model/joblib/" + file).toURI());
        return new ModelScanner(ModelPolicies.defaults()).scanFile(path);
    }

    @Test
    void refusesArrayWrapperWhoseStateWasNotKeptWhole() throws Exception {
        assertBlocked(scan("budget_repeated_shape.joblib.gzip"), PickleMachine.RULE_JOBLIB_ARRAY, Severity.HIGH);
    }

    @Test
    void allowsArrayWrapperAfterALargeVocabulary() throws Exception {
        assertAllowed(scan("budget_large_vocabulary_twin.joblib.gzip"));
    }
}
