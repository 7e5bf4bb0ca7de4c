package dev.safeload.model.torch;

import dev.safeload.model.Finding;
import dev.safeload.model.Severity;
import dev.safeload.model.read.PythonTokens;
import dev.safeload.model.read.PythonTokens.Kind;
import dev.safeload.model.read.PythonTokens.Token;
import dev.safeload.policy.Presets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Judges a TorchScript archive's code (its {@code code/} sources, {@code __setstate__}
 * methods included) by the operators it names: every dotted reference rooted at {@code torch}
 * or {@code ops} must be on an exact allowlist of tensor operators, since TorchScript can
 * reach {@code torch.from_file} (maps any path, and with {@code shared=True} writes it),
 * {@code torch.save} (aten::save writes a file) and custom operator libraries. The serialized
 * code's environment (SourceImporter) gives only {@code torch} and {@code ops} access to
 * operators: with torch 1.13, {@code math}, {@code aten}, {@code prim} and {@code builtins} are
 * undefined there, {@code ops.aten.from_file} runs like {@code torch.from_file}.
 */
final class TorchScriptCode {

    static final String RULE_OPERATOR = "torchscript.operator";

    private static volatile Set<String> operators;

    private TorchScriptCode() {
    }

    /** The allowed operators (resource {@code torchscript-ops.txt}). */
    static Set<String> operators() {
        Set<String> ops = operators;
        if (ops == null) {
            operators = ops = Set.copyOf(new HashSet<>(Presets.readPatternFile("/dev/safeload/model/torch/torchscript-ops.txt")));
        }
        return ops;
    }

    /** Adds a finding for each reference in {@code source} (named {@code where}) that is not an allowed operator. */
    static void check(String source, String where, List<Finding> findings) {
        PythonTokens lexed = PythonTokens.of(source);
        if (lexed.problem() != null) {
            findings.add(new Finding(RULE_OPERATOR, Severity.HIGH, where, "TorchScript code that cannot be read to its end: "
                    + lexed.problem()));
        }
        List<Token> t = lexed.tokens();
        Set<String> reported = new HashSet<>();
        for (int i = 0; i < t.size(); i++) {
            Token tok = t.get(i);
            if (tok.kind() != Kind.NAME || (i > 0 && t.get(i - 1).kind() == Kind.DOT)) {
                continue;
            }
            String root = tok.text();
            if (root.equals("import")) {
                report(findings, reported, where, tok.line(), "an import statement; serialized TorchScript has none");
                continue;
            }
            if (!root.equals("torch") && !root.equals("ops") && !root.equals("__torch__")) {
                continue;
            }
            StringBuilder path = new StringBuilder(root);
            int j = i + 1;
            while (j + 1 < t.size() && t.get(j).kind() == Kind.DOT && t.get(j + 1).kind() == Kind.NAME) {
                path.append('.').append(t.get(j + 1).text());
                j += 2;
            }
            boolean dangling = j < t.size() && t.get(j).kind() == Kind.DOT;
            String name = path.toString();
            if (root.equals("__torch__")) {
                // The archive's own classes; custom C++ classes need a loaded library and run its code.
                if (name.startsWith("__torch__.torch.classes") && !operators().contains(name)) {
                    report(findings, reported, where, tok.line(), "custom class " + name + " from a native library");
                }
                continue;
            }
            if (dangling || !allowed(name)) {
                report(findings, reported, where, tok.line(), name.indexOf('.') < 0
                        ? "bare " + name + " (a module used as a value reaches any operator)"
                        : "operator " + name + ", which is not in the TorchScript operator allowlist");
            }
            i = j - 1;
        }
    }

    /** The core custom classes (packed quantized weights) that the allowlist names exactly. */
    static java.util.Set<String> coreClasses() {
        Set<String> out = new HashSet<>();
        for (String op : operators()) {
            if (op.startsWith("__torch__.torch.classes.")) {
                out.add(op);
            }
        }
        return out;
    }

    private static boolean allowed(String name) {
        Set<String> ops = operators();
        if (name.startsWith("ops.aten.")) {
            return ops.contains("torch." + name.substring("ops.aten.".length()));
        }
        return ops.contains(name);
    }

    private static void report(List<Finding> findings, Set<String> reported, String where, int line, String what) {
        if (reported.add(what) && reported.size() <= 64) {
            findings.add(new Finding(RULE_OPERATOR, Severity.HIGH, where + ":" + line, "TorchScript code names " + what));
        }
    }
}
