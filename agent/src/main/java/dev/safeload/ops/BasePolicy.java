package dev.safeload.ops;

import dev.safeload.config.ConfigException;
import dev.safeload.config.ConfigKey;
import dev.safeload.config.PolicyCompiler;
import dev.safeload.config.PolicyFile;
import dev.safeload.config.Setting;
import dev.safeload.config.Settings;
import dev.safeload.policy.Policy;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The policy {@code learn --base} starts from: its text, kept as written except for the keys
 * learn rewrites, and its compiled form, which says what it already allows or refuses.
 */
public final class BasePolicy {

    private final Path path;
    private final String text;
    private final Map<ConfigKey, Setting> settings;
    private final Policy policy;

    private BasePolicy(Path path, String text, Map<ConfigKey, Setting> settings, Policy policy) {
        this.path = path;
        this.text = text;
        this.settings = settings;
        this.policy = policy;
    }

    /** No base: the agent's built-in policy decides what is already allowed. */
    public static BasePolicy none() {
        try {
            return new BasePolicy(null, "", Map.of(), PolicyCompiler.compile(Settings.defaults()));
        } catch (ConfigException e) {
            throw new IllegalStateException("the built-in policy does not compile", e);
        }
    }

    /** Reads and compiles {@code path} exactly as the agent would. */
    public static BasePolicy read(Path path) throws ConfigException {
        Map<ConfigKey, Setting> settings = PolicyFile.read(path);
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("policy file " + path + ": cannot read it: " + e.getMessage(), e);
        }
        Policy policy = PolicyCompiler.compile(Settings.of(settings, "policy file " + path));
        return new BasePolicy(path, text, settings, policy);
    }

    /** The file, or null for none. */
    public Path path() {
        return path;
    }

    public Policy policy() {
        return policy;
    }

    /** The list items of {@code key} (for serial.allow including {@code !pattern} entries), in order. */
    public List<String> items(String key) {
        ConfigKey k = ConfigKey.byName(key);
        Setting s = k == null ? null : settings.get(k);
        return s == null ? List.of() : PolicyCompiler.list(s.value());
    }

    /**
     * The file's text without the entries of {@code keys}, each with its continuation lines;
     * comments, blank lines and every other entry stay exactly as written.
     */
    public String textWithout(Set<String> keys) {
        if (text.isEmpty()) {
            return "";
        }
        StringBuilder kept = new StringBuilder();
        String[] lines = text.split("\r\n|\r|\n", -1);
        int count = text.endsWith("\n") || text.endsWith("\r") ? lines.length - 1 : lines.length;
        for (int i = 0; i < count; i++) {
            String trimmed = lines[i].strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith("!")) {
                kept.append(lines[i]).append('\n');
                continue;
            }
            // Same logical-line rule as PolicyFile: a line ending in an odd number of '\' continues.
            int first = i;
            StringBuilder logical = new StringBuilder(lines[i]);
            while (endsWithContinuation(lines[i]) && i + 1 < count) {
                i++;
                logical.append('\n').append(lines[i]);
            }
            Properties one = new Properties();
            try {
                one.load(new StringReader(logical.toString()));
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalStateException("policy file " + path + " line " + (first + 1)
                        + " parsed before but not now", e);
            }
            if (one.stringPropertyNames().stream().noneMatch(keys::contains)) {
                for (int j = first; j <= i; j++) {
                    kept.append(lines[j]).append('\n');
                }
            }
        }
        return kept.toString();
    }

    private static boolean endsWithContinuation(String line) {
        int slashes = 0;
        for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) {
            slashes++;
        }
        return slashes % 2 == 1;
    }
}
