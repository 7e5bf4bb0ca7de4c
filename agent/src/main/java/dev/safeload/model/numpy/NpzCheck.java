package dev.safeload.model.numpy;

import dev.safeload.model.ContentSniff;
import dev.safeload.model.Finding;
import dev.safeload.model.FormatCheck;
import dev.safeload.model.ModelScanner;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ScanContext;
import dev.safeload.model.Severity;
import dev.safeload.model.compress.ZipIndex;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A NumPy {@code .npz}: a zip of {@code .npy} files, each scanned as an artifact of its own. */
public final class NpzCheck implements FormatCheck, ContentSniff {

    @Override
    public String format() {
        return "npz";
    }

    @Override
    public boolean sniff(byte[] head, long size) {
        return false;
    }

    @Override
    public boolean sniff(ModelSource source, byte[] head) throws IOException {
        if (!ZipIndex.isZip(source, head)) {
            return false;
        }
        List<ZipIndex.Entry> entries = ZipIndex.read(source).central();
        return !entries.isEmpty() && entries.stream().allMatch(e -> e.name().endsWith(".npy"));
    }

    @Override
    public List<Finding> check(ModelSource source, ScanContext context) throws IOException {
        List<Finding> findings = new ArrayList<>();
        ZipIndex.read(source).visit(source, ModelScanner.budget(context), findings, (entry, content, problem) -> {
            if (problem != null) {
                findings.add(new Finding("numpy.npz.entry", Severity.HIGH, source.name() + "!/" + entry.name(), problem));
            } else {
                findings.addAll(context.scanNested(content));
            }
        });
        return findings;
    }
}
