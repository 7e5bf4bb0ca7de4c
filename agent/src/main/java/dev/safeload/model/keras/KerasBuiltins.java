package dev.safeload.model.keras;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The Keras built-ins of {@code builtins.txt}, and the few classes judged by their config too. */
final class KerasBuiltins {

    private static final Set<String> CLASSES = new HashSet<>();
    private static final Set<String> FUNCTIONS = new HashSet<>();

    static {
        try (InputStream in = KerasBuiltins.class.getResourceAsStream("builtins.txt");
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split(" ");
                (parts[0].equals("class") ? CLASSES : FUNCTIONS).add(parts[1]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Class names Keras turns into plain values (tensors, arrays, bytes, slices), never code. */
    static final Set<String> DATA_CLASSES = Set.of("__keras_tensor__", "__tensor__", "__numpy__", "__bytes__",
            "__ellipsis__", "__slice__",
            // tf.keras json_utils decodes these to shapes, tuples and registered type specs, never code
            "TensorShape", "__tuple__", "TypeSpec");

    /** Layers that load a model from a path in their config. */
    static final Set<String> FILE_LAYERS = Set.of("TFSMLayer");

    /** Layers whose {@code vocabulary} may be a file path, read when the layer is built. */
    static final Set<String> LOOKUP_LAYERS = Set.of("StringLookup", "IntegerLookup", "TextVectorization");

    /** tf.keras layers that call the TensorFlow function their config names. */
    static final Set<String> TF_OP_LAYERS = Set.of("TFOpLambda", "SlicingOpLambda");

    /**
     * tf.keras 2.11+ writes its optimizers as {@code Custom>Adam} into H5 training configs (they are
     * registered under the default package); only those names are taken as built-ins.
     */
    private static final Set<String> CUSTOM_PACKAGE_OPTIMIZERS = Set.of("Adam", "AdamW", "SGD", "RMSprop",
            "Adagrad", "Adadelta", "Adamax", "Nadam", "Ftrl", "Lion", "Adafactor");

    /** TensorFlow namespaces of pure tensor math a TFOpLambda may call. */
    private static final Set<String> TF_MATH_PREFIXES = Set.of("math.", "nn.", "linalg.", "signal.",
            "__operators__.");
    private static final Set<String> TF_MATH_NAMES = Set.of("reshape", "concat", "transpose", "expand_dims",
            "squeeze", "stack", "unstack", "cast", "identity", "shape", "size", "rank", "tile", "gather",
            "gather_nd", "where", "clip_by_value", "split", "pad", "one_hot", "range", "zeros_like", "ones_like",
            "zeros", "ones", "fill", "broadcast_to", "einsum", "matmul", "argmax", "argmin", "reverse", "roll",
            "slice", "strided_slice", "boolean_mask", "sort", "argsort", "cumsum", "reduce_sum", "reduce_mean",
            "reduce_max", "reduce_min", "reduce_prod", "abs", "square", "sqrt", "exp", "stop_gradient",
            "convert_to_tensor", "image.resize");

    /** Where Keras keeps its built-ins, under each spelling of the package (Keras 3, tf.keras, tf_keras). */
    private static final List<String> PACKAGE_ROOTS = List.of("keras.src.", "keras.", "tf_keras.src.", "tf_keras.",
            "tensorflow.python.keras.", "tensorflow.keras.");
    private static final Set<String> CLASS_MODULES = Set.of("layers", "models", "engine", "initializers",
            "regularizers", "constraints", "optimizers", "losses", "metrics", "activations", "dtype_policies",
            "mixed_precision", "premade", "feature_column");

    private KerasBuiltins() {
    }

    /**
     * Whether a class's {@code module} is one where Keras keeps built-in classes: the package
     * itself ({@code keras}), or a module under layers, models, initializers and the like. Keras
     * imports the module and takes the class from it, so a listed name in another module (say
     * {@code keras.src.utils}) could be something else.
     */
    static boolean isClassModule(String module) {
        if (module.equals("keras") || module.equals("tf_keras") || module.equals("tensorflow.keras")) {
            return true;
        }
        for (String root : PACKAGE_ROOTS) {
            if (module.startsWith(root)) {
                String rest = module.substring(root.length());
                int dot = rest.indexOf('.');
                return CLASS_MODULES.contains(dot < 0 ? rest : rest.substring(0, dot));
            }
        }
        return false;
    }

    static boolean isClass(String name) {
        return CLASSES.contains(name) || TF_OP_LAYERS.contains(name);
    }

    static boolean isFunction(String name) {
        return FUNCTIONS.contains(name);
    }

    /** A {@code registered_name} that can only resolve to a built-in. */
    static boolean isRegisteredBuiltIn(String registered) {
        if (registered.startsWith("keras>")) {
            return isClass(registered.substring(6));
        }
        if (registered.startsWith("Custom>")) {
            return CUSTOM_PACKAGE_OPTIMIZERS.contains(registered.substring(7));
        }
        return isClass(registered);
    }

    static boolean isTfMathOp(String function) {
        if (function == null) {
            return false;
        }
        if (TF_MATH_NAMES.contains(function)) {
            return true;
        }
        for (String prefix : TF_MATH_PREFIXES) {
            if (function.startsWith(prefix) && function.indexOf('.', prefix.length()) < 0) {
                return true;
            }
        }
        return false;
    }
}
