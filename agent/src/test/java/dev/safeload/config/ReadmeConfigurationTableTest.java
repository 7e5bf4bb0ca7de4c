package dev.safeload.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's configuration table is the documentation of {@link ConfigKey}: keep them equal. */
class ReadmeConfigurationTableTest {

    @Test
    void documentsEveryKeyWithItsPropertyVariableAndDefault() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("../README.md"));
        for (ConfigKey key : ConfigKey.values()) {
            String row = lines.stream().filter(l -> l.startsWith("| `" + key.key() + "` |")).findFirst().orElse(null);
            assertTrue(row != null, "README has no row for " + key.key());
            assertTrue(row.contains("`" + key.systemProperty() + "`"), row);
            assertTrue(row.contains("`" + key.environmentVariable() + "`"), row);
            String def = key.defaultValue();
            assertTrue(def == null || def.isEmpty() ? row.contains("| none |") || row.contains("| empty |")
                    : row.contains("| `" + def + "` |"), "default of " + key.key() + " in: " + row);
        }
    }
}
