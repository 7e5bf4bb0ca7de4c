package dev.safeload.model.keras;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.safeload.model.ContentSniff;
import dev.safeload.model.Finding;
import dev.safeload.model.FormatCheck;
import dev.safeload.model.ModelScanner;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ModelSources;
import dev.safeload.model.ScanContext;
import dev.safeload.model.Severity;
import dev.safeload.model.compress.ZipIndex;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks Keras 3 {@code .keras} archives: {@code config.json} (and {@code metadata.json}) must
 * not rebuild a {@code Lambda} layer or any object from outside Keras, and every other entry is
 * handed back to the scanner as an artifact of its own.
 */
public final class KerasV3Check implements FormatCheck, ContentSniff {

    /** Keras configs are kilobytes to a few megabytes; a bigger one is a zip bomb or worse. */
    static final long MAX_CONFIG_BYTES = 64L << 20;
    static final String ASSETS = "assets/";
    private static final String UNKNOWN_FORMAT = ModelScanner.RULE_UNKNOWN_FORMAT;
    /** An entry this check cannot read (encrypted, unknown method, past the expansion budget). */
    static final String RULE_ENTRY = "keras.zip.entry";

    public KerasV3Check() {
    }

    @Override
    public String format() {
        return "keras-v3";
    }

    @Override
    public boolean sniff(byte[] head, long size) {
        return KerasZipSniff.looksLikeKerasArchive(head);
    }

    /**
     * Whether {@code source} is a zip with {@code config.json} or {@code metadata.json} at its
     * root, by its central directory: what Python's {@code zipfile} reads, wherever the entries
     * sit. Shaped for the scanner's content sniff, which sees past the first bytes; the head-only
     * {@link #sniff(byte[], long)} misses an archive whose first entry is larger than the head.
     */
    public boolean sniff(ModelSource source, byte[] head) throws IOException {
        if (sniff(head, source.size())) {
            return true;
        }
        try {
            if (!ZipIndex.isZip(source, head)) {
                return false;
            }
            for (ZipIndex.Entry entry : ZipIndex.read(source).central()) {
                if (KerasZipSniff.kerasRole(entry.name(), entry.localName()) != null) {
                    return true;
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false; // not a zip this reader can open; nor a Keras archive Python can load
        }
    }

    /**
     * Keras opens a {@code .keras} file with CPython's {@code zipfile}, so the archive is read
     * through {@link ZipIndex}: every view a reader may form (end records, duplicate names, local
     * headers, entries only a streaming reader sees) is judged, and where views differ the
     * archive is refused as {@value ZipIndex#RULE_AMBIGUOUS}.
     */
    @Override
    public List<Finding> check(ModelSource source, ScanContext context) throws IOException {
        List<Finding> findings = new ArrayList<>();
        String name = source.name();
        try {
            ZipIndex index = ZipIndex.read(source);
            if (!index.zipfileOpens()) {
                findings.add(new Finding("keras.zip.malformed", Severity.HIGH, name,
                        "Python's zipfile finds no end-of-central-directory record, so Keras cannot open it as it is"
                                + " read here; entries found by their local headers are still checked"));
            }
            boolean[] sawConfig = {false};
            index.visit(source, ModelScanner.budget(context), findings, (entry, content, problem) -> {
                String role = KerasZipSniff.kerasRole(entry.name(), entry.localName());
                String where = name + "!/" + (role != null ? role : entry.name());
                if (problem != null) {
                    findings.add(new Finding(RULE_ENTRY, Severity.HIGH, where, problem));
                } else if ("config.json".equals(role)) {
                    sawConfig[0] = true;
                    config(content, where, Severity.HIGH, findings);
                } else if ("metadata.json".equals(role)) {
                    config(content, where, Severity.MEDIUM, findings);
                } else if (context != null && !(entry.name().endsWith("/") && content.size() == 0)) {
                    // An entry has no folder of its own: nothing inside resolves files beside the archive.
                    ModelSource inner = ModelSources.slice(content, 0, content.size(), content.name(), null);
                    List<Finding> nested = context.scanNested(inner);
                    findings.addAll(KerasZipSniff.pythonName(entry.name()).startsWith(ASSETS)
                            ? asAsset(content.name(), nested) : nested);
                }
            });
            if (!sawConfig[0]) {
                findings.add(new Finding("keras.config.missing", Severity.LOW, name,
                        "archive has no config.json; Keras cannot load it as a model"));
            }
        } catch (IOException | RuntimeException e) {
            findings.add(new Finding("keras.zip.malformed", Severity.HIGH, name,
                    "not a readable zip archive, so its config cannot be checked: " + e.getMessage()));
        }
        return findings;
    }

    /**
     * Layers keep data files under {@code assets/} (an adapted StringLookup's vocabulary.txt),
     * which their {@code load_assets} reads as text. Such a file that no model check claims is that
     * layer's data, not unknown content; one a check does claim (a pickle, say) keeps its findings.
     */
    private static List<Finding> asAsset(String where, List<Finding> inner) {
        if (inner.isEmpty() || !inner.stream().allMatch(f -> f.rule().equals(UNKNOWN_FORMAT))) {
            return inner;
        }
        return List.of(new Finding("keras.asset", Severity.INFO, where,
                "layer asset (data a layer reads from the archive, such as a lookup vocabulary)"));
    }

    private static void config(ModelSource content, String where, Severity malformed, List<Finding> findings)
            throws IOException {
        if (content.size() > MAX_CONFIG_BYTES) {
            findings.add(new Finding("keras.config.too-large", Severity.HIGH, where,
                    "entry inflates past " + MAX_CONFIG_BYTES + " bytes"));
            return;
        }
        try (InputStream in = ModelSources.stream(content, 0)) {
            KerasConfig.inspect(in, where, findings);
        } catch (JsonProcessingException e) {
            findings.add(new Finding("keras.config.malformed", malformed, where, "not valid JSON: "
                    + e.getOriginalMessage()));
        }
    }
}
