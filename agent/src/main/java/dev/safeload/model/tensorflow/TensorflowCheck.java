package dev.safeload.model.tensorflow;

import dev.safeload.model.Finding;
import dev.safeload.model.FormatCheck;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ScanContext;
import dev.safeload.model.Severity;
import dev.safeload.model.keras.KerasConfigs;
import dev.safeload.model.read.WireFormatException;
import dev.safeload.model.read.WireReader;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks TensorFlow graphs, a {@code saved_model.pb} or a frozen {@code GraphDef}: every op of
 * the graph and of its function library, and every function an attr calls, must be on the op
 * allowlist ({@code ops.txt}). Ops that read or write files, run Python or talk to other hosts
 * are refused by name; the checkpoint ops are allowed only where TensorFlow's saver puts them.
 */
public final class TensorflowCheck implements FormatCheck {

    private static final int MAX_FINDINGS = 64;

    /** Ops TensorFlow's savers build a checkpoint file name with, from the loader's prefix. */
    private static final Set<String> SAVER_PREFIX_OPS = Set.of("Const", "Identity", "StringJoin", "ShardedFilename",
            "ShardedFilespec", "Select", "SelectV2", "StaticRegexFullMatch", "Placeholder", "PlaceholderWithDefault",
            "Pack", "NoOp");
    /** Constants of those names: {@code model}, {@code .part}, {@code _temp/part}, {@code _temp_<uuid>/part}. */
    private static final Pattern SAVER_CONSTANT = Pattern.compile("[A-Za-z0-9_.-]*(/part)?");

    private final boolean savedModel;

    private TensorflowCheck(boolean savedModel) {
        this.savedModel = savedModel;
    }

    /** {@code saved_model.pb}: a SavedModel proto of MetaGraphDefs. */
    public static TensorflowCheck savedModel() {
        return new TensorflowCheck(true);
    }

    /** A frozen graph: a bare GraphDef. */
    public static TensorflowCheck graphDef() {
        return new TensorflowCheck(false);
    }

    @Override
    public String format() {
        return savedModel ? "tf-savedmodel" : "tf-graphdef";
    }

    @Override
    public boolean sniff(byte[] head, long size) {
        return savedModel ? TfSniff.looksLikeSavedModel(head, size) : TfSniff.looksLikeGraphDef(head, size);
    }

    @Override
    public List<Finding> check(ModelSource source, ScanContext context) throws IOException {
        List<Finding> findings = new ArrayList<>();
        String name = source.name();
        if (source.size() > Integer.MAX_VALUE) {
            findings.add(new Finding("tf.too-large", Severity.HIGH, name, "a " + source.size() + "-byte protobuf"
                    + " is past the 2 GiB limit TensorFlow's reader has"));
            return findings;
        }
        WireReader in = new WireReader(source, 64 * 1024);
        TfGraph graph;
        try {
            graph = savedModel ? TfGraphReader.readSavedModel(in) : TfGraphReader.readGraphDef(in);
        } catch (WireFormatException e) {
            findings.add(new Finding("tf.malformed", Severity.HIGH, name + "@" + in.position(),
                    "not a well-formed " + (savedModel ? "SavedModel" : "GraphDef") + ": " + e.getMessage()));
            return findings;
        } catch (IOException e) {
            findings.add(new Finding("tf.malformed", Severity.HIGH, name + "@" + in.position(),
                    "cannot be read as TensorFlow does, so its ops are unverified: " + e.getMessage()));
            return findings;
        }
        if (!graph.unknownTopLevelFields.isEmpty()) {
            findings.add(new Finding("tf.ambiguous", Severity.HIGH, name, "top-level " + graph.unknownTopLevelFields
                    + " is no field of a " + (savedModel ? "SavedModel" : "GraphDef") + "; another reader (ONNX"
                    + " shares the encoding) may see a different model in these bytes"));
        }
        for (int i = 0; i < graph.metas.size(); i++) {
            new MetaJudge(graph.metas.get(i), name + (savedModel ? "!meta_graphs[" + i + "]" : ""), findings).judge();
        }
        if (savedModel) {
            SavedModelFiles.attribute(source.directory(), graph.metas.stream().anyMatch(m -> m.saverFilename != null),
                    context, findings);
        }
        return findings;
    }

