package dev.safeload.model.h2o;

import dev.safeload.model.Finding;
import dev.safeload.model.Severity;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Reads an H2O MOJO's {@code model.ini} line by line as {@code ModelMojoReader.parseModelInfo}
 * does (trimmed lines, {@code [info]}/{@code [columns]}/{@code [domains]} sections, {@code key = value}),
 * and judges what the reader will act on: the algorithm, which picks the reader, and every name
 * the reader turns into a path (domain files, nested models' folders).
 */
final class MojoIni {

    /**
     * The algorithms {@code hex.genmodel.ModelMojoFactory} of h2o-genmodel 3.46 maps to its own
     * readers. Anything else is looked up through {@code ServiceLoader}, i.e. code this check
     * knows nothing about (the XGBoost extension runs native code on an embedded booster).
     */
    static final Set<String> ALGORITHMS = Set.of(
            "Distributed Random Forest", "Gradient Boosting Method", "Gradient Boosting Machine",
            "Generalized Low Rank Modeling", "Generalized Low Rank Model", "Generalized Linear Modeling",
            "Generalized Linear Model", "Generalized Additive Model", "Word2Vec", "TargetEncoder",
            "Isolation Forest", "Extended Isolation Forest", "K-means", "Deep Learning", "deep learning",
            "Support Vector Machine (*Spark*)", "StackedEnsemble", "Stacked Ensemble", "k-LIME", "MOJO Pipeline",
            "Principal Components Analysis", "Cox Proportional Hazards", "RuleFit", "Isotonic Regression",
            "Uplift Distributed Random Forest");

    /** One path segment as H2O writes them (d000.txt, model keys); no separators, no dot-dot. */
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.\\-]*");

    private MojoIni() {
    }

    /**
     * Checks one {@code model.ini}.
     *
     * @param text its content
     * @param prefix the folder it sits in inside the MOJO ({@code ""} at the root, {@code models/x/} nested)
     * @param exists whether the MOJO has an entry of the given name, as the reader looks it up
     * @param where the location for findings
     */
    static void inspect(String text, String prefix, Predicate<String> exists, String where, List<Finding> findings) {
        int section = 0;
        int columns = 0;
        int declaredColumns = -1;
        String algorithm = null;
        int lineNumber = 0;
        for (String raw : text.split("\n", -1)) {
            lineNumber++;
            // BufferedReader.readLine also ends a line at a lone CR.
            for (String line : raw.split("\r", -1)) {
                line = line.trim();
                String at = where + ":" + lineNumber;
                if (line.startsWith("#") || line.isEmpty()) {
                    continue;
                }
                if (line.equals("[info]")) {
                    section = 1;
                } else if (line.equals("[columns]")) {
                    section = 2;
                    if (declaredColumns < 0) {
                        findings.add(malformed(at, "[columns] before a valid n_columns"));
                        return;
                    }
                } else if (line.equals("[domains]")) {
                    section = 3;
                } else if (section == 1) {
                    String[] kv = line.split("\\s*=\\s*", 2);
                    if (kv.length < 2) {
                        findings.add(malformed(at, "an [info] line without '=': " + clip(line)));
                        return;
                    }
                    if (kv[0].equals("algorithm")) {
                        algorithm = kv[1];
                    } else if (kv[0].equals("n_columns")) {
                        declaredColumns = parseCount(kv[1]);
                    } else if (kv[0].startsWith("submodel_dir_")) {
                        relativePath(kv[1], at, "nested model folder", findings);
                    }
                } else if (section == 2) {
                    columns++;
                } else if (section == 3) {
                    domain(line, prefix, exists, at, findings);
                } else {
                    findings.add(malformed(at, "a line outside any section: " + clip(line)));
                    return;
                }
            }
        }
        if (algorithm == null) {
            findings.add(new Finding("h2o.mojo.algorithm", Severity.HIGH, where,
                    "model.ini names no algorithm, so no reader can be judged"));
        } else if (!ALGORITHMS.contains(algorithm)) {
            findings.add(new Finding("h2o.mojo.algorithm", Severity.HIGH, where, "algorithm '" + clip(algorithm)
                    + "' is not one of h2o-genmodel's built-in MOJO readers; another reader would be found"
                    + " through ServiceLoader and is not verified"));
        }
        if (declaredColumns >= 0 && columns > declaredColumns) {
            findings.add(malformed(where, "more [columns] lines than n_columns = " + declaredColumns));
        }
    }

    /** {@code <column>: <levels> <file>}; the reader opens {@code domains/<file>} from the MOJO. */
    private static void domain(String line, String prefix, Predicate<String> exists, String at, List<Finding> findings) {
        String[] res = line.split(":\\s*", 2);
        String[] info = res.length == 2 ? res[1].split(" ", 2) : new String[0];
        if (res.length < 2 || parseCount(res[0]) < 0 || info.length < 2 || parseCount(info[0]) < 0) {
            findings.add(malformed(at, "a [domains] line that is not '<column>: <levels> <file>': " + clip(line)));
            return;
        }
        String file = info[1];
        if (!relativePath(file, at, "domain file", findings)) {
            return;
        }
        if (!exists.test(prefix + "domains/" + file)) {
            findings.add(new Finding("h2o.mojo.domain.missing", Severity.HIGH, at, "domain file domains/" + clip(file)
                    + " is not in the MOJO; the reader would look for it elsewhere or fail"));
        }
    }

    /** A path of plain segments; the folder reader joins it to the MOJO folder, so '..' or '/x' reads outside it. */
    private static boolean relativePath(String path, String at, String what, List<Finding> findings) {
        for (String segment : path.split("/", -1)) {
            if (!SEGMENT.matcher(segment).matches()) {
                findings.add(new Finding("h2o.mojo.path.escape", Severity.CRITICAL, at, what + " '" + clip(path)
                        + "' is not a plain relative path inside the MOJO: the folder reader would open a file"
                        + " outside it"));
                return false;
            }
        }
        return true;
    }

    private static int parseCount(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Finding malformed(String at, String what) {
        return new Finding("h2o.mojo.ini.malformed", Severity.HIGH, at, "model.ini cannot be read as H2O reads it: " + what);
    }

    private static String clip(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "…" : s;
    }
}
