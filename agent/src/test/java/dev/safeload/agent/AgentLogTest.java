package dev.safeload.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.safeload.config.Settings;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class AgentLogTest {

    @Test
    void takesStdoutAndStderrInAnyCaseLikeEveryEnumeratedValue() throws Exception {
        assertEquals("stdout", AgentLog.settings(Settings.resolve("log=STDOUT", new Properties(), Map.of())).destination());
        assertEquals("stderr", AgentLog.settings(Settings.resolve("log=StdErr", new Properties(), Map.of())).destination());
    }
}
