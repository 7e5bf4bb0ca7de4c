package dev.safeload.model.tensorflow;

import dev.safeload.model.read.WireReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads a {@code SavedModel} or a {@code GraphDef} with the protobuf wire reader ({@link WireReader}), keeping only
 * names: node ops, inputs, the functions attrs call, library functions, the saver's tensors and
 * asset file names. Field numbers are those of TensorFlow's {@code saved_model.proto},
 * {@code meta_graph.proto}, {@code graph.proto}, {@code node_def.proto}, {@code function.proto},
 * {@code attr_value.proto} and {@code saver.proto}; tensor bytes are skipped unread.
 */
final class TfGraphReader {

    /** Function attrs nest (a func's attrs hold funcs); real graphs stay shallow. */
    static final int MAX_DEPTH = 32;
    static final int MAX_STRING = 64 * 1024;
    static final int MAX_METADATA = 64 << 20;

    private static final int LEN = WireReader.LENGTH_DELIMITED;

    private final WireReader in;
    private final TfGraph graph = new TfGraph();

    private TfGraphReader(WireReader in) {
        this.in = in;
    }

    static TfGraph readSavedModel(WireReader in) throws IOException {
        TfGraphReader reader = new TfGraphReader(in);
        reader.savedModel();
        return reader.graph;
    }

    static TfGraph readGraphDef(WireReader in) throws IOException {
        TfGraphReader reader = new TfGraphReader(in);
        TfGraph.Meta meta = new TfGraph.Meta();
        reader.graph.metas.add(meta);
        reader.graphDef(meta, true);
        return reader.graph;
    }

