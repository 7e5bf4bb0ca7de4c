package dev.safeload.model.torch;

import static dev.safeload.model.Scans.assertAllowed;
import static dev.safeload.model.Scans.assertBlocked;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.safeload.model.ModelPolicies;
import dev.safeload.model.ModelPolicy;
import dev.safeload.model.ModelScanner;
import dev.safeload.model.ScanResult;
import dev.safeload.model.Severity;
import dev.safeload.model.pickle.PickleMachine;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What PyTorch 1.13 itself writes (fixtures made by make_fixtures.py beside them): every tensor
 * variant a weights-only loader takes passes in each container; a pickled whole module does not.
 */
class RealTorchFilesTest {

    private static Path fixture(String name) throws Exception {
        return Path.of(RealTorchFilesTest.class.getResource(name).toURI());
    }

    @ParameterizedTest
    @CsvSource({
        "variants_zip.pt, pytorch-zip",
        "variants_legacy.pt, pytorch-legacy",
        "conv_state_dict.pt, pytorch-zip",
        "conv_script.pt, torchscript",
    })
    void allowsTensorVariantsInEveryContainer(String file, String format) throws Exception {
        ScanResult r = new ModelScanner(ModelPolicies.defaults()).scanFile(fixture(file));
        assertAllowed(r);
        assertEquals(List.of(format), r.formats());
    }

    @Test
    void blocksAPickledWholeModuleUnlessItsClassesAreAllowed() throws Exception {
        assertBlocked(new ModelScanner(ModelPolicies.defaults()).scanFile(fixture("whole_module.pt")),
                PickleMachine.RULE_UNKNOWN, Severity.HIGH);
        ModelPolicy nn = ModelPolicies.parse(Map.of("model.pickle.allow", "torch.nn.modules.**"));
        assertAllowed(new ModelScanner(nn).scanFile(fixture("whole_module.pt")));
    }
}
