package dev.safeload.model.tensorflow;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a TensorFlow graph file holds, as far as the op check needs it: every meta graph (a
 * frozen GraphDef is one without a saver), its top-level nodes, its function library, and the
 * saver's tensor names. Read by {@link TfGraphReader}.
 */
final class TfGraph {

    /** One node: its name, every {@code op} value it carried, its inputs and the functions its attrs name. */
    static final class Node {
        String name = "";
        final Set<String> ops = new LinkedHashSet<>();
        final List<String> inputs = new ArrayList<>();
        final Set<String> functions = new LinkedHashSet<>();
        final List<String> outputStreams = new ArrayList<>();
        /** String values of a Const's tensor (TensorProto.string_val). */
        final List<String> strings = new ArrayList<>();
        /** StringJoin's separator attr, if set. */
        String separator;

        /** The op TensorFlow runs: proto3 keeps the last value of a repeated scalar field. */
        String op() {
            String last = "";
            for (String op : ops) {
                last = op;
            }
            return last;
        }
    }

    /** A body of nodes: the top-level graph or one library function. */
    static final class Body {
        final String name;
        final List<Node> nodes = new ArrayList<>();
        final Set<String> args = new LinkedHashSet<>();

        Body(String name) {
            this.name = name;
        }

        Map<String, Node> byName() {
            Map<String, Node> map = new LinkedHashMap<>();
            for (Node node : nodes) {
                map.put(node.name, node);
            }
            return map;
        }
    }

    /** One MetaGraphDef (or the single graph of a frozen GraphDef). */
    static final class Meta {
        final Body graph = new Body("");
        final Map<String, Body> functions = new LinkedHashMap<>();
        final Set<String> gradientFunctions = new LinkedHashSet<>();
        String saverFilename;
        String saverSave;
        String saverRestore;
        final List<String> assetFiles = new ArrayList<>();
        /** Keras metadata of SavedUserObjects ({@code _tf_keras_*}), by node index: Keras rebuilds layers from it. */
        final List<String> kerasMetadata = new ArrayList<>();
    }

    final List<Meta> metas = new ArrayList<>();
    final List<String> unknownTopLevelFields = new ArrayList<>();
}
