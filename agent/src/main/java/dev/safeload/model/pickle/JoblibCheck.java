package dev.safeload.model.pickle;

import dev.safeload.model.ContentSniff;
import dev.safeload.model.Finding;
import dev.safeload.model.FormatCheck;
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
public final class JoblibCheck implements FormatCheck, ContentSniff {

    @Override
    public String format() {
        return "joblib";
    }

    @Override
    public boolean sniff(byte[] head, long size) {
        return false; // see sniff(ModelSource, byte[]): the wrapper's name may come late
    }

    @Override
    public boolean sniff(ModelSource source, byte[] head) throws IOException {
        return PickleSniffer.looksLikePickle(head, source.size()) && !PickleSniffer.isTorchLegacy(head)
                && PickleSniffer.isJoblib(source, head);
    }

    @Override
    public List<Finding> check(ModelSource source, ScanContext context) throws IOException {
        PickleImports imports = PickleRun.imports(context);
        List<Finding> findings = PickleCheck.checkOne(source, imports, true);
        // pickle.load of the same file reads the array bytes as opcodes: a file built to mean
        // one thing to joblib and another to pickle is caught by reading it that way too, to the
        // end: a victim that calls pickle.load again on the same file (as torch's legacy format
        // does) reads the next pickle from where the last one stopped.
        PickleInput in = new PickleInput(source, 0);
        while (in.remaining() > 0) {
            PickleMachine.Outcome o = new PickleMachine(imports, PickleMachine.Limits.DEFAULTS, findings).lenient(true)
                    .run(in, source.name());
            if (!o.complete()) {
                break;
            }
        }
        return findings;
    }
}
