package dev.safeload.model.onnx;

import dev.safeload.model.read.WireReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an ONNX {@code ModelProto} with a protobuf wire reader ({@link WireReader}), keeping only what the checks
 * need: every tensor's external-data locations, the operator domains in use and the model-local
 * functions. Field numbers are those of {@code onnx.proto}; everything else, tensor bytes
 * included, is skipped unread.
 */
final class OnnxModelWalker {

    /** Subgraphs nest through If/Loop/Scan attributes; real models stay in single digits. */
    static final int MAX_DEPTH = 64;
    /** Domains, op types, tensor names and locations are short; longer ones are not followed. */
    static final int MAX_STRING = 64 * 1024;
    /** Bounds on what is remembered, so a model of a million nodes costs little memory. */
    static final int MAX_REMEMBERED = 10_000;

    private static final int LEN = WireReader.LENGTH_DELIMITED;
    private static final int VARINT = WireReader.VARINT;

    // ModelProto
    private static final int MODEL_OPSET_IMPORT = tag(8, LEN);
    private static final int MODEL_GRAPH = tag(7, LEN);
    private static final int MODEL_TRAINING_INFO = tag(20, LEN);
    private static final int MODEL_FUNCTIONS = tag(25, LEN);
    // OperatorSetIdProto
    private static final int OPSET_DOMAIN = tag(1, LEN);
    // TrainingInfoProto
    private static final int TRAINING_INITIALIZATION = tag(1, LEN);
    private static final int TRAINING_ALGORITHM = tag(2, LEN);
    // GraphProto
    private static final int GRAPH_NODE = tag(1, LEN);
    private static final int GRAPH_INITIALIZER = tag(5, LEN);
    private static final int GRAPH_SPARSE_INITIALIZER = tag(15, LEN);
    // NodeProto
    private static final int NODE_NAME = tag(3, LEN);
    private static final int NODE_OP_TYPE = tag(4, LEN);
    private static final int NODE_ATTRIBUTE = tag(5, LEN);
    private static final int NODE_DOMAIN = tag(7, LEN);
    // AttributeProto
    private static final int ATTR_NAME = tag(1, LEN);
    private static final int ATTR_T = tag(5, LEN);
    private static final int ATTR_G = tag(6, LEN);
    private static final int ATTR_TENSORS = tag(10, LEN);
    private static final int ATTR_GRAPHS = tag(11, LEN);
    private static final int ATTR_SPARSE_TENSOR = tag(22, LEN);
    private static final int ATTR_SPARSE_TENSORS = tag(23, LEN);
    // SparseTensorProto
    private static final int SPARSE_VALUES = tag(1, LEN);
    private static final int SPARSE_INDICES = tag(2, LEN);
    // TensorProto
    private static final int TENSOR_NAME = tag(8, LEN);
    private static final int TENSOR_EXTERNAL_DATA = tag(13, LEN);
    private static final int TENSOR_DATA_LOCATION = tag(14, VARINT);
    // StringStringEntryProto
    private static final int ENTRY_KEY = tag(1, LEN);
    private static final int ENTRY_VALUE = tag(2, LEN);
    // FunctionProto
    private static final int FUNCTION_NAME = tag(1, LEN);
    private static final int FUNCTION_NODE = tag(7, LEN);
    private static final int FUNCTION_OPSET_IMPORT = tag(9, LEN);
    private static final int FUNCTION_DOMAIN = tag(10, LEN);
    private static final int FUNCTION_ATTRIBUTE_PROTO = tag(11, LEN);

    /** DataLocation.EXTERNAL. */
    private static final int EXTERNAL = 1;

    /** One tensor whose bytes live in another file. */
    record ExternalTensor(String where, String location, boolean declaredExternal) {
    }

    /** A tensor that says its data is external but names no file. */
    record MissingLocation(String where) {
    }