    /** Judges one meta graph: its ops, and where the saver may use checkpoint ops. */
    private static final class MetaJudge {
        private final TfGraph.Meta meta;
        private final String where;
        private final List<Finding> findings;
        private final Set<String> saverOnlyFunctions;
        private final Set<String> saverTopNodes;

        MetaJudge(TfGraph.Meta meta, String where, List<Finding> findings) {
            this.meta = meta;
            this.where = where;
            this.findings = findings;
            Set<String> roots = new HashSet<>();
            if (meta.saverSave != null) {
                roots.add(meta.saverSave);
            }
            if (meta.saverRestore != null) {
                roots.add(meta.saverRestore);
            }
            // TF1: the saver's own nodes are those its save and restore ops depend on.
            saverTopNodes = meta.saverFilename == null ? Set.of() : ancestors(meta.graph, roots, true);
            // TF2: the saver's functions are those only its call nodes reach; a function any other node,
            // or no node at all (a restored concrete function), can reach gets no exemption.
            List<TfGraph.Node> saverCalls = new ArrayList<>();
            List<TfGraph.Node> otherCalls = new ArrayList<>();
            for (TfGraph.Node node : meta.graph.nodes) {
                (roots.contains(node.name) && meta.saverFilename != null ? saverCalls : otherCalls).add(node);
            }
            Set<String> saverReach = closure(saverCalls);
            Set<String> otherReach = closure(otherCalls);
            for (String fn : meta.functions.keySet()) {
                if (!saverReach.contains(fn) || meta.gradientFunctions.contains(fn)) {
                    otherReach.addAll(closure(meta.functions.get(fn).nodes));
                    otherReach.add(fn);
                }
            }
            saverOnlyFunctions = new HashSet<>(saverReach);
            saverOnlyFunctions.removeAll(otherReach);
        }

        void judge() {
            judgeBody(meta.graph, where);
            for (Map.Entry<String, TfGraph.Body> fn : meta.functions.entrySet()) {
                judgeBody(fn.getValue(), where + "!library/" + fn.getKey());
            }
            for (int i = 0; i < meta.kerasMetadata.size(); i++) {
                // tf.keras rebuilds SavedModel-format layers from this JSON: a Lambda there is code.
                KerasConfigs.inspect(meta.kerasMetadata.get(i),
                        where + "!object_graph_def/keras_metadata[" + i + "]", findings);
            }
            for (String asset : meta.assetFiles) {
                if (asset.isEmpty() || asset.startsWith("/") || asset.startsWith("\\") || asset.contains("..")
                        || asset.indexOf(':') >= 0) {
                    add("tf.asset.escape", Severity.CRITICAL, where + "!asset_file_def", "asset file \""
                            + clip(asset) + "\" is not a plain name inside assets/; loading would read that path");
                }
            }
        }

        private void judgeBody(TfGraph.Body body, String at) {
            for (TfGraph.Node node : body.nodes) {
                String nodeAt = at + "/" + clip(node.name);
                for (String op : node.ops) {
                    judgeOp(body, node, op, nodeAt, false);
                }
                if (node.ops.isEmpty() && !node.name.equals("(function attrs)")) {
                    add("tf.op.unknown", Severity.HIGH, nodeAt, "node names no op");
                }
                for (String fn : node.functions) {
                    judgeOp(body, node, fn, nodeAt, true);
                }
                for (String stream : node.outputStreams) {
                    if (!stream.equals("stderr") && !stream.equals("stdout") && !stream.startsWith("log(")) {
                        add("tf.op.file", Severity.CRITICAL, nodeAt, "prints to \"" + clip(stream) + "\":"
                                + " PrintV2 appends to files named by its output_stream attr");
                    }
                }
            }
        }

