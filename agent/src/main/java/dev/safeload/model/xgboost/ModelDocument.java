package dev.safeload.model.xgboost;

import dev.safeload.model.Finding;
import dev.safeload.model.Severity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the XGBoost check judges in a JSON or UBJSON model, fed by a reader walking the whole
 * document ({@link #begin}, {@link #scalar}, {@link #end}): the booster and objective names, and
 * every tree's node arrays. XGBoost's native predictor follows child, parent and feature indices
 * without bounds checks (a child index past the tree crashes the JVM in {@code predict}), so
 * each index must fall inside its tree, and each per-node array must have one entry per node.
 */
final class ModelDocument {

    /** The boosters XGBoost registers; any other name fails in the library, or loads a plugin. */
    static final Set<String> BOOSTERS = Set.of("gbtree", "gblinear", "dart");

    /** An objective name as XGBoost spells them ({@code reg:squarederror}, {@code multi:softprob}). */
    static final Pattern OBJECTIVE = Pattern.compile("[a-z]+:[a-z_]+");

    /** XGBoost's "no node" in {@code parents[0]} (and -1 in the children of a leaf). */
    static final long NO_PARENT = 2147483647L;

    /** Per-node arrays a tree must have, and those it may have, each with one entry per node. */
    private static final Set<String> REQUIRED = Set.of("left_children", "right_children", "parents", "split_indices",
            "split_conditions");
    private static final Set<String> PER_NODE = Set.of("left_children", "right_children", "parents", "split_indices",
            "split_conditions", "default_left", "split_type", "loss_changes", "sum_hessian");
    private static final Set<String> CATEGORIES = Set.of("categories", "categories_nodes", "categories_segments",
            "categories_sizes");

    private static final int MAX_FINDINGS = 16;

    private final String where;
    private final List<Finding> findings;
    /** Keys of the open containers: the root is "", an array element null. */
    private final List<String> stack = new ArrayList<>();

    private String booster;
    private String objective;
    private boolean learner;
    private int versionParts;
    private long numFeature = -1;
    private long numClass;
    private int trees;
    private long linearWeights = -1;
    /** The largest split feature of any tree, and where: num_feature may come after the trees. */
    private long maxFeature = -1;
    private String maxFeatureAt;

    private Map<String, List<Number>> tree;
    private long treeNodes = -1;
    private int treeDepth;
    private List<Number> capture;

    ModelDocument(String where, List<Finding> findings) {
        this.where = where;
        this.findings = findings;
    }

    /** A container opens: {@code key} is its key in an object, null in an array, "" for the document. */
    void begin(String key, boolean object) {
        int depth = stack.size();
        if (object && key == null && depth > 0 && "trees".equals(stack.get(depth - 1))) {
            tree = new HashMap<>();
            treeNodes = -1;
            treeDepth = depth;
        } else if (!object && tree != null && depth == treeDepth + 1
                && (PER_NODE.contains(key) || CATEGORIES.contains(key))) {
            capture = new ArrayList<>();
            tree.put(key, capture);
        } else if (!object && "weights".equals(key) && at("learner", "gradient_booster", "model")) {
            linearWeights = 0;
        } else if (object && depth == 1 && "learner".equals(key)) {
            learner = true;
        }
        stack.add(key);
    }

    void end() {
        stack.remove(stack.size() - 1);
        int depth = stack.size();
        if (capture != null && depth == treeDepth + 1) {
            capture = null;
        } else if (tree != null && depth == treeDepth) {
            judgeTree();
            tree = null;
        }
    }

    /** A value: {@code key} as for {@link #begin}; numbers as {@code Number} or as their JSON text. */
    void scalar(String key, Object value) {
        int depth = stack.size();
        if (capture != null && depth == treeDepth + 2) {
            capture.add(number(value));
            return;
        }
        if (tree != null && "num_nodes".equals(key) && depth == treeDepth + 2
                && "tree_param".equals(stack.get(depth - 1))) {
            Number n = number(value);
            treeNodes = n == null ? -1 : n.longValue();
            return;
        }
        if (linearWeights >= 0 && key == null && depth == 5 && "weights".equals(stack.get(4))) {
            linearWeights++;
            return;
        }
        if ("name".equals(key) && at("learner", "gradient_booster")) {
            booster = String.valueOf(value);
        } else if ("name".equals(key) && at("learner", "objective")) {
            objective = String.valueOf(value);
        } else if (at("learner", "learner_model_param")) {
            Number n = number(value);
            if ("num_feature".equals(key)) {
                numFeature = n == null ? -2 : n.longValue();
            } else if ("num_class".equals(key)) {
                numClass = n == null ? -2 : n.longValue();
            }
        } else if (key == null && at("version")) {
            versionParts++;
        }
    }

    /** Whether the open containers below the document are exactly {@code keys}. */
    private boolean at(String... keys) {
        if (stack.size() != keys.length + 1) {
            return false;
        }
        for (int i = 0; i < keys.length; i++) {
            if (!keys[i].equals(stack.get(i + 1))) {
                return false;
            }
        }
        return true;
    }

    private void judgeTree() {
        int index = trees++;
        String at = where + " tree " + index;
        if (treeNodes <= 0 || treeNodes > Integer.MAX_VALUE) {
            add("xgboost.tree", at, "tree_param.num_nodes is missing or not a positive count");
            return;
        }
        int n = (int) treeNodes;
        for (String name : REQUIRED) {
            if (!tree.containsKey(name)) {
                add("xgboost.tree", at, "no " + name + " array");
                return;
            }
        }
        for (String name : PER_NODE) {
            List<Number> values = tree.get(name);
            if (values != null && values.size() != n) {
                add("xgboost.tree", at, name + " has " + values.size() + " entries for " + n + " nodes; the native"
                        + " reader would index past it");
                return;
            }
        }
        List<Number> left = tree.get("left_children");
        List<Number> right = tree.get("right_children");
        List<Number> parents = tree.get("parents");
        List<Number> features = tree.get("split_indices");
        for (int i = 0; i < n; i++) {
            long l = value(left, i);
            long r = value(right, i);
            long p = value(parents, i);
            boolean leaf = l == -1 && r == -1;
            boolean childrenOk = leaf || (l > 0 && l < n && r > 0 && r < n);
            boolean parentOk = i == 0 ? p == NO_PARENT || p == -1 : p >= 0 && p < n;
            long feature = value(features, i);
            boolean featureOk = leaf || feature >= 0;
            if (!leaf && feature > maxFeature) {
                maxFeature = feature;
                maxFeatureAt = at + " node " + i;
            }
            if (!childrenOk || !parentOk || !featureOk) {
                add("xgboost.tree.index", at, "node " + i + " has children " + l + "/" + r + ", parent " + p
                        + ", split feature " + feature + ": outside the tree's " + n + " nodes; the native predictor"
                        + " would read out of bounds");
                return;
            }
        }
        categories(at, n);
    }

    /** Categorical splits: each listed node's slice of {@code categories} must lie inside it. */
    private void categories(String at, int n) {
        List<Number> nodes = tree.getOrDefault("categories_nodes", List.of());
        List<Number> segments = tree.getOrDefault("categories_segments", List.of());
        List<Number> sizes = tree.getOrDefault("categories_sizes", List.of());
        long all = tree.getOrDefault("categories", List.of()).size();
        if (segments.size() != nodes.size() || sizes.size() != nodes.size()) {
            add("xgboost.tree.categories", at, "categories_nodes, _segments and _sizes differ in length");
            return;
        }
        for (int k = 0; k < nodes.size(); k++) {
            long node = value(nodes, k);
            long start = value(segments, k);
            long size = value(sizes, k);
            if (node < 0 || node >= n || start < 0 || size < 0 || start + size > all) {
                add("xgboost.tree.categories", at, "categorical split " + k + " (node " + node + ", categories "
                        + start + "+" + size + ") lies outside the tree or its " + all + " categories");
                return;
            }
        }
    }

    private static long value(List<Number> values, int i) {
        Number v = values.get(i);
        return v == null ? Long.MIN_VALUE : v.longValue();
    }

    /** Findings on the whole document, once it has been read to its end. */
    void judge() {
        if (!learner) {
            add("xgboost.structure", where, "no 'learner' object: not an XGBoost model");
            return;
        }
        if (versionParts != 3) {
            add("xgboost.structure", where, "'version' is not a [major, minor, patch] array");
        }
        if (booster == null || !BOOSTERS.contains(booster)) {
            add("xgboost.booster", where, "booster " + (booster == null ? "missing" : "'" + clip(booster) + "'")
                    + ": not one of " + BOOSTERS);
        }
        if (objective == null || !OBJECTIVE.matcher(objective).matches()) {
            add("xgboost.objective", where, "objective " + (objective == null ? "missing" : "'" + clip(objective) + "'")
                    + " is not an XGBoost objective name");
        }
        if (numFeature < 0) {
            add("xgboost.structure", where, "learner_model_param.num_feature is missing or not a count");
        } else if (maxFeature >= numFeature) {
            add("xgboost.tree.index", maxFeatureAt, "splits on feature " + maxFeature + " of a model with "
                    + numFeature + " features; the native predictor would read past each row");
        }
        if ("gblinear".equals(booster)) {
            long groups = Math.max(1, numClass);
            if (numFeature >= 0 && linearWeights != (numFeature + 1) * groups) {
                add("xgboost.linear", where, "a linear booster with " + linearWeights + " weights for " + numFeature
                        + " features and " + groups + " outputs; the predictor would read past them");
            }
        }
    }

    private void add(String rule, String at, String message) {
        if (findings.size() < MAX_FINDINGS) {
            findings.add(new Finding(rule, Severity.HIGH, at, message));
        }
    }

    /** A number from UBJSON, or parsed from JSON text (XGBoost writes some counts as strings); null if neither. */
    private static Number number(Object value) {
        if (value instanceof Number n) {
            return n instanceof Double || n instanceof Float ? (Number) n.doubleValue() : n;
        }
        if (value instanceof Boolean b) {
            return b ? 1 : 0;
        }
        try {
            String s = String.valueOf(value);
            return s.indexOf('.') >= 0 || s.indexOf('E') >= 0 || s.indexOf('e') >= 0 ? (Number) Double.parseDouble(s)
                    : (Number) Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static String clip(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
