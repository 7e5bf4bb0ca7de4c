package dev.safeload.model.tensorflow;

import static dev.safeload.model.ProtoMessage.message;

import dev.safeload.model.ProtoMessage;

/**
 * The TensorFlow protobuf message shapes the tests write, with {@link ProtoMessage}. No
 * TensorFlow is installable here (no Debian package), so the fixtures mirror, field for field,
 * what {@code tf.saved_model.save} (TF 2.x) and {@code tf.compat.v1} savers write; field numbers from
 * saved_model.proto, meta_graph.proto, graph.proto, node_def.proto, function.proto, op_def.proto,
 * attr_value.proto and saver.proto.
 */
final class TfProto {

    private TfProto() {
    }

    /** NodeDef {name = 1, op = 2, input = 3, device = 4, attr = 5}. */
    static ProtoMessage node(String name, String op, String... inputs) {
        ProtoMessage node = message().string(1, name).string(2, op);
        for (String input : inputs) {
            node.string(3, input);
        }
        return node.message(5, attr("T", message().varint(6, 1))); // attr T = DT_FLOAT
    }

    /** A map<string, AttrValue> entry. */
    static ProtoMessage attr(String key, ProtoMessage value) {
        return message().string(1, key).message(2, value);
    }

    /** AttrValue {func = 10: NameAttrList {name = 1}}. */
    static ProtoMessage func(String name) {
        return message().message(10, message().string(1, name));
    }

    /** AttrValue {s = 2}. */
    static ProtoMessage s(String value) {
        return message().string(2, value);
    }

    /** AttrValue {tensor = 8: TensorProto {dtype = 1, tensor_shape = 2, tensor_content = 4}}: a weight. */
    static ProtoMessage tensor(byte[] content) {
        return message().message(8, message().varint(1, 1).message(2, message()).bytes(4, content));
    }

    /** A call node: StatefulPartitionedCall with attr f. */
    static ProtoMessage call(String name, String function, String... inputs) {
        return node(name, "StatefulPartitionedCall", inputs).message(5, attr("f", func(function)));
    }

    /** FunctionDef {signature = 1: OpDef {name = 1, input_arg = 2: ArgDef {name = 1}}, node_def = 3}. */
    static ProtoMessage function(String name, String[] args, ProtoMessage... nodes) {
        ProtoMessage signature = message().string(1, name);
        for (String arg : args) {
            signature.message(2, message().string(1, arg).varint(3, 1));
        }
        ProtoMessage fn = message().message(1, signature);
        for (ProtoMessage node : nodes) {
            fn.message(3, node);
        }
        return fn;
    }

    /** GraphDef {node = 1, library = 2 {function = 1}, versions = 4 {producer = 1}}. */
    static ProtoMessage graph(ProtoMessage[] nodes, ProtoMessage... functions) {
        ProtoMessage graph = message();
        for (ProtoMessage node : nodes) {
            graph.message(1, node);
        }
        ProtoMessage library = message();
        for (ProtoMessage fn : functions) {
            library.message(1, fn);
        }
        if (functions.length > 0) {
            graph.message(2, library);
        }
        return graph.message(4, message().varint(1, 1645).varint(2, 0));
    }

    /** SavedModel {saved_model_schema_version = 1, meta_graphs = 2: MetaGraphDef}. */
    static ProtoMessage savedModel(ProtoMessage graph, String filename, String save, String restore) {
        return savedModel(graph, filename, save, restore, message().message(1, message()));
    }

    /** SavedObject {user_object = 4: SavedUserObject {identifier = 1, version = 2, metadata = 3}}. */
    static ProtoMessage userObject(String identifier, String metadata) {
        return message().message(4, message().string(1, identifier).message(2, message().varint(1, 1)
                .varint(2, 1)).string(3, metadata));
    }

    static ProtoMessage savedModel(ProtoMessage graph, String filename, String save, String restore, ProtoMessage objectGraph) {
        ProtoMessage metaInfo = message().string(4, "serve").string(5, "2.15.0").string(6, "v2.15.0-rc1-8-g6887368d6d4");
        ProtoMessage saver = filename == null ? null : message().string(1, filename).string(2, save).string(3, restore)
                .varint(4, 5).varint(5, 1).varint(7, 2);
        ProtoMessage signature = message().string(1, "serving_default").message(2, message()
                .message(1, message().string(1, "x").message(2, message().string(1, "serving_default_x:0")))
                .string(3, "tensorflow/serving/predict"));
        ProtoMessage meta = message().message(1, metaInfo).message(2, graph);
        if (filename != null) {
            meta.message(3, saver);
        }
        meta.message(5, signature).message(7, objectGraph);
        return message().varint(1, 1).message(2, meta);
    }
}
