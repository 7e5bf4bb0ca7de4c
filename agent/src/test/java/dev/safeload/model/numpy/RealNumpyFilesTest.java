package dev.safeload.model.numpy;

import static dev.safeload.model.Scans.assertAllowed;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.safeload.model.ModelPolicies;
import dev.safeload.model.ModelScanner;
import dev.safeload.model.ScanResult;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What numpy itself writes (fixtures made by make_fixtures.py beside them) passes, as the right format. */
class RealNumpyFilesTest {

    @ParameterizedTest
    @CsvSource({
        "numeric_v1.npy, numpy",
        "structured.npy, numpy",
        "objects.npy, numpy-object",
        "structured_object.npy, numpy-object",
        "pair.npz, npz",
        "pair_compressed.npz, npz",
        "ndarray_protocol2.pkl, pickle",
        "ndarray_protocol4.pkl, pickle",
        "ndarray_protocol5.pkl, pickle",
    })
    void allowsWhatNumpyWrites(String file, String format) throws IOException, URISyntaxException {
        Path path = Path.of(RealNumpyFilesTest.class.getResource(file).toURI());
        ScanResult r = new ModelScanner(ModelPolicies.defaults()).scanFile(path);
        assertAllowed(r);
        assertEquals(List.of(format), r.formats());
    }
}
