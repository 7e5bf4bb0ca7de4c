package dev.safeload.model.tensorflow;

import static dev.safeload.model.ProtoMessage.message;
import static dev.safeload.model.Scans.assertAllowed;
import static dev.safeload.model.Scans.assertBlocked;
import static dev.safeload.model.Scans.scan;
import static dev.safeload.model.tensorflow.TfProto.attr;
import static dev.safeload.model.tensorflow.TfProto.call;
import static dev.safeload.model.tensorflow.TfProto.function;
import static dev.safeload.model.tensorflow.TfProto.graph;
import static dev.safeload.model.tensorflow.TfProto.node;
import static dev.safeload.model.tensorflow.TfProto.s;
import static dev.safeload.model.tensorflow.TfProto.savedModel;
import static dev.safeload.model.tensorflow.TfProto.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.model.ProtoMessage;
import dev.safeload.model.ScanResult;
import dev.safeload.model.Severity;
import dev.safeload.model.onnx.OnnxCheck;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TensorflowCheckTest {

    private static final String[] CALL_ARGS = {"x", "matmul_readvariableop_resource"};

    /** The model's forward pass, as tf.function traces a Dense layer. */
    private static ProtoMessage[] denseCall() {
        return new ProtoMessage[] {
            node("MatMul/ReadVariableOp", "ReadVariableOp", "matmul_readvariableop_resource"),
            node("MatMul", "MatMul", "x", "MatMul/ReadVariableOp:value:0"),
            node("Relu", "Relu", "MatMul:product:0"),
            node("Identity", "Identity", "Relu:activations:0"),
        };
    }

    /** __inference__traced_save: StaticRegexFullMatch, Select, StringJoin, ShardedFilename, SaveV2, MergeV2Checkpoints. */
    private static ProtoMessage tracedSave(String name) {
        return function(name, new String[] {"file_prefix", "savev2_variable_read_readvariableop", "savev2_const"},
                node("StaticRegexFullMatch", "StaticRegexFullMatch", "file_prefix").message(5, attr("pattern",
                        s("^s3://.*"))),
                node("Const", "Const").message(5, attr("value", stringTensor(".part"))),
                node("Const_1", "Const").message(5, attr("value", stringTensor("_temp/part"))),
                node("Select", "Select", "StaticRegexFullMatch:output:0", "Const:output:0", "Const_1:output:0"),
                node("StringJoin", "StringJoin", "file_prefix", "Select:output:0"),
                node("num_shards", "Const"),
                node("ShardedFilename/shard", "Const"),
                node("ShardedFilename", "ShardedFilename", "StringJoin:output:0", "ShardedFilename/shard:output:0",
                        "num_shards:output:0"),
                node("SaveV2/tensor_names", "Const"),
                node("SaveV2/shape_and_slices", "Const"),
                node("SaveV2", "SaveV2", "ShardedFilename:filename:0", "SaveV2/tensor_names:output:0",
                        "SaveV2/shape_and_slices:output:0", "savev2_variable_read_readvariableop", "savev2_const"),
                node("MergeV2Checkpoints/checkpoint_prefixes", "Pack", "ShardedFilename:filename:0", "^SaveV2"),
                node("MergeV2Checkpoints", "MergeV2Checkpoints", "MergeV2Checkpoints/checkpoint_prefixes:output:0",
                        "file_prefix"),
                node("Identity", "Identity", "file_prefix", "^MergeV2Checkpoints"),
                node("NoOp", "NoOp", "^MergeV2Checkpoints"));
    }

    private static ProtoMessage tracedRestore(String name) {
        return function(name, new String[] {"file_prefix", "assignvariableop_variable"},
                node("RestoreV2/tensor_names", "Const"),
                node("RestoreV2/shape_and_slices", "Const"),
                node("RestoreV2", "RestoreV2", "file_prefix", "RestoreV2/tensor_names:output:0",
                        "RestoreV2/shape_and_slices:output:0"),
                node("Identity", "Identity", "RestoreV2:tensors:0"),
                node("AssignVariableOp", "AssignVariableOp", "assignvariableop_variable", "Identity:output:0"),
                node("NoOp_1", "NoOp"),
                node("Identity_1", "Identity", "file_prefix", "^AssignVariableOp", "^NoOp_1"));
    }

    /** A TF2 SavedModel of one Dense layer, as tf.saved_model.save lays it out; {@code callBody} is the forward pass. */
    static byte[] tf2SavedModel(ProtoMessage[] callBody, ProtoMessage... extraFunctions) {
        List<ProtoMessage> functions = new ArrayList<>(List.of(
                function("__inference_signature_wrapper_114", new String[] {"x", "unknown"},
                        call("StatefulPartitionedCall", "__inference___call___96", "x", "unknown"),
                        node("Identity", "Identity", "StatefulPartitionedCall:output:0")),
                function("__inference___call___96", CALL_ARGS, callBody),
                tracedSave("__inference__traced_save_160"),
                tracedRestore("__inference__traced_restore_176")));
        functions.addAll(Arrays.asList(extraFunctions));
        ProtoMessage[] nodes = {
            node("Variable", "VarHandleOp"),
            node("serving_default_x", "Placeholder"),
            call("StatefulPartitionedCall", "__inference_signature_wrapper_114", "serving_default_x", "Variable"),
            node("saver_filename", "Placeholder"),
            call("StatefulPartitionedCall_1", "__inference__traced_save_160", "saver_filename",
                    "Variable/Read/ReadVariableOp", "Const"),
            node("Variable/Read/ReadVariableOp", "ReadVariableOp", "Variable"),
            node("Const", "Const"),
            call("StatefulPartitionedCall_2", "__inference__traced_restore_176", "saver_filename", "Variable"),
        };
        return savedModel(graph(nodes, functions.toArray(ProtoMessage[]::new)), "saver_filename:0",
                "StatefulPartitionedCall_1:0", "StatefulPartitionedCall_2").build();
    }

    /** A TF1 SavedModel (tf.compat.v1.saved_model.Builder): the saver's nodes under save/. */
    static byte[] tf1SavedModel(ProtoMessage... extraNodes) {
        List<ProtoMessage> nodes = new ArrayList<>(List.of(
                node("x", "Placeholder"),
                node("w", "VariableV2"),
                node("w/read", "Identity", "w"),
                node("MatMul", "MatMul", "x", "w/read"),
                node("save/filename/input", "Const").message(5, attr("value", stringTensor("model"))),
                node("save/filename", "PlaceholderWithDefault", "save/filename/input"),
                node("save/Const", "PlaceholderWithDefault", "save/filename"),
                node("save/SaveV2/tensor_names", "Const"),
                node("save/SaveV2/shape_and_slices", "Const"),
                node("save/SaveV2", "SaveV2", "save/Const", "save/SaveV2/tensor_names",
                        "save/SaveV2/shape_and_slices", "w"),
                node("save/control_dependency", "Identity", "save/Const", "^save/SaveV2"),
                node("save/RestoreV2/tensor_names", "Const"),
                node("save/RestoreV2/shape_and_slices", "Const"),
                node("save/RestoreV2", "RestoreV2", "save/Const", "save/RestoreV2/tensor_names",
                        "save/RestoreV2/shape_and_slices"),
                node("save/Assign", "Assign", "w", "save/RestoreV2"),
                node("save/restore_all", "NoOp", "^save/Assign")));
        nodes.addAll(Arrays.asList(extraNodes));
        return savedModel(graph(nodes.toArray(ProtoMessage[]::new)), "save/Const:0", "save/control_dependency:0",
                "save/restore_all").build();
    }

    /** A frozen graph (convert_variables_to_constants): weights inline as Const tensors. */
    static byte[] frozenGraph(ProtoMessage... extraNodes) {
        List<ProtoMessage> nodes = new ArrayList<>(List.of(
                node("input", "Placeholder"),
                node("dense/kernel", "Const").message(5, attr("value", tensor(new byte[64]))),
                node("dense/MatMul", "MatMul", "input", "dense/kernel"),
                node("dense/bias", "Const").message(5, attr("value", tensor(new byte[8]))),
                node("dense/BiasAdd", "BiasAdd", "dense/MatMul", "dense/bias"),
                node("output", "Softmax", "dense/BiasAdd")));
        nodes.addAll(Arrays.asList(extraNodes));
        return graph(nodes.toArray(ProtoMessage[]::new)).build();
    }

    /** AttrValue {tensor = 8: TensorProto {dtype = 1 (DT_STRING = 7), string_val = 8}}. */
    private static ProtoMessage stringTensor(String value) {
        return message().message(8, message().varint(1, 7).bytes(8, value.getBytes()));
    }

    private static ProtoMessage[] with(ProtoMessage[] body, ProtoMessage... more) {
        List<ProtoMessage> all = new ArrayList<>(Arrays.asList(body));
        all.addAll(Arrays.asList(more));
        return all.toArray(ProtoMessage[]::new);
    }

    @Test
    void detectsSavedModelAndGraphDefAsTensorflowNotOnnx() {
        byte[] saved = tf2SavedModel(denseCall());
        assertEquals(List.of("tf-savedmodel"), scan("saved_model.pb", saved).formats());
        assertFalse(new OnnxCheck().sniff(saved, saved.length));
        assertEquals(List.of("tf-savedmodel"), scan("saved_model.pb", tf1SavedModel()).formats());
        byte[] frozen = frozenGraph();
        assertEquals(List.of("tf-graphdef"), scan("frozen.pb", frozen).formats());
        assertFalse(new OnnxCheck().sniff(frozen, frozen.length));
    }

    @Test
    void allowsRealSavedModelsWithTheirSaverAndFrozenGraphs() {
        assertAllowed(scan("tf2/saved_model.pb", tf2SavedModel(denseCall())));
        assertAllowed(scan("tf1/saved_model.pb", tf1SavedModel()));
        assertAllowed(scan("frozen.pb", frozenGraph()));
    }

    @Test
    void refusesReadFileInTheServingFunction() {
        ScanResult r = scan("saved_model.pb", tf2SavedModel(with(denseCall(),
                node("path", "Const").message(5, attr("value", tensor("/etc/passwd".getBytes()))),
                node("ReadFile", "ReadFile", "path:output:0"))));
        assertBlocked(r, "tf.op.denied", Severity.CRITICAL);
        assertTrue(r.findings().get(0).location().contains("__inference___call___96/ReadFile"), r.toString());
    }

    @Test
    void refusesFileProcessAndPythonOpsInAFrozenGraph() {
        for (String op : List.of("WriteFile", "MatchingFiles", "PyFunc", "EagerPyFunc", "PyFuncStateless",
                "ImmutableConst", "LoadAndRemapMatrix", "TFRecordDataset", "DebugIdentity", "InitializeTableFromTextFileV2")) {
            assertBlocked(scan("frozen.pb", frozenGraph(node("evil", op, "input"))), "tf.op.denied", Severity.CRITICAL);
        }
    }

    @Test
    void refusesOpsOnNoList() {
        assertBlocked(scan("frozen.pb", frozenGraph(node("custom", "MyCustomKernelOp", "input"))), "tf.op.unknown",
                Severity.HIGH);
    }

    @Test
    void refusesOpHiddenInAFunctionReachedOnlyThroughAnAttr() {
        ProtoMessage body = function("__inference_while_body_7", new String[] {"i"},
                node("path", "Const"), node("w", "WriteFile", "path:output:0", "i"));
        ProtoMessage[] call = with(denseCall(), node("while", "StatelessWhile", "x")
                .message(5, attr("body", TfProto.func("__inference_while_body_7")))
                .message(5, attr("cond", TfProto.func("__inference_while_body_7"))));
        assertBlocked(scan("saved_model.pb", tf2SavedModel(call, body)), "tf.op.denied", Severity.CRITICAL);
    }

    @Test
    void refusesAttrThatCallsAFunctionTheLibraryLacks() {
        ProtoMessage[] call = with(denseCall(), node("c", "PartitionedCall", "x").message(5, attr("f", TfProto.func("ReadFile"))));
        assertBlocked(scan("saved_model.pb", tf2SavedModel(call)), "tf.op.denied", Severity.CRITICAL);
        ProtoMessage[] missing = with(denseCall(), node("c", "PartitionedCall", "x").message(5, attr("f", TfProto.func("nowhere"))));
        assertBlocked(scan("saved_model.pb", tf2SavedModel(missing)), "tf.op.unknown", Severity.HIGH);
    }

    @Test
    void refusesCheckpointOpsOutsideTheSaver() {
        // SaveV2 in the serving function writes files at inference time.
        ProtoMessage[] call = with(denseCall(), node("SaveV2", "SaveV2", "x", "x", "x", "MatMul:product:0"));
        assertBlocked(scan("saved_model.pb", tf2SavedModel(call)), "tf.op.checkpoint", Severity.CRITICAL);
        // The saver's own function, when the serving path calls it too, loses its exemption.
        ProtoMessage[] callsSaver = with(denseCall(), TfProto.call("sneaky", "__inference__traced_save_160", "x", "x", "x"));
        assertBlocked(scan("saved_model.pb", tf2SavedModel(callsSaver)), "tf.op.checkpoint", Severity.CRITICAL);
        // TF1: a SaveV2 the restore op depends on, writing to a path of the graph's own choosing.
        assertBlocked(scan("saved_model.pb", tf1SavedModel(
                node("save/evil_path", "Const").message(5, attr("value", tensor("/tmp/x".getBytes()))),
                node("save/evil", "SaveV2", "save/evil_path", "save/SaveV2/tensor_names",
                        "save/SaveV2/shape_and_slices", "w"),
                node("save/restore_all", "NoOp", "^save/Assign", "^save/evil"))),
                "tf.op.checkpoint", Severity.CRITICAL);
        // TF1: the saver's own SaveV2, its prefix joined with a climbing constant.
        assertBlocked(scan("saved_model.pb", tf1SavedModel(
                node("save/evil_suffix", "Const").message(5, attr("value", message().message(8,
                        message().varint(1, 7).bytes(8, "/../../tmp/x".getBytes())))),
                node("save/evil_join", "StringJoin", "save/Const", "save/evil_suffix"),
                node("save/SaveV2_1", "SaveV2", "save/evil_join", "save/SaveV2/tensor_names",
                        "save/SaveV2/shape_and_slices", "w"),
                node("save/restore_all", "NoOp", "^save/Assign", "^save/SaveV2_1"))),
                "tf.op.checkpoint", Severity.CRITICAL);
        // ...or joined with a separator that makes "/.." out of harmless pieces.
        assertBlocked(scan("saved_model.pb", tf1SavedModel(
                node("save/dot", "Const").message(5, attr("value", message().message(8,
                        message().varint(1, 7).bytes(8, ".".getBytes())))),
                node("save/dots", "StringJoin", "save/dot", "save/dot"),
                node("save/evil_join", "StringJoin", "save/Const", "save/dots").message(5, attr("separator", s("/"))),
                node("save/SaveV2_1", "SaveV2", "save/evil_join", "save/SaveV2/tensor_names",
                        "save/SaveV2/shape_and_slices", "w"),
                node("save/restore_all", "NoOp", "^save/Assign", "^save/SaveV2_1"))),
                "tf.op.checkpoint", Severity.CRITICAL);
        // A frozen graph has no saver at all.
        assertBlocked(scan("frozen.pb", frozenGraph(node("r", "RestoreV2", "input", "input", "input"))),
                "tf.op.checkpoint", Severity.CRITICAL);
    }

    @Test
    void refusesPrintToAFile() {
        ProtoMessage print = node("p", "PrintV2", "x").message(5, attr("output_stream", s("file:///tmp/log")));
        assertBlocked(scan("saved_model.pb", tf2SavedModel(with(denseCall(), print))), "tf.op.file", Severity.CRITICAL);
        ProtoMessage stderr = node("p", "PrintV2", "x").message(5, attr("output_stream", s("stderr")));
        assertAllowed(scan("saved_model.pb", tf2SavedModel(with(denseCall(), stderr))));
    }

    @Test
    void judgesEveryOpValueOfANodeThatRepeatsTheField() {
        assertBlocked(scan("frozen.pb", frozenGraph(node("n", "Relu", "input").string(2, "ReadFile"))),
                "tf.op.denied", Severity.CRITICAL);
    }

    @Test
    void refusesASavedModelThatAlsoCarriesAnOnnxGraph() {
        byte[] saved = tf2SavedModel(denseCall());
        // An ONNX GraphProto at field 7 (node = 1: NodeProto {op_type = 4}): ONNX readers see a graph.
        byte[] polyglot = message().message(7, message().message(1, message().string(4, "Relu"))).build();
        byte[] both = new byte[saved.length + polyglot.length];
        System.arraycopy(saved, 0, both, 0, saved.length);
        System.arraycopy(polyglot, 0, both, saved.length, polyglot.length);
        ScanResult r = scan("saved_model.pb", both);
        assertEquals(List.of("onnx", "tf-savedmodel"), r.formats());
        assertBlocked(r, "tf.ambiguous", Severity.HIGH);
    }

    @Test
    void refusesTruncatedGraph() throws java.io.IOException {
        byte[] saved = Arrays.copyOf(tf2SavedModel(denseCall()), 2000);
        assertBlocked(scan("saved_model.pb", saved), "model.format.unknown", Severity.HIGH); // no reader claims it
        List<dev.safeload.model.Finding> findings = TensorflowCheck.savedModel()
                .check(dev.safeload.model.ModelSource.of("saved_model.pb", saved, null), null);
        assertEquals("tf.malformed", findings.get(0).rule(), findings.toString());
    }

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path temp;

    @Test
    void folderScanTakesTheSaversCheckpointFilesAsTheModelsData() throws java.io.IOException {
        java.nio.file.Path model = java.nio.file.Files.createDirectories(temp.resolve("model"));
        java.nio.file.Files.write(model.resolve("saved_model.pb"), tf2SavedModel(denseCall()));
        java.nio.file.Path variables = java.nio.file.Files.createDirectories(model.resolve("variables"));
        byte[] tensorBytes = {0x3f, (byte) 0x80, 0, 0, 0x40, 0, 0, 0, 0x12, 0x34, 0x56, 0x78};
        java.nio.file.Files.write(variables.resolve("variables.index"), tensorBytes);
        java.nio.file.Files.write(variables.resolve("variables.data-00000-of-00001"), tensorBytes);
        java.nio.file.Files.write(variables.resolve("notes.bin"), tensorBytes);
        // FingerprintDef {saved_model_checksum = 1, ..., checkpoint_hash = 5, version = 6}, as TF 2.12+ writes it.
        java.nio.file.Files.write(model.resolve("fingerprint.pb"), message().varint(1, 1234567).varint(2, 42)
                .varint(3, 43).varint(4, 44).varint(5, 45).message(6, message().varint(1, 1)).build());
        // SavedMetadata {nodes = 1: {node_id = 2, node_path = 3, identifier = 4, metadata = 5}}.
        java.nio.file.Files.write(model.resolve("keras_metadata.pb"), kerasMetadata(DENSE_METADATA));
        java.util.Map<String, ScanResult> byName = new java.util.TreeMap<>();
        for (ScanResult r : new dev.safeload.model.ModelScanner(dev.safeload.model.ModelPolicies.defaults()).scan(model)) {
            byName.put(model.relativize(java.nio.file.Path.of(r.path())).toString(), r);
        }
        assertAllowed(byName.get("saved_model.pb"));
        assertAllowed(byName.get("variables/variables.index"));
        assertAllowed(byName.get("variables/variables.data-00000-of-00001"));
        assertEquals("model.external-data", byName.get("variables/variables.index").findings().get(0).rule());
        assertBlocked(byName.get("variables/notes.bin"), "model.format.unknown", Severity.HIGH);
        assertAllowed(byName.get("fingerprint.pb"));
        assertAllowed(byName.get("keras_metadata.pb"));

        // A frozen graph has no saver: the same files next to it stay unknown content.
        java.nio.file.Files.delete(model.resolve("saved_model.pb"));
        java.nio.file.Files.write(model.resolve("frozen.pb"), frozenGraph());
        for (ScanResult r : new dev.safeload.model.ModelScanner(dev.safeload.model.ModelPolicies.defaults()).scan(model)) {
            if (r.path().endsWith("variables.index")) {
                assertBlocked(r, "model.format.unknown", Severity.HIGH);
            }
        }
    }

    private static final String DENSE_METADATA = "{\"name\": \"dense\", \"trainable\": true, \"expects_training_arg\":"
            + " false, \"dtype\": \"float32\", \"batch_input_shape\": null, \"stateful\": false,"
            + " \"must_restore_from_config\": false, \"class_name\": \"Dense\", \"config\": {\"name\": \"dense\","
            + " \"trainable\": true, \"dtype\": \"float32\", \"units\": 1, \"activation\": \"linear\", \"use_bias\": true,"
            + " \"kernel_initializer\": {\"class_name\": \"GlorotUniform\", \"config\": {\"seed\": null}},"
            + " \"bias_initializer\": {\"class_name\": \"Zeros\", \"config\": {}}}, \"input_spec\": {\"class_name\":"
            + " \"InputSpec\", \"config\": {\"dtype\": null, \"shape\": null, \"ndim\": null, \"max_ndim\": null,"
            + " \"min_ndim\": 2, \"axes\": {\"-1\": 4}}}, \"build_input_shape\": {\"class_name\": \"TensorShape\","
            + " \"items\": [null, 4]}}";

    private static byte[] withKerasMetadata(String metadata) {
        ProtoMessage objectGraph = message().message(1, TfProto.userObject("_tf_keras_sequential", "{\"name\":"
                + " \"sequential\", \"class_name\": \"Sequential\"}")).message(1, TfProto.userObject("_tf_keras_layer",
                metadata));
        ProtoMessage[] nodes = {node("x", "Placeholder"), node("y", "Relu", "x")};
        return TfProto.savedModel(graph(nodes), null, null, null, objectGraph).build();
    }

    @Test
    void judgesTheKerasLayersOfASavedModelLikeAKerasConfig() {
        assertAllowed(scan("saved_model.pb", withKerasMetadata(DENSE_METADATA)));
        String lambda = "{\"name\": \"lambda\", \"class_name\": \"Lambda\", \"config\": {\"name\": \"lambda\","
                + " \"function\": {\"class_name\": \"__tuple__\", \"items\": [\"4wEAAAAAAAAAAAAAAAEAAAAB\", null, null]},"
                + " \"function_type\": \"lambda\", \"module\": \"__main__\"}}";
        assertBlocked(scan("saved_model.pb", withKerasMetadata(lambda)), "keras.lambda", Severity.CRITICAL);
        assertBlocked(scan("saved_model.pb", withKerasMetadata("{\"class_name\": \"Custom>Exfiltrate\"")),
                "keras.config.malformed", Severity.HIGH);
    }

    private static byte[] kerasMetadata(String layerMetadata) {
        return message().message(1, message().varint(2, 1).string(3, "root.layer_with_weights-0")
                .string(4, "_tf_keras_layer").string(5, layerMetadata).message(6, message().varint(1, 2))).build();
    }

    @Test
    void judgesKerasMetadataBesideTheSavedModel() throws java.io.IOException {
        java.nio.file.Path model = java.nio.file.Files.createDirectories(temp.resolve("keras-savedmodel"));
        java.nio.file.Files.write(model.resolve("saved_model.pb"), tf2SavedModel(denseCall()));
        String lambda = "{\"name\": \"lambda\", \"class_name\": \"Lambda\", \"config\": {\"name\": \"lambda\","
                + " \"function\": {\"class_name\": \"__tuple__\", \"items\": [\"4wEAAAAAAAAAAAAAAAEAAAAB\", null,"
                + " null]}, \"function_type\": \"lambda\", \"module\": \"__main__\"}}";
        java.nio.file.Files.write(model.resolve("keras_metadata.pb"), kerasMetadata(lambda));
        for (ScanResult r : new dev.safeload.model.ModelScanner(dev.safeload.model.ModelPolicies.defaults()).scan(model)) {
            if (r.path().endsWith("saved_model.pb")) {
                assertBlocked(r, "keras.lambda", Severity.CRITICAL);
            }
        }
    }
}
