package dev.safeload.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

/**
 * The agent's configuration, merged from its sources in this order of precedence:
 * agent options, {@code -Dsafeload.*} system properties, {@code SAFELOAD_*} environment
 * variables, the policy file, a policy embedded in the application jar, then defaults.
 */
public final class Settings {

    /** Manifest attribute of an application jar that names a policy resource inside it. */
    public static final String EMBEDDED_POLICY_ATTRIBUTE = "Safeload-Policy";

    private final Map<ConfigKey, Setting> values;
    private final String policySource;
    private final List<String> warnings;
    private final List<String> overridden;

    private Settings(Map<ConfigKey, Setting> values, String policySource, List<String> warnings, List<String> overridden) {
        this.values = values;
        this.policySource = policySource;
        this.warnings = List.copyOf(warnings);
        this.overridden = List.copyOf(overridden);
    }

    /** Defaults only. */
    public static Settings defaults() {
        return new Settings(new EnumMap<>(ConfigKey.class), "built-in defaults", List.of(), List.of());
    }

    /** Settings from explicit entries, for tests and tools; later entries win. */
    public static Settings of(Map<ConfigKey, Setting> values, String policySource) {
        // Not new EnumMap<>(values): that throws IllegalArgumentException for an empty non-EnumMap,
        // which is what an empty policy file parses to.
        EnumMap<ConfigKey, Setting> copy = new EnumMap<>(ConfigKey.class);
        copy.putAll(values);
        return new Settings(copy, policySource, List.of(), List.of());
    }

    /**
     * Merges every source.
     *
     * @param agentOptions the text after {@code =} in {@code -javaagent:jar=...}, or null
     * @param systemProperties the JVM's system properties
     * @param environment the process environment
     */
    public static Settings resolve(String agentOptions, Properties systemProperties,
                                   Map<String, String> environment) throws ConfigException {
        Map<ConfigKey, Setting> fromAgent = parseAgentOptions(agentOptions);
        Map<ConfigKey, Setting> fromSystem = new EnumMap<>(ConfigKey.class);
        for (String name : systemProperties.stringPropertyNames()) {
            // The first character before startsWith, for the sixty-odd properties of every JVM:
            // with the host's, its calls at start took String.startsWith to the JIT's threshold.
            if (!name.isEmpty() && name.charAt(0) == 's' && name.startsWith("safeload.")) {
                String raw = name.substring("safeload.".length());
                ConfigKey key = ConfigKey.byName(raw);
                if (key == null) {
                    throw new ConfigException("system property -D" + name + ": unknown key \"" + raw + "\"" + suggestion(raw));
                }
                fromSystem.put(key, new Setting(key, systemProperties.getProperty(name).strip(), "system property -D" + name));
            }
        }
        Map<ConfigKey, Setting> fromEnvironment = new EnumMap<>(ConfigKey.class);
        List<String> warnings = new ArrayList<>();
        List<String> strayVariables = new ArrayList<>();
        // The names, not the entries: the process environment's entry views wrap every variable
        // twice, six classes and about 0.2 ms of premain's thread CPU more for 40 variables.
        for (String name : environment.keySet()) {
            if (!name.isEmpty() && name.charAt(0) == 'S' && name.startsWith("SAFELOAD_")) {
                ConfigKey key = ConfigKey.byEnvironmentVariable(name);
                if (key == null) {
                    // The environment is shared by everything in a container (SAFELOAD_DEPLOY_COLOR
                    // from a deploy tool): warn, never stop the JVM. Options, -D and files stay strict.
                    strayVariables.add(name);
                    continue;
                }
                fromEnvironment.put(key, new Setting(key, environment.get(name).strip(), "environment variable " + name));
            }
        }
        if (!strayVariables.isEmpty()) {
            java.util.Collections.sort(strayVariables);
            StringBuilder known = new StringBuilder();
            for (ConfigKey k : ConfigKey.values()) {
                known.append(known.length() == 0 ? "" : ", ").append(k.environmentVariable());
            }
            warnings.add("ignoring environment variable" + (strayVariables.size() == 1 ? " " : "s ")
                    + String.join(", ", strayVariables) + ": not a Safeload key; known: " + known);
        }

        Map<ConfigKey, Setting> merged = new EnumMap<>(ConfigKey.class);
        Setting policy = firstOf(ConfigKey.POLICY, fromAgent, fromSystem, fromEnvironment);
        String policySource = "built-in defaults";
        Map<ConfigKey, Setting> fromFile = Map.of();
        if (policy != null && !policy.value().isEmpty()) {
            fromFile = PolicyFile.read(Path.of(policy.value()));
            policySource = "policy file " + policy.value();
            if (fromFile.isEmpty()) {
                warnings.add("policy file " + policy.value() + " sets no key; the built-in defaults apply");
            }
        } else {
            EmbeddedPolicy embedded = findEmbeddedPolicy(systemProperties);
            if (embedded != null) {
                fromFile = PolicyFile.parse(embedded.bytes(), embedded.name());
                policySource = embedded.name();
            }
        }
        merged.putAll(fromFile);
        merged.putAll(fromEnvironment);
        merged.putAll(fromSystem);
        merged.putAll(fromAgent);
        List<String> overridden = new ArrayList<>();
        for (Setting inFile : fromFile.values()) {
            Setting wins = merged.get(inFile.key());
            if (!wins.value().equals(inFile.value())) {
                overridden.add(inFile.key().key() + "=" + inFile.value() + " (" + inFile.origin() + ") is overridden by "
                        + wins.origin() + " (" + inFile.key().key() + "=" + wins.value() + ")");
            }
        }
        return new Settings(merged, policySource, warnings, overridden);
    }

