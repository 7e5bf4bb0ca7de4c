package dev.safeload.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Reads a policy file in Java properties format and keeps the line of every entry, so an error
 * names the file, the line and the key. The JDK's own parser reads each logical line, so
 * escapes and continuations mean exactly what they mean in any properties file.
 */
public final class PolicyFile {

    private PolicyFile() {
    }

    /** Reads and checks {@code path}: unknown keys, duplicates and unreadable files are errors. */
    public static Map<ConfigKey, Setting> read(Path path) throws ConfigException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new ConfigException("policy file " + path + ": no such file");
        } catch (IOException e) {
            throw new ConfigException("policy file " + path + ": cannot read it: " + e.getMessage(), e);
        }
        return parse(bytes, "policy file " + path);
    }

    /** Parses policy text; {@code name} prefixes every error and origin. */
    public static Map<ConfigKey, Setting> parse(byte[] bytes, String name) throws ConfigException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(name + ": not UTF-8 text");
        }
        Map<ConfigKey, Setting> settings = new LinkedHashMap<>();
        String[] lines = text.split("\r\n|\r|\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int first = i;
            String trimmed = lines[i].strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith("!")) {
                continue;
            }
            StringBuilder logical = new StringBuilder(lines[i]);
            while (endsWithContinuation(lines[i]) && i + 1 < lines.length) {
                i++;
                logical.append('\n').append(lines[i]);
            }
            String origin = name + " line " + (first + 1);
            Properties one = new Properties();
            try {
                one.load(new StringReader(logical.toString()));
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException(origin + ": " + e.getMessage(), e);
            }
            for (String rawKey : one.stringPropertyNames()) {
                ConfigKey key = ConfigKey.byName(rawKey);
                if (key == null) {
                    throw new ConfigException(origin + ": unknown key \"" + rawKey + "\"" + Settings.suggestion(rawKey));
                }
                if (key == ConfigKey.POLICY) {
                    throw new ConfigException(origin + ", key policy: a policy file cannot name another policy file");
                }
                if (key == ConfigKey.RUNTIME_ALLOW_LOOSENING) {
                    // Whoever can write the watched file must not be able to unlock lowering it.
                    throw new ConfigException(origin + ", key " + rawKey + ": can be set only at start, as an agent"
                            + " option, -D" + key.systemProperty() + " or " + key.environmentVariable());
                }
                Setting previous = settings.get(key);
                if (previous != null) {
                    throw new ConfigException(origin + ", key " + rawKey + ": already set at " + previous.origin());
                }
                settings.put(key, new Setting(key, one.getProperty(rawKey).strip(), origin));
            }
        }
        return settings;
    }

    private static boolean endsWithContinuation(String line) {
        int slashes = 0;
        for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) {
            slashes++;
        }
        return slashes % 2 == 1;
    }
}
