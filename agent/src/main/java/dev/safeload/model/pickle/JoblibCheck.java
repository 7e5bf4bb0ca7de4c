package dev.safeload.model.pickle;

import dev.safeload.model.FormatCheck;
import dev.safeload.model.Finding;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ScanContext;
import java.io.IOException;
import java.util.List;

/**
 * A {@code joblib.dump} file (after decompression, which the compression checks do): one
 * pickle whose NumPy arrays are written raw right after each {@code NumpyArrayWrapper}'s BUILD,
 * or, for object arrays, as nested pickles. The raw bytes are skipped by their declared size;
 * the nested pickles are checked like the outer one.
 */
public final class JoblibCheck implements FormatCheck {

    @Override
    public String format() {
        return "joblib";
    }

    @Override
    public boolean sniff(byte[] head, long size) {
        return PickleSniffer.isJoblib(head) && !PickleSniffer.isTorchLegacy(head);
    }

    @Override
    public List<Finding> check(ModelSource source, ScanContext context) throws IOException {
        return PickleCheck.checkOne(source, PickleRun.imports(context), true);
    }
}