    private void savedModel() throws IOException {
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag == tag(2, LEN)) {
                TfGraph.Meta meta = new TfGraph.Meta();
                graph.metas.add(meta);
                long limit = in.pushLimit(in.readRawVarint32());
                metaGraph(meta);
                in.popLimit(limit);
            } else if (tag == tag(1, WireReader.VARINT)) {
                in.skipField(tag); // the schema version, a varint: read under the same rules as readInt64
            } else {
                // Only two fields exist: anything else is a polyglot (an ONNX graph, say) or garbage.
                graph.unknownTopLevelFields.add("field " + (tag >>> 3));
                in.skipField(tag);
            }
        }
    }

    private void metaGraph(TfGraph.Meta meta) throws IOException {
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag == tag(2, LEN)) {
                long limit = in.pushLimit(in.readRawVarint32());
                graphDef(meta, false);
                in.popLimit(limit);
            } else if (tag == tag(3, LEN)) {
                long limit = in.pushLimit(in.readRawVarint32());
                saverDef(meta);
                in.popLimit(limit);
            } else if (tag == tag(6, LEN)) {
                long limit = in.pushLimit(in.readRawVarint32());
                assetFileDef(meta);
                in.popLimit(limit);
            } else if (tag == tag(7, LEN)) {
                long limit = in.pushLimit(in.readRawVarint32());
                objectGraph(meta);
                in.popLimit(limit);
            } else {
                in.skipField(tag);
            }
        }
    }

    private void saverDef(TfGraph.Meta meta) throws IOException {
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (tag) {
                case 10 -> meta.saverFilename = tensorNode(string());
                case 18 -> meta.saverSave = tensorNode(string());
                case 26 -> meta.saverRestore = tensorNode(string());
                default -> in.skipField(tag);
            }
        }
    }

    /** SavedObjectGraph {nodes = 1: SavedObject {user_object = 4: SavedUserObject {identifier = 1, metadata = 3}}}. */
    private void objectGraph(TfGraph.Meta meta) throws IOException {
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag != tag(1, LEN)) {
                in.skipField(tag);
                continue;
            }
            long node = in.pushLimit(in.readRawVarint32());
            for (int t; (t = in.readTag()) != 0; ) {
                if (t != tag(4, LEN)) {
                    in.skipField(t);
                    continue;
                }
                long user = in.pushLimit(in.readRawVarint32());
                String identifier = "";
                String metadata = null;
                for (int u; (u = in.readTag()) != 0; ) {
                    if (u == tag(1, LEN)) {
                        identifier = string();
                    } else if (u == tag(3, LEN)) {
                        metadata = metadata();
                    } else {
                        in.skipField(u);
                    }
                }
                in.popLimit(user);
                if (metadata != null && !metadata.isEmpty() && identifier.startsWith("_tf_keras")) {
                    meta.kerasMetadata.add(metadata);
                }
            }
            in.popLimit(node);
        }
    }

    /** Keras metadata JSON: a whole layer or model config, so larger than a name. */
    private String metadata() throws IOException {
        int length = in.readRawVarint32();
        if (length < 0 || length > MAX_METADATA) {
            throw new IOException("Keras metadata of " + length + " bytes");
        }
        return new String(in.readRawBytes(length), StandardCharsets.UTF_8);
    }

    private void assetFileDef(TfGraph.Meta meta) throws IOException {
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag == tag(2, LEN)) {
                meta.assetFiles.add(string());
            } else {
                in.skipField(tag);
            }
        }
    }

    private void graphDef(TfGraph.Meta meta, boolean topLevel) throws IOException {
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag == tag(1, LEN)) {
                long limit = in.pushLimit(in.readRawVarint32());
                meta.graph.nodes.add(node());
                in.popLimit(limit);
            } else if (tag == tag(2, LEN)) {
                long limit = in.pushLimit(in.readRawVarint32());
                library(meta);
                in.popLimit(limit);
            } else {
                int field = (tag >>> 3);
                if (topLevel && (field > 5 || field == 0)) {
                    graph.unknownTopLevelFields.add("field " + field);
                }
                in.skipField(tag);
            }
        }
    }

    private void library(TfGraph.Meta meta) throws IOException {
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag == tag(1, LEN)) {
                long limit = in.pushLimit(in.readRawVarint32());
                function(meta);
                in.popLimit(limit);
            } else if (tag == tag(2, LEN)) {
                // GradientDef {function_name = 1, gradient_func = 2}: the gradient runs only in training.
                long limit = in.pushLimit(in.readRawVarint32());
                for (int t; (t = in.readTag()) != 0; ) {
                    if (t == tag(2, LEN)) {
                        meta.gradientFunctions.add(string());
                    } else {
                        in.skipField(t);
                    }
                }
                in.popLimit(limit);
            } else {
                in.skipField(tag);
            }
        }
    }

    private void function(TfGraph.Meta meta) throws IOException {
        String name = null;
        TfGraph.Body body = new TfGraph.Body("");
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag == tag(1, LEN)) { // OpDef signature {name = 1, input_arg = 2 ArgDef {name = 1}}
                long limit = in.pushLimit(in.readRawVarint32());
                for (int t; (t = in.readTag()) != 0; ) {
                    if (t == tag(1, LEN)) {
                        name = string();
                    } else if (t == tag(2, LEN)) {
                        long argLimit = in.pushLimit(in.readRawVarint32());
                        for (int a; (a = in.readTag()) != 0; ) {
                            if (a == tag(1, LEN)) {
                                body.args.add(string());
                            } else {
                                in.skipField(a);
                            }
                        }
                        in.popLimit(argLimit);
                    } else {
                        in.skipField(t);
                    }
                }
                in.popLimit(limit);
            } else if (tag == tag(3, LEN)) {
                long limit = in.pushLimit(in.readRawVarint32());
                body.nodes.add(node());
                in.popLimit(limit);
            } else if (tag == tag(5, LEN)) {
                // The function's own attrs ({@code map<string, AttrValue>}): funcs named there run too.
                TfGraph.Node holder = new TfGraph.Node();
                long limit = in.pushLimit(in.readRawVarint32());
                attrEntry(holder, 0);
                in.popLimit(limit);
                if (!holder.functions.isEmpty()) {
                    holder.name = "(function attrs)";
                    body.nodes.add(holder);
                }
            } else {
                in.skipField(tag);
            }
        }
        String key = name == null ? "" : name;
        TfGraph.Body named = new TfGraph.Body(key);
        named.args.addAll(body.args);
        named.nodes.addAll(body.nodes);
        // A second definition of a name: TensorFlow refuses duplicates that differ, so keep both bodies' nodes.
        TfGraph.Body existing = meta.functions.get(key);
        if (existing != null) {
            existing.nodes.addAll(named.nodes);
            existing.args.addAll(named.args);
        } else {
            meta.functions.put(key, named);
        }
    }

    private TfGraph.Node node() throws IOException {
        TfGraph.Node node = new TfGraph.Node();
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (tag) {
                case 10 -> node.name = string();
                case 18 -> node.ops.add(string());
                case 26 -> node.inputs.add(string());
                case 42 -> {
                    long limit = in.pushLimit(in.readRawVarint32());
                    attrEntry(node, 0);
                    in.popLimit(limit);
                }
                default -> in.skipField(tag);
            }
        }
        return node;
    }

    /** One {@code map<string, AttrValue>} entry: key = 1, value = 2. */
    private void attrEntry(TfGraph.Node node, int depth) throws IOException {
        String key = "";
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag == tag(1, LEN)) {
                key = string();
            } else if (tag == tag(2, LEN)) {
                long limit = in.pushLimit(in.readRawVarint32());
                attrValue(node, key, depth);
                in.popLimit(limit);
            } else {
                in.skipField(tag);
            }
        }
    }

    /** AttrValue: list = 1 (ListValue, funcs at 9, strings at 2), s = 2, func = 10 (NameAttrList). */
    private void attrValue(TfGraph.Node node, String key, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new IOException("function attrs nest more than " + MAX_DEPTH + " deep");
        }
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag == tag(10, LEN)) {
                long limit = in.pushLimit(in.readRawVarint32());
                nameAttrList(node, depth);
                in.popLimit(limit);
            } else if (tag == tag(2, LEN)) {
                String s = string();
                if (key.equals("output_stream")) {
                    node.outputStreams.add(s);
                } else if (key.equals("separator")) {
                    node.separator = s;
                }
            } else if (tag == tag(8, LEN)) {
                // TensorProto {string_val = 8}: the strings a Const holds, for the saver's path check
                long limit = in.pushLimit(in.readRawVarint32());
                for (int t; (t = in.readTag()) != 0; ) {
                    if (t == tag(8, LEN) && node.strings.size() < 16) {
                        node.strings.add(string());
                    } else {
                        in.skipField(t);
                    }
                }
                in.popLimit(limit);
            } else if (tag == tag(1, LEN)) {
                long limit = in.pushLimit(in.readRawVarint32());
                for (int t; (t = in.readTag()) != 0; ) {
                    if (t == tag(9, LEN)) {
                        long inner = in.pushLimit(in.readRawVarint32());
                        nameAttrList(node, depth);
                        in.popLimit(inner);
                    } else {
                        in.skipField(t);
                    }
                }
                in.popLimit(limit);
            } else {
                in.skipField(tag);
            }
        }
    }

    /** NameAttrList: name = 1 (a function, or an op), attr = 2 (map entries). */
    private void nameAttrList(TfGraph.Node node, int depth) throws IOException {
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag == tag(1, LEN)) {
                node.functions.add(string());
            } else if (tag == tag(2, LEN)) {
                long limit = in.pushLimit(in.readRawVarint32());
                attrEntry(node, depth + 1);
                in.popLimit(limit);
            } else {
                in.skipField(tag);
            }
        }
    }

    private String string() throws IOException {
        int length = in.readRawVarint32();
        if (length < 0 || length > MAX_STRING) {
            throw new IOException("a name of " + length + " bytes; TensorFlow names are short");
        }
        return new String(in.readRawBytes(length), StandardCharsets.UTF_8);
    }

    /** {@code "node:0"} or {@code "^node"} to {@code node}. */
    static String tensorNode(String tensor) {
        String s = tensor.startsWith("^") ? tensor.substring(1) : tensor;
        int colon = s.indexOf(':');
        return colon >= 0 ? s.substring(0, colon) : s;
    }

    private static int tag(int field, int wireType) {
        return field << 3 | wireType;
    }
}
