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
 * Files that joblib.load and pickle.load read as different programs. Fixtures and what the
 * real readers (joblib 1.2, CPython 3.11) do with them: {@code joblib/make_double_meaning.py}.
 */
class JoblibDoubleMeaningTest {

    private static ScanResult scan(String file) throws Exception {
        Path path = Path.of(JoblibDoubleMeaningTest.class.getResource("/dev/safeload/model/joblib/" + file).toURI());
        return new ModelScanner(ModelPolicies.defaults()).scanFile(path);
    }

    /** joblib.load runs posix.system after the array; pickle.load reads it as BINBYTES data; no byte search finds the wrapper. */
    @Test
    void readsJoblibViewWhenWrapperNameIsEscapedAndJoblibRunsCodeAfterTheArray() throws Exception {
        assertBlocked(scan("escaped_wrapper.pkl"), PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
        assertAllowed(scan("escaped_wrapper_twin.pkl"));
    }

    /** The second pickle.load of the same file runs posix.system from inside joblib's array bytes. */
    @Test
    void readsPlainPickleViewToTheEndWhereASecondLoadRunsCode() throws Exception {
        assertBlocked(scan("second_load.joblib"), PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
        assertAllowed(scan("second_load_twin.joblib"));
    }
}
