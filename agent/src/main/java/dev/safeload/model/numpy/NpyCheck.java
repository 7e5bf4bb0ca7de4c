package dev.safeload.model.numpy;

import dev.safeload.model.Finding;
import dev.safeload.model.FormatCheck;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ScanContext;
import dev.safeload.model.Severity;
import dev.safeload.model.pickle.PickleImports;
import dev.safeload.model.pickle.PickleInput;
import dev.safeload.model.pickle.PickleMachine;
import dev.safeload.model.pickle.PickleRun;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A NumPy {@code .npy} array. A numeric one ({@code numpy}) must hold exactly the bytes its
 * header announces; an object one ({@code numpy-object}: an {@code O} anywhere in its dtype) is
 * a pickle after the header, which {@code np.load(allow_pickle=True)} would run, so it is
 * checked like any pickle.
 */
public final class NpyCheck implements FormatCheck {

    public static final String RULE_LAYOUT = "numpy.layout";

    private final boolean objects;

    private NpyCheck(boolean objects) {
        this.objects = objects;
    }

    /** Arrays of numbers; also claims headers it cannot parse, to report them. */
    public static NpyCheck numeric() {
        return new NpyCheck(false);
    }

    /** Arrays of Python objects. */
    public static NpyCheck objects() {
        return new NpyCheck(true);
    }

    @Override
    public String format() {
        return objects ? "numpy-object" : "numpy";
    }

    @Override
    public boolean sniff(byte[] head, long size) {
        if (!NpyHeader.hasMagic(head)) {
            return false;
        }
        try {
            NpyHeader h = NpyHeader.read(ModelSource.of("head", head, null));
            if (h.error() != null) {
                // Only a header longer than the head needs the file; the numeric check reports it.
                return !objects;
            }
            return h.hasObject() == objects;
        } catch (IOException e) {
            return !objects;
        }
    }

    @Override
    public List<Finding> check(ModelSource source, ScanContext context) throws IOException {
        List<Finding> findings = new ArrayList<>();
        NpyHeader h = NpyHeader.read(source);
        if (h.error() != null) {
            findings.add(new Finding(RULE_LAYOUT, Severity.HIGH, source.name(), h.error()));
            return findings;
        }
        if (h.hasObject() != objects) {
            return findings; // the other variant checks it
        }
        if (objects) {
            PickleImports imports = PickleRun.imports(context);
            PickleInput in = new PickleInput(source, h.dataOffset());
            PickleMachine.Outcome o = new PickleMachine(imports, PickleMachine.Limits.DEFAULTS, findings).run(in, source.name());
            if (o.complete() && in.remaining() > 0) {
                PickleRun.trailing(source, in, imports, findings);
            }
            return findings;
        }
        long item = h.itemSize();
        if (item < 0) {
            findings.add(new Finding(RULE_LAYOUT, Severity.HIGH, source.name(), "dtype " + h.descr()
                    + " is not one this check can size, so the file's length cannot be verified"));
            return findings;
        }
        long expected = item;
        try {
            for (long n : h.shape()) {
                expected = Math.multiplyExact(expected, n);
            }
        } catch (ArithmeticException e) {
            expected = Long.MAX_VALUE;
        }
        long actual = source.size() - h.dataOffset();
        if (actual < expected) {
            findings.add(new Finding(RULE_LAYOUT, Severity.HIGH, source.name(), "holds " + actual
                    + " data bytes but its header announces " + expected + " (truncated)"));
        } else if (actual > expected) {
            findings.add(new Finding(RULE_LAYOUT, Severity.HIGH, source.name() + "@" + (h.dataOffset() + expected),
                    (actual - expected) + " byte(s) after the array data, which np.load never reads"));
        }
        return findings;
    }
}
