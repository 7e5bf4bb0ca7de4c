package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.it.support.ConsoleProcess;
import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.Payloads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code attach} says what the target did: started, applied, refused, or why it could not. */
class AttachTruthTest {

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    private static ForkedJvm.Result attach(Path dir, long pid, String options) throws Exception {
        return ForkedJvm.on(Jdks.current()).workDir(dir).runJar(ForkedJvm.agentJar(), "attach", String.valueOf(pid), options);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aSecondAttachRaisesProtectionButIsRefusedWithANonZeroExitWhenItWouldLowerIt(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-attach2-");
        Path marker = dir.resolve("pwned");
        Path gadget = dir.resolve("gadget.ser");
        Files.write(gadget, Payloads.serialize(Payloads.commonsCollections3(marker.toString())));
        String log = "log=" + dir.resolve("v.jsonl");
        try (ConsoleProcess console = ConsoleProcess.start(jdk, dir, null, "-XX:+EnableDynamicAgentLoading")) {
            ForkedJvm.Result first = attach(dir, console.pid(), log + ",mode=audit");
            assertEquals(0, first.exitCode(), first::toString);
            assertTrue(first.stdout().contains("safeload: attached to JVM " + console.pid()), first::toString);
            assertTrue(first.stdout().contains("mode:    audit"), first::toString);

            ForkedJvm.Result enforce = attach(dir, console.pid(), "mode=enforce");
            assertEquals(0, enforce.exitCode(), enforce::toString);
            assertTrue(enforce.stdout().contains("already runs the agent; applied: enforce mode"), enforce::toString);
            assertTrue(enforce.stdout().contains("mode:    enforce"), enforce::toString);
            assertTrue(console.send("read " + gadget).startsWith("RESULT refused"));

            ForkedJvm.Result lower = attach(dir, console.pid(), "mode=audit");
            assertEquals(1, lower.exitCode(), lower::toString);
            assertTrue(lower.stderr().contains("JVM " + console.pid() + " already runs the agent and refused the options:"
                    + " options applied by a second attach: refused, protection can only be raised at run time"
                    + " (mode enforce -> audit); enforce mode"), lower::toString);
            assertFalse(lower.stdout().contains("attached"), lower::toString);

            ForkedJvm.Result unlock = attach(dir, console.pid(), "runtime.allowLoosening=true");
            assertEquals(1, unlock.exitCode(), unlock::toString);
            assertTrue(unlock.stderr().contains("runtime.allowLoosening can be set only at start"), unlock::toString);

            ForkedJvm.Result moveLog = attach(dir, console.pid(), "log=" + dir.resolve("elsewhere.jsonl"));
            assertEquals(1, moveLog.exitCode(), moveLog::toString);
            assertTrue(moveLog.stderr().contains("these keys change only at a restart: log=" + dir.resolve("elsewhere.jsonl")),
                    moveLog::toString);

            assertTrue(console.send("read " + gadget).startsWith("RESULT refused"));
        }
        assertFalse(Files.exists(marker));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aBadOptionFailsTheCommandWithTheCauseAndLeavesTheTargetRunningWithOneLine(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-attach-bad-");
        Path benign = dir.resolve("benign.ser");
        Files.write(benign, Payloads.serialize(new HashMap<>(Map.of("k", "v"))));
        try (ConsoleProcess console = ConsoleProcess.start(jdk, dir, null, "-XX:+EnableDynamicAgentLoading")) {
            ForkedJvm.Result bad = attach(dir, console.pid(), "mode=sideways");
            assertEquals(1, bad.exitCode(), bad::toString);
            assertTrue(bad.stderr().contains("safeload: the agent in JVM " + console.pid() + " did not start: invalid"
                    + " configuration: agent option, key mode: expected enforce, audit or off, got \"sideways\""), bad::toString);
            assertFalse(bad.stderr().contains("InvocationTargetException"), bad::toString);

            assertEquals("RESULT ok java.util.HashMap", console.send("read " + benign), "the target keeps running");
            String target = Files.readString(dir.resolve("console-stderr.txt"));
            assertFalse(target.contains("ASSERTION FAILED"), target);
            assertFalse(target.contains("Exception"), target);
            assertEquals(1, target.lines().filter(l -> l.startsWith("safeload:")).count(), target);

            ForkedJvm.Result good = attach(dir, console.pid(), "log=" + dir.resolve("v.jsonl"));
            assertEquals(0, good.exitCode(), good::toString);
            assertTrue(good.stdout().contains("mode:    enforce"), good::toString);
        }
    }
}