    /** Problems that do not stop the agent, such as a stray SAFELOAD_* variable or an empty policy file. */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * Keys the policy file (or embedded policy) sets that a higher source overrides with another
     * value, each naming the key, both values and the source that wins.
     */
    public List<String> overridden() {
        return overridden;
    }

    /**
     * Every value that is not a default, with where it came from, on one line:
     * {@code mode=audit (agent option), serial.maxDepth=32 (policy file p line 2)}; or
     * {@code all defaults}.
     */
    public String effectiveSources() {
        StringBuilder line = new StringBuilder();
        for (ConfigKey key : ConfigKey.values()) {
            Setting s = values.get(key);
            if (s != null && !s.value().equals(key.defaultValue())) {
                String value = s.value().length() > 60 ? s.value().substring(0, 57) + "..." : s.value();
                line.append(line.length() == 0 ? "" : ", ").append(key.key()).append('=').append(value)
                        .append(" (").append(s.origin()).append(')');
            }
        }
        return line.length() == 0 ? "all defaults" : line.toString();
    }

    /** The value of {@code key}, or its default (possibly null). */
    public String get(ConfigKey key) {
        Setting s = values.get(key);
        return s != null ? s.value() : key.defaultValue();
    }

    /** The setting for {@code key} with its origin; a default reports {@code default}. */
    public Setting setting(ConfigKey key) {
        Setting s = values.get(key);
        return s != null ? s : new Setting(key, key.defaultValue() == null ? "" : key.defaultValue(), "default");
    }

    /** The policy file or embedded policy in force, or {@code built-in defaults}. */
    public String policySource() {
        return policySource;
    }

    /**
     * {@code later} agent options over {@code earlier} ones, key by key, as one options string:
     * what a second {@code attach} asks for on top of what the agent runs with.
     */
    public static String mergeAgentOptions(String earlier, String later) throws ConfigException {
        Map<ConfigKey, Setting> merged = parseAgentOptions(earlier);
        merged.putAll(parseAgentOptions(later));
        StringBuilder out = new StringBuilder();
        for (Setting s : merged.values()) {
            out.append(out.length() == 0 ? "" : ",").append(s.key().key()).append('=').append(s.value());
        }
        return out.toString();
    }

