package dev.safeload.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckPolicyCommandTest {

    @TempDir
    Path dir;

    @Test
    void everyCommandAnswersHelpWithExitZero() {
        for (String command : new String[] {"attach", "check-policy", "scan", "report", "learn"}) {
            CommandRun run = CommandRun.of(command, "--help");
            assertEquals(0, run.status(), command + ": " + run);
            assertTrue(run.out().startsWith("usage: " + command) || run.out().contains(command), command + ": " + run.out());
            assertEquals("", run.err(), command);
        }
    }

    @Test
    void takesThePolicyFileAsScanDoes() throws Exception {
        Path policy = dir.resolve("p.properties");
        Files.writeString(policy, "serial.maxDepth=12\n");
        CommandRun run = CommandRun.of("check-policy", "--policy", policy.toString());
        assertEquals(0, run.status(), run::toString);
        assertTrue(run.out().contains("policy: policy file " + policy), run.out());
        assertTrue(run.out().contains("serial.maxDepth"), run.out());
        assertTrue(run.out().matches("(?s).*serial\\.maxDepth\\s+= 12\\s+\\(policy file " + java.util.regex.Pattern.quote(policy.toString())
                + " line 1\\).*"), run.out());

        CommandRun scan = CommandRun.of("scan", "--policy", policy.toString(), dir.toString());
        assertTrue(scan.status() != 2, "scan takes the same --policy FILE: " + scan);
    }

    @Test
    void namesTheFileLineAndKeyOfABadPolicy() throws Exception {
        Path policy = dir.resolve("bad.properties");
        Files.writeString(policy, "mode=sideways\n");
        CommandRun run = CommandRun.of("check-policy", "--policy=" + policy);
        assertEquals(2, run.status(), run::toString);
        assertTrue(run.err().contains("policy file " + policy + " line 1, key mode: expected enforce, audit or off"), run.err());
    }
}
