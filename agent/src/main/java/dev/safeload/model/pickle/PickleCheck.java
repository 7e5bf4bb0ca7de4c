package dev.safeload.model.pickle;

import dev.safeload.model.ContentSniff;
import dev.safeload.model.Finding;
import dev.safeload.model.FormatCheck;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ScanContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain pickle ({@code pickle.dump}, {@code torch.save(..., _use_new_zipfile_serialization=False)}
 * is {@link dev.safeload.model.torch.TorchLegacyCheck}'s, joblib's is {@link JoblibCheck}'s).
 * One pickle and nothing after it: bytes after STOP are where a second payload hides for loaders
 * that read on.
 */
public final class PickleCheck implements FormatCheck, ContentSniff {

    public static final String RULE_TRAILING = "pickle.trailing-data";

    @Override
    public String format() {
        return "pickle";
    }

    @Override
    public boolean sniff(byte[] head, long size) {
        return PickleSniffer.looksLikePickle(head, size) && !PickleSniffer.isTorchLegacy(head);
    }

    @Override
    public boolean sniff(ModelSource source, byte[] head) throws IOException {
        return sniff(head, source.size()) && !PickleSniffer.isJoblib(source, head);
    }

    @Override
    public List<Finding> check(ModelSource source, ScanContext context) throws IOException {
        return checkOne(source, PickleRun.imports(context), false);
    }

    /** Checks the single pickle that {@code source} must be, and that nothing follows it. */
    static List<Finding> checkOne(ModelSource source, PickleImports imports, boolean joblib) throws IOException {
        List<Finding> findings = new ArrayList<>();
        PickleInput in = new PickleInput(source, 0);
        PickleMachine machine = new PickleMachine(imports, PickleMachine.Limits.DEFAULTS, findings).joblibArrays(joblib);
        PickleMachine.Outcome o = machine.run(in, source.name());
        if (o.complete() && in.remaining() > 0) {
            PickleRun.trailing(source, in, imports, findings);
        }
        if (!joblib && machine.arrayWrapperBuilt()) {
            // joblib.load reads any pickle; with an array wrapper in it, it skips array bytes that
            // pickle.load reads as opcodes (and the name may be spelled with escapes no sniff sees).
            findings.addAll(checkOne(source, imports, true));
        }
        return findings;
    }
}
