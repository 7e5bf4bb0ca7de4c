package dev.safeload.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.config.ConfigException;
import dev.safeload.config.PolicyCompiler;
import dev.safeload.config.Settings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mode=off reads its options and returns: no Instrumentation is touched (these starts pass
 * none, so anything installed would throw), nothing compiled.
 */
class SafeloadAgentOffTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final PrintStream console = new PrintStream(out, true, StandardCharsets.UTF_8);

    private String console() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void offAsAnAgentOptionInstallsNothing() {
        SafeloadAgent.start("mode=OFF,log=stderr", null, new Properties(), Map.of(), console, false);
        assertEquals("safeload: mode off; nothing installed" + System.lineSeparator(), console());
    }

    @Test
    void offInTheAgentOptionsIsFoundWithoutTheOtherSources() {
        // What premain's off check reads: the agent options alone, by the mode key's name.
        assertEquals(dev.safeload.config.ConfigKey.MODE.key(), SafeloadAgent.MODE_KEY);
        assertEquals("OFF", SafeloadAgent.optionValue(SafeloadAgent.MODE_KEY, "log=x, mode = OFF"));
        assertEquals(null, SafeloadAgent.optionValue(SafeloadAgent.MODE_KEY, "log=x"));
        assertEquals(null, SafeloadAgent.optionValue(SafeloadAgent.MODE_KEY, null));
    }

    @Test
    void offFromTheEnvironmentOutranksAPolicyFileThatIsNeverRead(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-policy.properties");
        SafeloadAgent.start("policy=" + missing, null, new Properties(), Map.of("SAFELOAD_MODE", "off"), console, false);
        assertTrue(console().contains("mode off; nothing installed"), console());
    }

    @Test
    void offInThePolicyFileLeavesTheRestUncompiledUntilProtectionIsSwitchedOn(@TempDir Path dir) throws Exception {
        Path policy = dir.resolve("safeload.properties");
        Files.writeString(policy, "mode=off\nserial.maxDepth=deep\n");
        SafeloadAgent.start("policy=" + policy, null, new Properties(), Map.of(), console, false);
        assertTrue(console().contains("mode off; nothing installed"), console());

        // The twin: the same file in enforce mode does not compile, so a start with it would refuse to run.
        Files.writeString(policy, "mode=enforce\nserial.maxDepth=deep\n");
        Settings settings = Settings.resolve("policy=" + policy, new Properties(), Map.of());
        assertThrows(ConfigException.class, () -> PolicyCompiler.compile(settings));
    }
}
