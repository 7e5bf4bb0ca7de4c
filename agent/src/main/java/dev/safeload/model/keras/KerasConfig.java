package dev.safeload.model.keras;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import dev.safeload.model.Finding;
import dev.safeload.model.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Judges a Keras model config (the JSON of {@code model_config} or {@code config.json}) by the
 * objects Keras would rebuild from it. Every object with a {@code class_name} is looked at, at
 * any depth, so a layer nested in {@code Sequential}, {@code Functional}, {@code TimeDistributed}
 * or {@code Bidirectional} is seen like a top-level one. The config is streamed, never held.
 */
public final class KerasConfig {

    private static final int MAX_FINDINGS = 64;

    // Python's json accepts NaN and Infinity, and Keras writes them; duplicate keys would let
    // Python (last wins) and this reader see different objects, so they are refused.
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** Packages that are Keras itself, in its Keras 2, tf.keras and Keras 3 spellings. */
    private static final List<String> KERAS_PACKAGES = List.of("keras", "tf_keras", "tensorflow.keras",
            "tensorflow.python.keras", "keras_hub", "keras_nlp", "keras_cv");

    /**
     * Keras modules whose functions are pure math a config may name (activations, losses,
     * metrics, ops); any other Keras function can have effects: CVE-2025-8747 loaded
     * {@code keras.utils.get_file} through a config to write attacker files.
     */
    private static final Set<String> FUNCTION_MODULES = Set.of("activations", "losses", "metrics", "ops",
            "initializers", "regularizers", "constraints");

    private final String location;
    private final List<Finding> findings;
    private final Set<String> seen = new HashSet<>();
    /** Findings raised so far, whether kept or not: tells whether an object already has one. */
    private int added;

    private KerasConfig(String location, List<Finding> findings) {
        this.location = location;
        this.findings = findings;
    }

    /**
     * Adds a finding to {@code findings} for every object in the config Keras must not rebuild.
     *
     * @throws IOException if the JSON is malformed (a {@code JsonProcessingException})
     */
    public static void inspect(Reader json, String location, List<Finding> findings) throws IOException {
        try (JsonParser parser = JSON.createParser(json)) {
            new KerasConfig(location, findings).document(parser);
        }
    }

    static void inspect(InputStream json, String location, List<Finding> findings) throws IOException {
        try (JsonParser parser = JSON.createParser(json)) {
            new KerasConfig(location, findings).document(parser);
        }
    }

    private void document(JsonParser parser) throws IOException {
        JsonToken first = parser.nextToken();
        if (first != JsonToken.START_OBJECT) {
            throw new com.fasterxml.jackson.core.JsonParseException(parser, "config is not a JSON object");
        }
        value(parser, first, "$");
        if (parser.nextToken() != null) {
            throw new com.fasterxml.jackson.core.JsonParseException(parser, "content after the config object");
        }
    }

    /** Walks one value; for an object, returns what its fields say (a layer's name sits in its config). */
    private Fields value(JsonParser parser, JsonToken token, String path) throws IOException {
        if (token == JsonToken.START_OBJECT) {
            return object(parser, path);
        }
        if (token == JsonToken.START_ARRAY) {
            int index = 0;
            JsonToken next;
            while ((next = parser.nextToken()) != JsonToken.END_ARRAY) {
                if (next == JsonToken.START_OBJECT || next == JsonToken.START_ARRAY) {
                    value(parser, next, path + "[" + index + "]");
                }
                index++;
            }
        }
        return null;
    }