    private final WireReader in;
    final List<ExternalTensor> externalTensors = new ArrayList<>();
    final List<MissingLocation> missingLocations = new ArrayList<>();
    final Set<String> importedDomains = new LinkedHashSet<>();
    /** Domain to the op types nodes use from it. */
    final Map<String, Set<String>> usedOps = new LinkedHashMap<>();
    /** Domain to the names of model-local functions defined in it. */
    final Map<String, Set<String>> localFunctions = new LinkedHashMap<>();
    private int remembered;

    OnnxModelWalker(WireReader in) {
        this.in = in;
    }

    /** Reads the whole model; throws {@link IOException} subclasses for anything malformed. */
    void walkModel() throws IOException {
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (tag == MODEL_GRAPH) {
                long limit = enter();
                graph("graph", 1);
                leave(limit);
            } else if (tag == MODEL_OPSET_IMPORT) {
                long limit = enter();
                opset(importedDomains);
                leave(limit);
            } else if (tag == MODEL_TRAINING_INFO) {
                long limit = enter();
                trainingInfo();
                leave(limit);
            } else if (tag == MODEL_FUNCTIONS) {
                long limit = enter();
                function();
                leave(limit);
            } else {
                skip(tag);
            }
        }
    }

    private void trainingInfo() throws IOException {
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (tag == TRAINING_INITIALIZATION) {
                long limit = enter();
                graph("training_info/initialization", 1);
                leave(limit);
            } else if (tag == TRAINING_ALGORITHM) {
                long limit = enter();
                graph("training_info/algorithm", 1);
                leave(limit);
            } else {
                skip(tag);
            }
        }
    }

    private void opset(Set<String> domains) throws IOException {
        String domain = "";
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (tag == OPSET_DOMAIN) {
                domain = string();
            } else {
                skip(tag);
            }
        }
        remember(domains, domain);
    }

    private void function() throws IOException {
        String name = "";
        String domain = "";
        String where = "function";
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (tag == FUNCTION_NAME) {
                name = string();
                where = "function[" + name + "]";
            } else if (tag == FUNCTION_DOMAIN) {
                domain = string();
            } else if (tag == FUNCTION_NODE) {
                long limit = enter();
                node(where, 1);
                leave(limit);
            } else if (tag == FUNCTION_OPSET_IMPORT) {
                long limit = enter();
                opset(importedDomains);
                leave(limit);
            } else if (tag == FUNCTION_ATTRIBUTE_PROTO) {
                long limit = enter();
                attribute(where, 1);
                leave(limit);
            } else {
                skip(tag);
            }
        }
        remember(setIn(localFunctions, domain), name);
    }

    private void graph(String where, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new OnnxFormatException("subgraphs nest deeper than " + MAX_DEPTH);
        }
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (tag == GRAPH_NODE) {
                long limit = enter();
                node(where, depth);
                leave(limit);
            } else if (tag == GRAPH_INITIALIZER) {
                long limit = enter();
                tensor(where + "/initializer");
                leave(limit);
            } else if (tag == GRAPH_SPARSE_INITIALIZER) {
                long limit = enter();
                sparseTensor(where + "/sparse_initializer");
                leave(limit);
            } else {
                skip(tag);
            }
        }
    }

    private void node(String graph, int depth) throws IOException {
        String name = "";
        String opType = "";
        String domain = "";
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (tag == NODE_NAME) {
                name = string();
            } else if (tag == NODE_OP_TYPE) {
                opType = string();
            } else if (tag == NODE_DOMAIN) {
                domain = string();
            } else if (tag == NODE_ATTRIBUTE) {
                String where = graph + "/node[" + (name.isEmpty() ? opType : name) + "]";
                long limit = enter();
                attribute(where, depth);
                leave(limit);
            } else {
                skip(tag);
            }
        }
        remember(setIn(usedOps, domain), opType);
    }

    private void attribute(String where, int depth) throws IOException {
        String name = "";
        int tag;
        while ((tag = in.readTag()) != 0) {
            String at = where + "/" + name;
            if (tag == ATTR_NAME) {
                name = string();
            } else if (tag == ATTR_T || tag == ATTR_TENSORS) {
                long limit = enter();
                tensor(at);
                leave(limit);
            } else if (tag == ATTR_SPARSE_TENSOR || tag == ATTR_SPARSE_TENSORS) {
                long limit = enter();
                sparseTensor(at);
                leave(limit);
            } else if (tag == ATTR_G || tag == ATTR_GRAPHS) {
                long limit = enter();
                graph(at, depth + 1);
                leave(limit);
            } else {
                skip(tag);
            }
        }
    }

    private void sparseTensor(String where) throws IOException {
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (tag == SPARSE_VALUES) {
                long limit = enter();
                tensor(where + "/values");
                leave(limit);
            } else if (tag == SPARSE_INDICES) {
                long limit = enter();
                tensor(where + "/indices");
                leave(limit);
            } else {
                skip(tag);
            }
        }
    }

    private void tensor(String where) throws IOException {
        String name = "";
        List<String> locations = new ArrayList<>(1);
        boolean external = false;
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (tag == TENSOR_NAME) {
                name = string();
            } else if (tag == TENSOR_EXTERNAL_DATA) {
                long limit = enter();
                String[] entry = entry();
                if (entry[0].equals("location")) {
                    locations.add(entry[1]);
                }
                leave(limit);
            } else if (tag == TENSOR_DATA_LOCATION) {
                external = in.readEnum() == EXTERNAL;
            } else {
                skip(tag);
            }
        }
        String at = where + "[" + name + "]";
        // Checked even when data_location is not EXTERNAL: readers differ on which field wins.
        for (String location : locations) {
            if (externalTensors.size() < MAX_REMEMBERED) {
                externalTensors.add(new ExternalTensor(at, location, external));
            }
        }
        if (external && locations.isEmpty() && missingLocations.size() < MAX_REMEMBERED) {
            missingLocations.add(new MissingLocation(at));
        }
    }

    private String[] entry() throws IOException {
        String key = "";
        String value = "";
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (tag == ENTRY_KEY) {
                key = string();
            } else if (tag == ENTRY_VALUE) {
                value = string();
            } else {
                skip(tag);
            }
        }
        return new String[] {key, value};
    }

    /*
     * A length-delimited submessage is read between enter() and leave(), not by a body handed to
     * one method: ten lambdas made five lambda classes and their method handles on the first ONNX
     * load, which is usually the host's start (about 3 ms of CPU).
     */

    /** Starts one length-delimited submessage; the limit to hand to {@link #leave}. */
    private long enter() throws IOException {
        int length = in.readRawVarint32();
        return in.pushLimit(length);
    }

    /** Ends the submessage {@link #enter} started, checking it ended where it said. */
    private void leave(long limit) throws IOException {
        if (!in.isAtEnd()) {
            throw new OnnxFormatException("submessage ended before its declared length");
        }
        in.popLimit(limit);
    }

    private String string() throws IOException {
        int length = in.readRawVarint32();
        if (length < 0 || length > MAX_STRING) {
            throw new OnnxFormatException("string field of " + length + " bytes is longer than "
                    + MAX_STRING);
        }
        return new String(in.readRawBytes(length), StandardCharsets.UTF_8);
    }

    private void skip(int tag) throws IOException {
        if (!in.skipField(tag)) {
            throw new OnnxFormatException("unexpected end-group tag");
        }
    }

    /** The set under {@code key}, made if missing; written out, as computeIfAbsent's lambda would be a class of its own. */
    private static Set<String> setIn(Map<String, Set<String>> map, String key) {
        Set<String> set = map.get(key);
        if (set == null) {
            set = new LinkedHashSet<>();
            map.put(key, set);
        }
        return set;
    }

    private <T> void remember(Set<T> set, T value) {
        if (remembered < MAX_REMEMBERED && set.add(value)) {
            remembered++;
        }
    }

    private static int tag(int field, int wireType) {
        return field << 3 | wireType;
    }
}
