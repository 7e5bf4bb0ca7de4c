package dev.safeload.model.compress;

import dev.safeload.model.Finding;
import dev.safeload.model.FormatCheck;
import dev.safeload.model.ModelScanner;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ModelSources;
import dev.safeload.model.ScanContext;
import dev.safeload.model.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A compressed stream: decompressed (streaming, within the file's expansion budget) and its
 * content scanned as an artifact of its own, so that a gzipped pickle is judged as a pickle.
 */
public final class CompressedCheck implements FormatCheck {

    public static final String RULE_CORRUPT = "compress.corrupt";

    private final Codec codec;

    public CompressedCheck(Codec codec) {
        this.codec = codec;
    }

    @Override
    public String format() {
        return codec.id();
    }

    @Override
    public boolean sniff(byte[] head, long size) {
        return codec.matches(head);
    }

    @Override
    public List<Finding> check(ModelSource source, ScanContext context) throws IOException {
        List<Finding> findings = new ArrayList<>();
        ModelScanner.Budget budget = ModelScanner.budget(context);
        long cap = budget.expandable();
        String name = source.name() + "!/" + codec.id();
        ModelSource inner;
        try (InputStream in = codec.open(ModelSources.stream(source, codec.header()))) {
            inner = ModelSources.spool(in, cap, name, source.directory());
        } catch (ModelSources.TooLarge e) {
            budget.expanded(cap);
            findings.add(new Finding(ModelScanner.RULE_EXPANSION, Severity.HIGH, source.name(),
                    codec.id() + " stream expands past " + cap + " bytes (the file's expansion budget): a decompression bomb, or too large to verify"));
            return findings;
        } catch (IOException | RuntimeException e) {
            findings.add(new Finding(RULE_CORRUPT, Severity.HIGH, source.name(),
                    codec.id() + " stream cannot be decompressed, so its content is unverified: " + e.getMessage()));
            return findings;
        }
        try (inner) {
            budget.expanded(inner.size());
            findings.addAll(context.scanNested(inner));
        }
        return findings;
    }
}
