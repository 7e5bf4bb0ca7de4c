package dev.safeload.model.xgboost;

import dev.safeload.model.Finding;
import dev.safeload.model.FormatCheck;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ModelSources;
import dev.safeload.model.ScanContext;
import dev.safeload.model.Severity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks XGBoost models in the three forms {@code Booster.loadModel} reads, told apart as
 * {@code LearnerIO::LoadModel} tells them apart: {@code {"} starts JSON, {@code {} and a letter
 * UBJSON, anything else the deprecated binary format. JSON and UBJSON must parse to their end
 * and name a built-in booster and an objective; in every form each tree's indices must stay
 * inside the tree. XGBoost models carry no code, so the risk is the native reader and
 * predictor, which trust those indices: a model that would make them read out of bounds (and
 * crash the JVM in {@code predict}) is refused.
 */
public final class XGBoostCheck implements FormatCheck {

    /** Every XGBoost JSON or UBJSON model has this key; its first bytes say which encoding. */
    private static final byte[] LEARNER = "learner".getBytes(StandardCharsets.US_ASCII);

    @Override
    public String format() {
        return "xgboost";
    }

    @Override
    public boolean sniff(byte[] head, long size) {
        return kind(head) != null;
    }

    private enum Kind { JSON, UBJSON, BINARY }

    private static Kind kind(byte[] head) {
        if (head.length >= 2 && head[0] == '{') {
            if (!contains(head, LEARNER)) {
                return null;
            }
            // A file named *.json is parsed as JSON whatever follows the brace; from bytes only '{"' is.
            if (head[1] == '"' || Character.isWhitespace(head[1])) {
                return Kind.JSON;
            }
            return Character.isLetter(head[1]) ? Kind.UBJSON : null;
        }
        return LegacyBinaryModel.start(head) >= 0 ? Kind.BINARY : null;
    }

    @Override
    public List<Finding> check(ModelSource source, ScanContext context) throws IOException {
        List<Finding> findings = new ArrayList<>();
        byte[] head = ModelSources.readAt(source, 0, (int) Math.min(source.size(), 64 * 1024));
        Kind kind = kind(head);
        if (kind == Kind.BINARY) {
            LegacyBinaryModel.check(source, LegacyBinaryModel.start(head), findings);
            return findings;
        }
        ModelDocument doc = new ModelDocument(source.name(), findings);
        try {
            if (kind == Kind.JSON) {
                JsonModelReader.read(source, doc);
            } else {
                UbjsonReader.read(source, doc);
            }
        } catch (IOException | UbjsonReader.Malformed | ArithmeticException e) {
            findings.add(new Finding("xgboost.malformed", Severity.HIGH, source.name(), "not a "
                    + (kind == Kind.JSON ? "JSON" : "UBJSON") + " document XGBoost can read to its end: " + e.getMessage()));
            return findings;
        }
        doc.judge();
        return findings;
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
