package dev.safeload.config;

import java.util.Locale;
import java.util.Map;

/**
 * Every configuration key the agent knows, with its default and meaning. The README's table
 * is this enum. A key may be set as an agent option, a {@code -Dsafeload.<key>} system
 * property, a {@code SAFELOAD_<KEY>} environment variable or a policy-file entry.
 */
public enum ConfigKey {
    MODE("mode", "enforce", "enforce refuses what the policy forbids; audit only logs it; off installs nothing"),
    POLICY("policy", null, "Path of a policy file in Java properties format (not settable inside a policy file)"),
    LOG("log", "safeload-violations.jsonl", "Violation log: a file path (rolled daily and at log.maxFileSize), stdout or stderr"),
    LOG_MAX_FILE_SIZE("log.maxFileSize", "50MB", "Size at which the violation log rolls over (KB, MB or GB)"),
    LOG_MAX_HISTORY("log.maxHistory", "30", "Days of rolled, gzip-compressed violation logs to keep"),
    LOG_RATE_LIMIT("log.rateLimit", "20", "Identical events (same class, rule and call site) logged per minute; the rest are counted"),
    SERVICE_NAME("service.name", null, "service.name on every event; default OTEL_SERVICE_NAME, then service.name in OTEL_RESOURCE_ATTRIBUTES"),
    SERVICE_VERSION("service.version", null, "service.version on every event; default service.version in OTEL_RESOURCE_ATTRIBUTES"),
    SERVICE_ENVIRONMENT("service.environment", null, "service.environment on every event; default deployment.environment.name (or deployment.environment) in OTEL_RESOURCE_ATTRIBUTES"),
    JMX("jmx", "true", "Register the dev.safeload:type=Agent MBean (mode, policy digest, counters) in the platform MBean server"),
    ON_CONFIG_ERROR("onConfigError", "fail", "fail: an invalid option or policy stops the JVM; defaults: warn and start with the built-in policy"),
    SERIAL_ALLOW("serial.allow", "", "Extra allowed classes, JDK pattern syntax (a.B, a.*, a.**, a.Pre*), separated by ';' (',' too outside agent options)"),
    SERIAL_DENY("serial.deny", "", "Refused classes, same syntax; deny always wins over allow"),
    SERIAL_PRESETS("serial.presets", "", "Built-in allowlists to add: weka, smile, tribuo, corenlp"),
    SERIAL_MAX_DEPTH("serial.maxDepth", "64", "Deepest object nesting in one stream, SnakeYAML document or above a Jackson typed value"),
    SERIAL_MAX_REFS("serial.maxRefs", "1000000", "Most object references in one stream"),
    SERIAL_MAX_BYTES("serial.maxBytes", "1073741824", "Most bytes read from one stream"),
    SERIAL_MAX_ARRAY("serial.maxArray", "10000000", "Longest array, in elements, one stream may allocate"),
    SERIAL_ALLOW_WITHOUT_CONSTRUCTOR("serial.allowWithoutConstructor", "", "Allowed classes that are not Serializable which Kryo and Hessian may still build without running a constructor, same syntax"),
    XMLDECODER_ALLOW_METHODS("xmldecoder.allowMethods", "", "Methods an XMLDecoder document may call beyond the defaults (constructors, bean accessors, add/put of collections), as exact Class.method entries"),
    MODEL_ALLOW_FORMATS("model.allowFormats", "", "Model formats that may load at all; empty means the documented defaults (every format whose contents pass)"),
    MODEL_PICKLE_ALLOW("model.pickle.allow", "", "Extra Python globals a pickle may import, JDK pattern syntax (sklearn.**); !pattern refuses one"),
    MODEL_TRUSTED_DIRS("model.trustedDirs", "", "Folders whose model files are not checked"),
    MODEL_SHA256("model.sha256", "", "SHA-256 digests of model files allowed without checks"),
    MODEL_HOOKS("model.hooks", "", "Extra model-loading methods to check, as class#method(argumentIndex)"),
    MODEL_ALLOW_NATIVE_LIBRARIES("model.allowNativeLibraries", "false", "Let ONNX Runtime custom-op libraries and TensorFlow op libraries load native code"),
    RUNTIME_ALLOW_LOOSENING("runtime.allowLoosening", "false", "true lets a policy reload, JMX or a second attach lower protection at run time; settable only at start (agent option, -D or environment, not a policy file)");

    private static final Map<String, ConfigKey> BY_NAME = new java.util.HashMap<>();

    static {
        for (ConfigKey key : values()) {
            BY_NAME.put(key.key, key); // a loop, not a stream: this runs in premain
        }
    }

    private final String key;
    private final String defaultValue;
    private final String meaning;

    ConfigKey(String key, String defaultValue, String meaning) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.meaning = meaning;
    }

    /** The key as written in agent options and policy files, e.g. {@code serial.maxDepth}. */
    public String key() {
        return key;
    }

    /** The default value, or null when there is none. */
    public String defaultValue() {
        return defaultValue;
    }

    public String meaning() {
        return meaning;
    }

    /** {@code safeload.serial.maxDepth} */
    public String systemProperty() {
        return "safeload." + key;
    }

    /** {@code SAFELOAD_SERIAL_MAXDEPTH} */
    public String environmentVariable() {
        return "SAFELOAD_" + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    /** The key named {@code name}, or null. */
    public static ConfigKey byName(String name) {
        return BY_NAME.get(name);
    }

    /** The key whose environment variable is {@code name}, or null. */
    public static ConfigKey byEnvironmentVariable(String name) {
        for (ConfigKey k : values()) {
            if (k.environmentVariable().equals(name)) {
                return k;
            }
        }
        return null;
    }
}
