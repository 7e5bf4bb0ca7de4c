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
 * A torch.save checkpoint is also what np.load reads as an NpzFile, and NpzFile reads any member
 * that starts with the .npy magic as an array (npy-in-storage/make_npy_in_storage_fixtures.py
 * --prove: torch.load sees a uint8 tensor, np.load(allow_pickle=True) runs the payload).
 */
class NpyInStorageTest {

    private static Path fixture(String name) throws Exception {
        return Path.of(NpyInStorageTest.class.getResource("npy-in-storage/" + name).toURI());
    }

    @Test
    void refusesTensorBytesThatNumpyReadsAsAnObjectArray() throws Exception {
        assertBlocked(new ModelScanner(ModelPolicies.defaults()).scanFile(fixture("storage_is_object_npy.pt")),
                PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
    }

    @Test
    void allowsTensorBytesThatNumpyReadsAsANumericArray() throws Exception {
        assertAllowed(new ModelScanner(ModelPolicies.defaults()).scanFile(fixture("storage_is_numeric_npy_twin.pt")));
    }
}