        private void judgeOp(TfGraph.Body body, TfGraph.Node node, String op, String at, boolean fromAttr) {
            if (meta.functions.containsKey(op)) {
                return; // a call into the library, whose functions are judged themselves
            }
            String what = fromAttr ? "calls \"" + clip(op) + "\" through an attr, which" : "op \"" + clip(op) + "\"";
            TfOps.Entry entry = TfOps.of(op);
            if (entry == null) {
                add("tf.op.unknown", Severity.HIGH, at, what + (fromAttr ? " is no function of the library and no"
                        + " allowlisted op" : " is not on the op allowlist; unknown ops are refused"));
            } else if (entry.kind() == TfOps.Kind.DENY) {
                add("tf.op.denied", Severity.CRITICAL, at, what + " " + entry.reason());
            } else if (entry.kind() == TfOps.Kind.CHECKPOINT && (fromAttr || !inSaver(body, node))) {
                add("tf.op.checkpoint", Severity.CRITICAL, at, what + " reads or writes checkpoint files outside"
                        + " the saver wiring TensorFlow creates, at a path the graph chooses");
            }
        }

        /**
         * A checkpoint op TensorFlow's saver made: in the saver's part of the graph (TF1) or in a
         * function only the saver calls (TF2), with its file prefix flowing from the saver's
         * filename tensor or the function's argument, i.e. the path the loader feeds.
         */
        private boolean inSaver(TfGraph.Body body, TfGraph.Node node) {
            if (node.inputs.isEmpty()) {
                return false;
            }
            // Data inputs only: a control edge orders ops, it carries no string into the path.
            Set<String> prefixSources = ancestors(body, Set.of(TfGraphReader.tensorNode(node.inputs.get(0))), false);
            if (!plainPrefix(body, prefixSources)) {
                return false;
            }
            if (body == meta.graph) {
                return saverTopNodes.contains(node.name) && prefixSources.contains(meta.saverFilename);
            }
            if (!saverOnlyFunctions.contains(body.name)) {
                return false;
            }
            for (String arg : body.args) {
                if (prefixSources.contains(arg)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * The saver builds its file names from the loader's prefix with a few string ops and
         * constants such as {@code _temp/part} and {@code .part}. Anything else on the way (a
         * constant with {@code ..} or a leading {@code /}, a join with a separator) could point
         * the checkpoint op at another path.
         */
        private static boolean plainPrefix(TfGraph.Body body, Set<String> sources) {
            Map<String, TfGraph.Node> byName = body.byName();
            for (String source : sources) {
                TfGraph.Node node = byName.get(source);
                if (node == null) {
                    continue; // a function argument
                }
                String op = node.op();
                if (!SAVER_PREFIX_OPS.contains(op) || node.ops.size() > 1) {
                    return false;
                }
                if (op.equals("StringJoin") && node.separator != null && !node.separator.isEmpty()) {
                    return false;
                }
                for (String value : node.strings) {
                    if (!SAVER_CONSTANT.matcher(value).matches() || value.contains("..")) {
                        return false;
                    }
                }
            }
            return true;
        }

        /** The names {@code roots} depend on through data (and, if asked, control) inputs, roots included. */
        private static Set<String> ancestors(TfGraph.Body body, Set<String> roots, boolean followControl) {
            Map<String, TfGraph.Node> byName = body.byName();
            Set<String> seen = new LinkedHashSet<>(roots);
            Deque<String> work = new ArrayDeque<>(roots);
            while (!work.isEmpty()) {
                TfGraph.Node node = byName.get(work.pop());
                if (node == null) {
                    continue; // a function argument
                }
                for (String input : node.inputs) {
                    if (!followControl && input.startsWith("^")) {
                        continue;
                    }
                    String source = TfGraphReader.tensorNode(input);
                    if (seen.add(source)) {
                        work.push(source);
                    }
                }
            }
            return seen;
        }

        /** The library functions {@code nodes} call, directly or through the functions they call. */
        private Set<String> closure(Collection<TfGraph.Node> nodes) {
            Set<String> reached = new HashSet<>();
            Deque<TfGraph.Node> work = new ArrayDeque<>(nodes);
            while (!work.isEmpty()) {
                TfGraph.Node node = work.pop();
                List<String> calls = new ArrayList<>(node.ops);
                calls.addAll(node.functions);
                for (String call : calls) {
                    TfGraph.Body fn = meta.functions.get(call);
                    if (fn != null && reached.add(call)) {
                        work.addAll(fn.nodes);
                    }
                }
            }
            return reached;
        }

        private void add(String rule, Severity severity, String at, String message) {
            if (findings.size() < MAX_FINDINGS) {
                findings.add(new Finding(rule, severity, at, message));
            }
        }
    }

    private static String clip(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
