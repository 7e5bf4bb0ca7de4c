package dev.safeload.model.pickle;

import dev.safeload.model.Finding;
import dev.safeload.model.ModelPolicy;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ScanContext;
import dev.safeload.model.Severity;
import java.io.IOException;
import java.util.List;

/** Shared steps of the pickle-bearing checks. */
public final class PickleRun {

    private PickleRun() {
    }

    /** The import rules of the policy in force. */
    public static PickleImports imports(ScanContext context) {
        ModelPolicy p = context.policy();
        return new PickleImports(p.pickleAllow(), p.pickleDeny());
    }

    /**
     * Reports the bytes after a pickle's STOP, and reads them as a further pickle (leniently)
     * so that a hidden second payload's imports are named too.
     */
    public static void trailing(ModelSource source, PickleInput in, PickleImports imports, List<Finding> findings)
            throws IOException {
        long at = in.position();
        findings.add(new Finding(PickleCheck.RULE_TRAILING, Severity.HIGH, source.name() + "@" + at,
                in.remaining() + " byte(s) after the pickle's STOP; loaders that read on (joblib, torch legacy) would see them"));
        new PickleMachine(imports, PickleMachine.Limits.DEFAULTS, findings).lenient(true).run(in, source.name());
    }

    /**
     * joblib.load's reading of a file that starts with a pickle: that first pickle, with the
     * array bytes (or nested pickles) each NumpyArrayWrapper's BUILD announces read as joblib
     * reads them. What follows its STOP joblib never reads.
     */
    public static void joblibReading(ModelSource source, PickleImports imports, List<Finding> findings)
            throws IOException {
        new PickleMachine(imports, PickleMachine.Limits.DEFAULTS, findings).joblibArrays(true)
                .run(new PickleInput(source, 0), source.name() + " (as joblib.load reads it)");
    }

    /** Runs one pickle from {@code offset} of {@code source}, strictly, adding findings. */
    public static PickleMachine.Outcome runAt(ModelSource source, long offset, PickleImports imports,
                                              List<Finding> findings) throws IOException {
        return new PickleMachine(imports, PickleMachine.Limits.DEFAULTS, findings)
                .run(new PickleInput(source, offset), source.name());
    }
}
