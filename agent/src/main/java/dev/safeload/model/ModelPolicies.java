package dev.safeload.model;

import dev.safeload.config.ConfigException;
import dev.safeload.policy.ClassPatterns;
import dev.safeload.policy.Presets;
import dev.safeload.policy.SerialLimits;
import dev.safeload.policy.SerialPolicy;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Builds {@link ModelPolicy} snapshots: the documented defaults, and the {@code model.*} keys of
 * a policy file layered on them.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code model.allowFormats}</td><td>{@link #DEFAULT_FORMATS}</td>
 *       <td>formats that may load at all; replaces the default list</td></tr>
 *   <tr><td>{@code model.pickle.allow}</td><td>empty</td>
 *       <td>Python globals a pickle may import besides the built-in tensor rebuilders, JDK
 *       pattern syntax ({@code sklearn.**}); {@code !pattern} refuses one</td></tr>
 *   <tr><td>{@code model.trustedDirs}</td><td>empty</td><td>folders whose files are not checked</td></tr>
 *   <tr><td>{@code model.sha256}</td><td>empty</td><td>digests of files allowed without checks</td></tr>
 * </table>
 * Lists are separated by {@code ;} or {@code ,}; formats, patterns and digests also by spaces.
 */
public final class ModelPolicies {

    public static final String ALLOW_FORMATS = "model.allowFormats";
    public static final String PICKLE_ALLOW = "model.pickle.allow";
    public static final String TRUSTED_DIRS = "model.trustedDirs";
    public static final String SHA256 = "model.sha256";

    /** Every {@code model.*} key this class reads. */
    public static final List<String> KEYS = List.of(ALLOW_FORMATS, PICKLE_ALLOW, TRUSTED_DIRS, SHA256);

    /**
     * Formats allowed by default: those that cannot carry code (safetensors, gguf, onnx, TensorFlow
     * graphs whose every op is allowlisted, numeric NumPy, Keras without Lambda layers), the pickle-bearing ones, which still pass only when
     * every import is allowlisted, Java serialization, which passes only when every class the
     * stream names passes the serial policy, the compressions joblib and others wrap them in, whose
     * content is checked in turn, and the JVM libraries' own formats (H2O MOJO, XGBoost, PMML,
     * DL4J), each of which passes only when its check reads it to the end.
     */
    public static final List<String> DEFAULT_FORMATS = List.of(
            "safetensors", "gguf", "onnx", "tf-savedmodel", "tf-graphdef", "numpy", "npz", "keras-h5", "keras-v3",
            "pytorch-zip", "pytorch-legacy", "torchscript", "pickle", "joblib", "numpy-object",
            "gzip", "bz2", "xz", "lzma", "zlib", "lz4", "zstd", "joblib-zfile", "java-serialization",
            "h2o-mojo", "xgboost", "pmml", "dl4j");

    // Compiled where a setting is read, not when the default policy is made at a server's first model load.
    private static final String FORMAT_ID = "[a-z0-9][a-z0-9._-]*";
    private static final String HEX64 = "[0-9a-f]{64}";

    private ModelPolicies() {
    }

    /** The default policy: {@link #DEFAULT_FORMATS}, the built-in pickle allowlist, nothing trusted or pinned. */
    public static ModelPolicy defaults() {
        return new ModelPolicy(Set.copyOf(DEFAULT_FORMATS), ClassPatterns.empty(), ClassPatterns.empty(), List.of(),
                Set.of(), defaultSerial());
    }

    /** {@link #parse(Map, SerialPolicy)} with the default Java serialization policy. */
    public static ModelPolicy parse(Map<String, String> settings) throws ConfigException {
        return parse(settings, defaultSerial());
    }

    /**
     * The defaults changed by the {@code model.*} entries of {@code settings}; other keys are
     * ignored, an unknown {@code model.*} key is an error.
     *
     * @throws ConfigException naming the key and what is wrong with its value
     */
    public static ModelPolicy parse(Map<String, String> settings, SerialPolicy serial) throws ConfigException {
        for (String key : settings.keySet()) {
            if (key.startsWith("model.") && !KEYS.contains(key)) {
                throw new ConfigException("unknown key \"" + key + "\"; model keys are " + String.join(", ", KEYS));
            }
        }
        Set<String> formats = new LinkedHashSet<>(DEFAULT_FORMATS);
        String value = settings.get(ALLOW_FORMATS);
        if (value != null) {
            formats.clear();
            for (String f : items(value, true)) {
                String id = f.toLowerCase(Locale.ROOT);
                if (!Pattern.matches(FORMAT_ID, id)) {
                    throw new ConfigException(ALLOW_FORMATS + ": \"" + f + "\" is not a format id such as pickle or safetensors");
                }
                formats.add(id);
            }
        }

        ClassPatterns allow = ClassPatterns.empty(); // added to the built-in lists at the first pickle (ModelPolicy)
        ClassPatterns deny = ClassPatterns.empty();
        value = settings.get(PICKLE_ALLOW);
        if (value != null) {
            List<String> allowed = new ArrayList<>();
            List<String> denied = new ArrayList<>();
            for (String p : items(value, true)) {
                (p.startsWith("!") ? denied : allowed).add(p.startsWith("!") ? p.substring(1) : p);
            }
            try {
                allow = ClassPatterns.of(allowed);
                deny = ClassPatterns.of(denied);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(PICKLE_ALLOW + ": " + e.getMessage(), e);
            }
        }

        List<Path> trusted = new ArrayList<>();
        value = settings.get(TRUSTED_DIRS);
        if (value != null) {
            for (String dir : items(value, false)) {
                try {
                    trusted.add(Path.of(dir).toAbsolutePath().normalize());
                } catch (InvalidPathException e) {
                    throw new ConfigException(TRUSTED_DIRS + ": \"" + dir + "\" is not a path: " + e.getReason(), e);
                }
            }
        }

        Set<String> pins = new LinkedHashSet<>();
        value = settings.get(SHA256);
        if (value != null) {
            for (String digest : items(value, true)) {
                String hex = digest.toLowerCase(Locale.ROOT);
                if (hex.startsWith("sha256:")) {
                    hex = hex.substring(7);
                }
                if (!Pattern.matches(HEX64, hex)) {
                    throw new ConfigException(SHA256 + ": \"" + digest + "\" is not a SHA-256 digest (64 hex digits)");
                }
                pins.add(hex);
            }
        }
        return new ModelPolicy(Set.copyOf(formats), allow, deny, List.copyOf(trusted), Set.copyOf(pins), serial);
    }

    private static List<String> items(String value, boolean spaces) {
        List<String> out = new ArrayList<>();
        for (String item : value.split(spaces ? "[;,\\s]+" : "[;,]")) {
            String t = item.strip();
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }

    private static SerialPolicy defaultSerial() {
        return new SerialPolicy(Presets.defaultAllow(), Presets.gadgetDeny(), SerialLimits.DEFAULTS);
    }
}