    private Fields object(JsonParser parser, String path) throws IOException {
        String className = null;
        String module = null;
        String registeredName = null;
        String functionType = null;
        Fields fields = new Fields();
        String configText = null;
        Fields config = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            JsonToken token = parser.nextToken();
            if (token == JsonToken.VALUE_STRING) {
                String text = parser.getText();
                switch (key) {
                    case "class_name" -> className = text;
                    case "module" -> module = text;
                    case "registered_name" -> registeredName = text;
                    case "function_type" -> functionType = text;
                    case "name" -> fields.name = text;
                    case "config" -> configText = text;
                    case "function" -> fields.function = text;
                    case "vocabulary" -> fields.vocabularyPath = text;
                    default -> namedFunction(key, text, path);
                }
            } else if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                Fields child = value(parser, token, path + "." + key);
                if (key.equals("config")) {
                    config = child;
                }
            }
        }
        Serialized object = new Serialized(className, module, registeredName, functionType, configText,
                config != null && config.name != null ? config.name : fields.name,
                config != null ? config : new Fields());
        judge(path, object);
        return fields;
    }

    /** The string fields of a config object that say what it would load or call. */
    private static final class Fields {
        String name;
        String function;
        String vocabularyPath;
    }

    /** The fields of one JSON object that say what Keras would rebuild from it. */
    private record Serialized(String className, String module, String registeredName, String functionType,
                              String configText, String name, Fields config) {
    }

    /**
     * A function named by a plain string: {@code "activation": "relu"}, {@code "kernel_initializer":
     * "glorot_uniform"}. Keras resolves it by name in its own modules (Keras 2 in the module's
     * globals, which hold more than math), so the name must be a listed built-in.
     */
    private void namedFunction(String key, String text, String path) {
        boolean functionField = key.equals("activation") || key.endsWith("_activation")
                || key.endsWith("_initializer") || key.endsWith("_regularizer") || key.endsWith("_constraint");
        if (functionField && !KerasBuiltins.isFunction(text) && !KerasBuiltins.isClass(text)) {
            add("keras.unknown-function", Severity.HIGH, path + "." + key, key + " names \"" + clip(text)
                    + "\", which is no Keras built-in; Keras would look that name up and call it");
        }
    }

    private static String clip(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }

    private void judge(String path, Serialized object) {
        int before = added;
        judgeKnownRisks(path, object);
        if (added == before && object.className() != null) {
            judgeBuiltIn(path, object);
        }
    }

    /**
     * Every serialized object must be a listed Keras built-in, by each name Keras may resolve it
     * through: {@code class_name}, {@code registered_name} (looked up first, among registered
     * objects), and for functions the name in {@code config}.
     */
    private void judgeBuiltIn(String path, Serialized object) {
        String className = object.className();
        String what = className + (object.name() == null ? "" : " \"" + object.name() + "\"") + " at " + path;
        if ("function".equals(className)) {
            String fn = object.configText();
            String registered = object.registeredName();
            if (fn == null || !KerasBuiltins.isFunction(fn) || registered != null && !KerasBuiltins.isFunction(registered)) {
                add("keras.unknown-function", Severity.HIGH, path, what + " names function \"" + clip(String.valueOf(fn))
                        + "\"" + (registered == null ? "" : " (registered as \"" + clip(registered) + "\")")
                        + ", which is no Keras built-in activation, loss, metric, initializer or regularizer");
            }
            return;
        }
        if (KerasBuiltins.DATA_CLASSES.contains(className)) {
            return;
        }
        String simple = className.indexOf('>') > 0 && KerasBuiltins.isRegisteredBuiltIn(className)
                ? className.substring(className.indexOf('>') + 1)
                : className.substring(className.lastIndexOf('.') + 1);
        if (KerasBuiltins.FILE_LAYERS.contains(simple)) {
            add("keras.file-layer", Severity.CRITICAL, path, what + " loads a TensorFlow SavedModel from a path in"
                    + " its config, outside the archive; Keras 3 refuses it in safe mode");
            return;
        }
        if (object.module() != null && !KerasBuiltins.isClassModule(object.module())) {
            add("keras.unknown-object", Severity.HIGH, path, what + " comes from module \"" + clip(object.module())
                    + "\", which holds no Keras built-in classes; Keras would import it and take the class from it");
            return;
        }
        if (!KerasBuiltins.isClass(simple) || className.indexOf('.') >= 0 && !className.startsWith("layers.")
                && !className.startsWith("models.")) {
            add("keras.unknown-object", Severity.HIGH, path, what + " is no Keras built-in; rebuilding it"
                    + " imports and runs a class this gate does not know");
            return;
        }
        String registered = object.registeredName();
        if (registered != null && !registered.equals(className) && !KerasBuiltins.isRegisteredBuiltIn(registered)) {
            add("keras.unknown-object", Severity.HIGH, path, what + " is registered as \"" + clip(registered)
                    + "\"; Keras looks registered names up first, so it could rebuild something else");
            return;
        }
        if (KerasBuiltins.LOOKUP_LAYERS.contains(simple) && object.config().vocabularyPath != null) {
            add("keras.vocabulary-file", Severity.CRITICAL, path, what + " reads its vocabulary from the file \""
                    + clip(object.config().vocabularyPath) + "\", outside the archive; Keras 3 refuses that in safe"
                    + " mode (an adapted layer keeps its vocabulary in the archive's assets/)");
        }
        if (KerasBuiltins.TF_OP_LAYERS.contains(simple) && !KerasBuiltins.isTfMathOp(object.config().function)) {
            add("keras.tf-op", Severity.HIGH, path, what + " calls TensorFlow function \""
                    + clip(String.valueOf(object.config().function)) + "\", which is not plain math; the config chooses"
                    + " any tf.* function, file and process ones included");
        }
    }

    /** The findings that name a known way in: Lambda, foreign modules, non-math functions. */
    private void judgeKnownRisks(String path, Serialized object) {
        String className = object.className();
        String module = object.module();
        String registeredName = object.registeredName();
        String what = (className == null ? "object" : className)
                + (object.name() == null ? "" : " \"" + object.name() + "\"") + " at " + path;
        if (isLambda(className) || isLambda(registeredName) || "lambda".equals(object.functionType())) {
            // Children are judged first: the Lambda's own config (function_type) is the same finding.
            String inside = location + ":" + path + ".";
            findings.removeIf(f -> f.rule().equals("keras.lambda") && f.location().startsWith(inside));
            add("keras.lambda", Severity.CRITICAL, path, what + " carries Python bytecode (marshal) that runs when"
                    + " the model is loaded or called");
        }
        if (className == null) {
            return; // "module" and the like are plain data outside a serialized object
        }
        if (className.indexOf('>') > 0 && !isKerasPackage(className) && !KerasBuiltins.isRegisteredBuiltIn(className)) {
            add("keras.custom-object", Severity.HIGH, path, what + " is a custom registered object; rebuilding"
                    + " it runs code from outside Keras");
        }
        if (registeredName != null && registeredName.indexOf('>') > 0 && !isKerasPackage(registeredName)
                && !KerasBuiltins.isRegisteredBuiltIn(registeredName)) {
            add("keras.custom-object", Severity.HIGH, path, what + " is registered as \"" + registeredName
                    + "\", a custom object from outside Keras");
        }
        if (module != null && !isKerasModule(module)) {
            add("keras.module", Severity.HIGH, path, what + " comes from module \"" + module
                    + "\", outside Keras; loading imports that module and runs its code");
        } else if ("function".equals(className) && (module != null && !isMathModule(module)
                || object.configText() != null && object.configText().indexOf('.') >= 0)) {
            add("keras.function", Severity.HIGH, path, what + " names function \"" + object.configText()
                    + "\" of \"" + module + "\", which is not pure math; configs have used such functions to"
                    + " download and write files");
        }
    }

    /**
     * {@code Lambda} however it is spelled for lookup: Keras 3 resolves {@code module + "." +
     * class_name}, so {@code layers.Lambda} under module {@code keras} is the same class, and a
     * registered name is {@code package>Name}.
     */
    private static boolean isLambda(String name) {
        if (name == null) {
            return false;
        }
        String simple = name.substring(Math.max(name.lastIndexOf('.'), name.lastIndexOf('>')) + 1);
        return simple.equals("Lambda") || simple.equals("__lambda__");
    }

    /** {@code pkg>Name} (a registered name) whose package is Keras's own. */
    private static boolean isKerasPackage(String registered) {
        String pkg = registered.substring(0, registered.indexOf('>'));
        return KERAS_PACKAGES.contains(pkg);
    }

    static boolean isKerasModule(String module) {
        for (String pkg : KERAS_PACKAGES) {
            if (module.equals(pkg) || module.startsWith(pkg + ".")) {
                return true;
            }
        }
        return false;
    }

    /** A Keras module of pure functions, such as {@code keras.activations} or {@code keras.src.losses.losses}. */
    private static boolean isMathModule(String module) {
        String[] parts = module.split("\\.");
        for (int i = 1; i < parts.length && i <= 3; i++) {
            if (FUNCTION_MODULES.contains(parts[i])) {
                return true;
            }
            if (!parts[i].equals("src") && !parts[i].equals("keras") && !parts[i].equals("python")) {
                return false;
            }
        }
        return false;
    }

    private void add(String rule, Severity severity, String path, String message) {
        added++;
        if (findings.size() < MAX_FINDINGS && seen.add(rule + path)) {
            findings.add(new Finding(rule, severity, location + ":" + path, message));
        }
    }
}
