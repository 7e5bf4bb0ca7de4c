package dev.safeload.model.pickle;

import static dev.safeload.model.Scans.assertAllowed;
import static dev.safeload.model.Scans.assertBlocked;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.safeload.model.ModelPolicies;
import dev.safeload.model.ModelScanner;
import dev.safeload.model.ScanResult;
import dev.safeload.model.Severity;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What joblib 1.2 itself writes (fixtures made by ../joblib/make_fixtures.py): raw arrays after
 * their wrappers, an object array's nested pickle, a vocabulary past the retention budget before
 * the first array, and every compression joblib offers; and os.system reducers after the arrays
 * and inside an object array.
 */
class RealJoblibFilesTest {

    @ParameterizedTest
    @CsvSource({
        "arrays.joblib, joblib",
        "arrays.joblib.zlib, zlib",
        "arrays.joblib.gzip, gzip",
        "arrays.joblib.bz2, bz2",
        "arrays.joblib.lzma, lzma",
        "arrays.joblib.xz, xz",
        "arrays.joblib.lz4, lz4",
        "vocabulary.joblib, zlib",
    })
    void allowsWhatJoblibWrites(String file, String format) throws Exception {
        Path path = Path.of(RealJoblibFilesTest.class.getResource("/dev/safeload/model/joblib/" + file).toURI());
        ScanResult r = new ModelScanner(ModelPolicies.defaults()).scanFile(path);
        assertAllowed(r);
        assertEquals(List.of(format), r.formats());
    }

    @ParameterizedTest
    @CsvSource({"payload_after_arrays.joblib", "payload_after_arrays.joblib.gzip", "payload_in_object_array.joblib"})
    void findsReducersAfterAndInsideArrays(String file) throws Exception {
        Path path = Path.of(RealJoblibFilesTest.class.getResource("/dev/safeload/model/joblib/" + file).toURI());
        assertBlocked(new ModelScanner(ModelPolicies.defaults()).scanFile(path), PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
    }
}