    static Map<ConfigKey, Setting> parseAgentOptions(String options) throws ConfigException {
        Map<ConfigKey, Setting> result = new EnumMap<>(ConfigKey.class);
        if (options == null || options.isBlank()) {
            return result;
        }
        for (String item : options.split(",")) {
            if (item.isBlank()) {
                continue;
            }
            int eq = item.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("agent option \"" + item.strip() + "\": expected key=value"
                        + " (separate the items of a list with ';', options with ',')");
            }
            String raw = item.substring(0, eq).strip();
            ConfigKey key = ConfigKey.byName(raw);
            if (key == null) {
                throw new ConfigException("agent option \"" + item.strip() + "\": unknown key \"" + raw + "\"" + suggestion(raw));
            }
            if (result.containsKey(key)) {
                throw new ConfigException("agent option \"" + item.strip() + "\": key " + raw + " given twice");
            }
            result.put(key, new Setting(key, item.substring(eq + 1).strip(), "agent option"));
        }
        return result;
    }

    static String suggestion(String raw) {
        for (ConfigKey k : ConfigKey.values()) {
            if (k.key().equalsIgnoreCase(raw)) {
                return "; did you mean \"" + k.key() + "\"?";
            }
        }
        return "; known keys: " + java.util.Arrays.stream(ConfigKey.values())
                .map(ConfigKey::key).reduce((a, b) -> a + ", " + b).orElse("");
    }

    @SafeVarargs
    private static Setting firstOf(ConfigKey key, Map<ConfigKey, Setting>... sources) {
        for (Map<ConfigKey, Setting> source : sources) {
            Setting s = source.get(key);
            if (s != null) {
                return s;
            }
        }
        return null;
    }

    private record EmbeddedPolicy(String name, byte[] bytes) {
    }

    /** The application jar {@link #findEmbeddedPolicy} read, held open: the first one only. */
    private static JarFile heldApplicationJar;

    private static synchronized boolean holdOpen(JarFile jar) {
        if (heldApplicationJar != null) {
            return false;
        }
        heldApplicationJar = jar;
        return true;
    }

    /**
     * A policy the application ships in its own jar, named by the {@code Safeload-Policy}
     * manifest attribute of the jar started with {@code java -jar}. It is as trusted as the
     * application's code, and any other source overrides it.
     */
    private static EmbeddedPolicy findEmbeddedPolicy(Properties systemProperties) throws ConfigException {
        String classPath = systemProperties.getProperty("java.class.path", "");
        String command = systemProperties.getProperty("sun.java.command", "");
        if (!classPath.endsWith(".jar") || classPath.contains(java.io.File.pathSeparator)
                || !command.startsWith(classPath)) {
            return null;
        }
        JarFile jar;
        try {
            jar = new JarFile(classPath, false);
        } catch (IOException e) {
            return null;
        }
        // This JVM's own jar stays open: the launcher and the application class loader open it
        // next, and while one JarFile of it is open the JDK shares its central directory with
        // theirs; closed here, it would be read again (about 10 ms for a 9,000-entry jar read
        // by interpreted code at start). The loader holds it open for the JVM's life anyway.
        boolean hold = classPath.equals(System.getProperty("java.class.path")) && holdOpen(jar);
        try {
            Manifest manifest = jar.getManifest();
            String resource = manifest == null ? null : manifest.getMainAttributes().getValue(EMBEDDED_POLICY_ATTRIBUTE);
            if (resource == null) {
                return null;
            }
            String name = "policy embedded in " + classPath + "!/" + resource;
            ZipEntry entry = jar.getEntry(resource);
            if (entry == null) {
                throw new ConfigException(name + ": the manifest names it but the jar has no such entry");
            }
            try (InputStream in = jar.getInputStream(entry)) {
                return new EmbeddedPolicy(name, in.readNBytes(1 << 20));
            }
        } catch (IOException e) {
            return null;
        } finally {
            if (!hold) {
                try {
                    jar.close();
                } catch (IOException e) {
                    // nothing was read from it that a failed close takes back
                }
            }
        }
    }
}
