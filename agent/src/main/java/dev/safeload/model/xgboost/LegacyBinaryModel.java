package dev.safeload.model.xgboost;

import dev.safeload.model.Finding;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ModelSources;
import dev.safeload.model.Severity;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * XGBoost's deprecated binary model ({@code saveModel(out, "deprecated")}, and every model
 * before 1.0), read as {@code LearnerIO::LoadModel} reads it: an optional {@code binf} magic,
 * the 136-byte learner parameters, the objective and booster names, then for tree boosters
 * every tree's nodes, whose child, parent and feature indices the native predictor trusts. An
 * index that points outside its tree or past the model's features is refused: xgboost4j 2.1.4
 * loads such a model and crashes the JVM in {@code predict}.
 */
final class LegacyBinaryModel {

    static final int LEARNER_PARAM = 136;
    static final int GBTREE_PARAM = 160;
    static final int TREE_PARAM = 148;
    static final int NODE = 20;
    static final int NODE_STAT = 16;
    static final int MAX_NAME = 256;

    private LegacyBinaryModel() {
    }

    /** Where the learner parameters start: after {@code binf}, or at 0; -1 if {@code head} is not this format. */
    static int start(byte[] head) {
        if (head.length >= 4 && head[0] == 'b' && head[1] == 'i' && head[2] == 'n' && head[3] == 'f') {
            return names(head, 4) ? 4 : -1;
        }
        return names(head, 0) ? 0 : -1;
    }

    /** The objective and booster names sit right after the parameters, each a u64 length and bytes. */
    private static boolean names(byte[] head, int start) {
        int at = start + LEARNER_PARAM;
        String objective = string(head, at);
        if (objective == null || !ModelDocument.OBJECTIVE.matcher(objective).matches()) {
            return false;
        }
        String booster = string(head, at + 8 + objective.length());
        return booster != null && !booster.isEmpty() && booster.chars().allMatch(c -> c >= 'a' && c <= 'z');
    }

    private static String string(byte[] head, int at) {
        if (at + 8 > head.length) {
            return null;
        }
        long n = ByteBuffer.wrap(head, at, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 0 || n > MAX_NAME || at + 8 + n > head.length) {
            return null;
        }
        return new String(head, at + 8, (int) n, StandardCharsets.ISO_8859_1);
    }

    static void check(ModelSource source, int start, List<Finding> findings) throws IOException {
        String where = source.name();
        long size = source.size();
        byte[] head = ModelSources.readAt(source, 0, (int) Math.min(size, start + LEARNER_PARAM + 16 + 2 * MAX_NAME));
        String objective = string(head, start + LEARNER_PARAM);
        long at = start + LEARNER_PARAM + 8 + objective.length();
        String booster = string(head, (int) at);
        at += 8 + booster.length();
        if (!ModelDocument.BOOSTERS.contains(booster)) {
            findings.add(new Finding("xgboost.booster", Severity.HIGH, where, "booster '" + ModelDocument.clip(booster)
                    + "': not one of " + ModelDocument.BOOSTERS));
            return;
        }
        if (booster.equals("gblinear")) {
            findings.add(new Finding("xgboost.legacy", Severity.LOW, where,
                    "deprecated binary model of a linear booster; its weights are plain floats"));
            return;
        }
        long numFeature = ByteBuffer.wrap(head, start + 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
        trees(source, at, size, numFeature, where, findings);
    }

    /** The tree booster's parameters, then each tree as {@code RegTree::Load} reads it. */
    private static void trees(ModelSource source, long at, long size, long numFeature, String where,
                              List<Finding> findings)
            throws IOException {
        ByteBuffer param = read(source, at, GBTREE_PARAM);
        if (param == null) {
            findings.add(truncated(where, at));
            return;
        }
        int numTrees = param.getInt(0);
        at += GBTREE_PARAM;
        if (numTrees < 0 || (long) numTrees * TREE_PARAM > size - at) {
            findings.add(new Finding("xgboost.legacy.malformed", Severity.HIGH, where + "@" + (at - GBTREE_PARAM),
                    "claims " + numTrees + " trees in " + (size - at) + " bytes"));
            return;
        }
        for (int t = 0; t < numTrees; t++) {
            ByteBuffer tree = read(source, at, TREE_PARAM);
            if (tree == null) {
                findings.add(truncated(where, at));
                return;
            }
            int numNodes = tree.getInt(4);
            int numDeleted = tree.getInt(8);
            int leafVector = tree.getInt(20); // XGBoost 2 writes 1 (one target), older versions 0
            long nodesAt = at + TREE_PARAM;
            if (numNodes <= 0 || numDeleted < 0 || numDeleted > numNodes || leafVector < 0 || leafVector > 1
                    || (long) numNodes * (NODE + NODE_STAT) > size - nodesAt) {
                findings.add(new Finding("xgboost.legacy.malformed", Severity.HIGH, where + "@" + at, "tree " + t
                        + " has " + numNodes + " nodes (" + numDeleted + " deleted, leaf vector " + leafVector
                        + ") that do not fit the " + (size - nodesAt) + " bytes left"));
                return;
            }
            ByteBuffer nodes = read(source, nodesAt, numNodes * NODE);
            for (int n = 0; n < numNodes; n++) {
                int parent = nodes.getInt(n * NODE) & 0x7fffffff; // the top bit marks a left child
                int left = nodes.getInt(n * NODE + 4);
                int right = nodes.getInt(n * NODE + 8);
                long feature = nodes.getInt(n * NODE + 12) & 0x7fffffffL; // the top bit is default-left
                boolean root = n == 0;
                boolean leaf = left == -1;
                if ((!root && parent >= numNodes) || (!leaf && (left <= 0 || left >= numNodes || right <= 0
                        || right >= numNodes || feature >= numFeature))) {
                    findings.add(new Finding("xgboost.legacy.tree-index", Severity.HIGH, where + "@" + (nodesAt + n * NODE),
                            "tree " + t + " node " + n + " points at parent " + parent + ", children " + left + "/"
                                    + right + ", split feature " + feature + ": outside its " + numNodes + " nodes or "
                                    + numFeature + " features; the native predictor would read out of bounds"));
                    return;
                }
            }
            at = nodesAt + (long) numNodes * (NODE + NODE_STAT);
        }
        if ((long) numTrees * 4 > size - at) {
            findings.add(truncated(where, at));
            return;
        }
        findings.add(new Finding("xgboost.legacy", Severity.LOW, where, "deprecated binary model: header, names and "
                + numTrees + " trees' structure verified"));
    }

    private static ByteBuffer read(ModelSource source, long at, int n) throws IOException {
        byte[] b = ModelSources.readAt(source, at, n);
        return b.length == n ? ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN) : null;
    }

    private static Finding truncated(String where, long at) {
        return new Finding("xgboost.legacy.malformed", Severity.HIGH, where + "@" + at, "ends before the model does");
    }
}
