package dev.safeload.model.torch;

import dev.safeload.model.Finding;
import dev.safeload.model.FormatCheck;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ScanContext;
import dev.safeload.model.Severity;
import dev.safeload.model.pickle.PickleImports;
import dev.safeload.model.pickle.PickleInput;
import dev.safeload.model.pickle.PickleMachine;
import dev.safeload.model.pickle.PickleRun;
import dev.safeload.model.pickle.PickleSniffer;
import dev.safeload.model.pickle.PyValue;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A legacy (non-zip) {@code torch.save} file, as {@code torch.serialization._legacy_load} reads
 * it: five pickles in a row (magic number, protocol version, system info, the object, the
 * storage keys), then each storage's raw bytes, sized by its element count. Every pickle is
 * checked, and every byte is accounted for, so nothing can hide after the last storage.
 */
public final class TorchLegacyCheck implements FormatCheck {

    public static final String RULE_LAYOUT = "torch.legacy.layout";
    private static final String[] PICKLES = {"magic number", "protocol version", "system info", "object", "storage keys"};

    @Override
    public String format() {
        return "pytorch-legacy";
    }

    @Override
    public boolean sniff(byte[] head, long size) {
        return PickleSniffer.isTorchLegacy(head);
    }

    @Override
    public List<Finding> check(ModelSource source, ScanContext context) throws IOException {
        List<Finding> findings = new ArrayList<>();
        PickleImports imports = PickleRun.imports(context);
        PickleMachine machine = new PickleMachine(imports, PickleMachine.Limits.DEFAULTS, findings);
        checkSequence(source, machine, imports, findings);
        if (machine.arrayWrapperBuilt()) {
            // joblib.load of this file reads its first pickle, and after a NumpyArrayWrapper's
            // BUILD it takes array bytes that torch.load reads as the next pickles, then unpickles
            // on from inside what torch reads as storage data.
            PickleRun.joblibReading(source, imports, findings);
        }
        return findings;
    }

    private static void checkSequence(ModelSource source, PickleMachine machine, PickleImports imports,
                                      List<Finding> findings) throws IOException {
        PickleInput in = new PickleInput(source, 0);
        Object keys = null;
        for (String what : PICKLES) {
            if (in.remaining() == 0) {
                findings.add(layout(source, in.position(), "file ends before the " + what + " pickle (truncated)"));
                return;
            }
            PickleMachine.Outcome o = machine.run(in, source.name());
            if (!o.complete()) {
                return;
            }
            keys = o.value();
        }
        Map<String, Integer> sizes = new HashMap<>();
        for (Object pid : machine.persistentIds()) {
            if (pid instanceof PyValue.Seq t && "storage".equals(t.get(0)) && t.get(2) instanceof String key) {
                sizes.put(key, TorchStorages.elementSize(t.get(1)));
            }
        }
        if (!(keys instanceof PyValue.Seq list) || !list.complete()) {
            findings.add(layout(source, in.position(), "the storage keys pickle is not a list of keys"));
            return;
        }
        try {
            for (Object key : list.items) {
                Integer size = key instanceof String k ? sizes.get(k) : null;
                if (size == null || size < 0) {
                    findings.add(layout(source, in.position(), "storage " + key
                            + " has no known element size; cannot find where its data ends"));
                    return;
                }
                long at = in.position();
                long count = in.readLE(8);
                if (count < 0 || count > in.remaining() / Math.max(1, size)) {
                    findings.add(layout(source, at, "storage " + key + " claims " + count
                            + " elements, more than the file holds (truncated or malformed)"));
                    return;
                }
                in.skip(count * size);
            }
        } catch (EOFException e) {
            findings.add(layout(source, in.position(), "file ends inside the storage data (truncated)"));
            return;
        }
        if (in.remaining() > 0) {
            long at = in.position();
            findings.add(layout(source, at, in.remaining() + " byte(s) after the last storage, which torch.load never reads"));
            new PickleMachine(imports, PickleMachine.Limits.DEFAULTS, findings).lenient(true).run(in, source.name());
        }
    }

    private static Finding layout(ModelSource source, long at, String message) {
        return new Finding(RULE_LAYOUT, Severity.HIGH, source.name() + "@" + at, message);
    }
}
