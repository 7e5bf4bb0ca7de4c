package dev.safeload.model.torch;

import static dev.safeload.model.Scans.assertAllowed;
import static dev.safeload.model.Scans.assertBlocked;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.safeload.model.ModelPolicies;
import dev.safeload.model.ModelScanner;
import dev.safeload.model.ScanResult;
import dev.safeload.model.Severity;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PyTorchStreamReader finds records case-insensitively (miniz folds ASCII case), so TorchScript
 * code named "__torch__.PY" is compiled and run (miniz-case/make_miniz_case_fixtures.py --prove).
 */
class MinizCaseTest {

    private static Path fixture(String name) throws Exception {
        return Path.of(MinizCaseTest.class.getResource("miniz-case/" + name).toURI());
    }

    @Test
    void judgesTorchScriptCodeWhoseNameIsUpperCase() throws Exception {
        ScanResult r = new ModelScanner(ModelPolicies.defaults()).scanFile(fixture("ts_code_upper_case.pt"));
        assertEquals(List.of("torchscript"), r.formats());
        assertBlocked(r, "torchscript.operator", Severity.HIGH);
    }

    @Test
    void allowsTheSameArchiveWithHarmlessUpperCaseCode() throws Exception {
        assertAllowed(new ModelScanner(ModelPolicies.defaults()).scanFile(fixture("ts_code_upper_case_twin.pt")));
    }

    @Test
    void foldsOnlyAsciiCaseAsMinizDoes() {
        assertEquals("archive/code/__torch__.py", TorchZipCheck.minizName("ARCHIVE/Code/__torch__.PY"));
        assertEquals("\u0130.py", TorchZipCheck.minizName("\u0130.py"));
    }
}
