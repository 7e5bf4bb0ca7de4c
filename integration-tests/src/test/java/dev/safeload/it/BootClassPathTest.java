package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.victim.LoaderVictim;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Started with -javaagent, the agent's classes are boot classes: its manifest's {@code
 * Boot-Class-Path} names the jar itself, which the JVM appends before it loads the premain
 * class (the boot loader reads them natively and does not verify them; BENCHMARKS.md "Session
 * 9"). A renamed jar loses that and runs from the application class loader, still protecting.
 */
class BootClassPathTest {

    private static final String[] AGENT_CLASSES = {
        "dev.safeload.agent.SafeloadAgent", "dev.safeload.agent.AgentStart",
        "dev.safeload.serial.StreamGuard", "dev.safeload.shaded.bytebuddy.jar.asm.ClassReader"};

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void theAgentsClassesAreBootClasses(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-boot-");
        ForkedJvm.Result run = ForkedJvm.on(jdk).workDir(dir).withAgent("log=" + dir.resolve("violations.jsonl"))
                .runMain(LoaderVictim.class, AGENT_CLASSES);
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.stdout().contains("read={k=v}"), run::toString);
        assertTrue(run.stderr().contains("enforce mode"), run::toString); // the start banner: it did start
        for (String name : AGENT_CLASSES) {
            assertTrue(run.stdout().contains(name + "=boot"), run::toString);
        }
        assertFalse(run.stderr().contains("safeload: notice"), run::toString);
        // Appended while the JVM starts, as -Xbootclasspath/a is: the JDK's class data sharing stays on, silently.
        assertFalse(run.stdout().contains("Sharing is only supported") || run.stderr().contains("Sharing is only supported"),
                run::toString);
    }

    /** The twin: the same jar under another name is not on the boot class path, and protects all the same. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aRenamedJarRunsFromTheApplicationLoader(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-boot-renamed-");
        Path renamed = Files.copy(ForkedJvm.agentJar(), dir.resolve("safeload-agent-renamed.jar"));
        ForkedJvm.Result run = ForkedJvm.on(jdk).workDir(dir)
                .jvmArg("-javaagent:" + renamed + "=log=" + dir.resolve("violations.jsonl"))
                .runMain(LoaderVictim.class, AGENT_CLASSES);
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.stdout().contains("read={k=v}"), run::toString);
        assertTrue(run.stderr().contains("enforce mode"), run::toString);
        for (String name : AGENT_CLASSES) {
            assertTrue(run.stdout().contains(name + "=app"), run::toString);
        }
        assertTrue(run.stderr().contains("safeload: notice: the agent jar is not named safeload-agent.jar"), run::toString);
    }
}
