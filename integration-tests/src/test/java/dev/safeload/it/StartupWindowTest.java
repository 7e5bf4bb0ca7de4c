package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.safeload.it.support.ConsoleProcess;
import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.Payloads;
import dev.safeload.it.support.ViolationLog;
import dev.safeload.it.victim.Detonator;
import dev.safeload.it.victim.EarlyVictim;
import dev.safeload.it.victim.ModelVictim;
import dev.safeload.it.victim.Victim;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent's start does as little as it can before the host's main (no Byte Buddy, no
 * logger), and that must open no window: the JVM's very first stream is already checked, the
 * java.base hooks are already in place for it, and a model library's hook is in place before
 * the library's first class finishes loading.
 */
class StartupWindowTest {

    private static final String BYTE_BUDDY = "dev.safeload.shaded.bytebuddy.agent.builder.AgentBuilder$Default ";

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    /**
     * The payload is read in the main class's static initializer, by a stream whose
     * resolveClass initializes what it loads: the class's own static initializer is the
     * payload. Without the agent it runs; with it, the name is refused before resolveClass,
     * by the java.base hook, on the first stream the JVM ever makes.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void firstStreamOfTheJvmIsCheckedBeforeResolveClassRuns(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-window-");
        Path payload = dir.resolve("payload.ser");
        Path marker = dir.resolve("pwned");
        Files.write(payload, Payloads.serialize(new Detonator()));

        ForkedJvm.Result without = early(jdk, dir, payload, marker, false);
        assertEquals("RESULT ok " + Detonator.class.getName(), result(without));
        assertTrue(Files.exists(marker), () -> "resolveClass must really run the initializer without the agent\n" + without);
        Files.delete(marker);

        ForkedJvm.Result with = early(jdk, dir, payload, marker, true);
        assertTrue(result(with).startsWith("RESULT refused " + Detonator.class.getName() + "; safeload: rejected by rule serial.allow"),
                with::toString);
        assertFalse(Files.exists(marker), "the initializer must not have run");
        List<JsonNode> refused = ViolationLog.withAction(ViolationLog.read(dir.resolve("violations.jsonl")), "refuse");
        assertEquals(Detonator.class.getName(), refused.get(0).path("safeload.class").asText(), refused::toString);
        // The JVM verified the agent's edits of java.base (see early()): a bad stack map frame fails here.
        assertFalse(with.stderr().contains("VerifyError"), with::toString);
    }

    private static ForkedJvm.Result early(Jdks.Jdk jdk, Path dir, Path payload, Path marker, boolean agent)
            throws Exception {
        ForkedJvm jvm = ForkedJvm.on(jdk).workDir(dir).timeoutSeconds(60)
                // java.base is not verified by default; this makes the JVM verify the hooked classes.
                .jvmArg("-XX:+UnlockDiagnosticVMOptions", "-XX:+BytecodeVerificationLocal",
                        "-Dvictim.payload=" + payload, "-Dvictim.marker=" + marker);
        if (agent) {
            jvm.withAgent("log=" + dir.resolve("violations.jsonl"));
        }
        return jvm.runMain(EarlyVictim.class);
    }

    /**
     * At JVM start the filter factory and the java.base retransformation wait for
     * ObjectInputStream to load: a host that has not deserialized has not initialised
     * ObjectInputFilter.Config nor loaded ASM. The first stream after that is still checked.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void theFilterFactoryWaitsForTheFirstStreamClassAndStillChecksIt(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-first-stream-");
        Path marker = dir.resolve("pwned");
        Path gadget = dir.resolve("gadget.ser");
        Files.write(gadget, Payloads.serialize(Payloads.commonsCollections3(marker.toString())));
        try (ConsoleProcess plain = ConsoleProcess.start(jdk, dir, null)) {
            plain.send("read " + gadget);
        }
        assertTrue(Files.exists(marker), "the gadget must really run without the agent");
        Files.delete(marker);

        Path classes = dir.resolve("classes.txt");
        try (ConsoleProcess console = ConsoleProcess.start(jdk, dir, "log=" + dir.resolve("v.jsonl"),
                "-Xlog:class+load:file=" + classes)) {
            String before = Files.readString(classes);
            assertFalse(before.contains(" java.io.ObjectInputStream "), "the console itself loaded ObjectInputStream");
            assertFalse(before.contains(" java.io.ObjectInputFilter$Config "), "Config was initialised at start");
            assertFalse(before.contains(" dev.safeload.shaded.bytebuddy.jar.asm.ClassReader "), "ASM was used at start");
            String first = console.send("read " + gadget);
            assertTrue(first.startsWith("RESULT refused") && first.contains("safeload: rejected"), first);
            assertTrue(Files.readString(classes).contains(" java.io.ObjectInputFilter$Config "));
        }
        assertFalse(Files.exists(marker), "the gadget ran under the agent");
    }

    /** A JVM that reads streams but loads no model library never starts Byte Buddy. */
    @Test
    void aHookedLibraryIsHookedWithoutStartingByteBuddy() throws Exception {
        Path dir = Files.createTempDirectory("safeload-lazy-");
        Path payload = dir.resolve("payload.ser");
        Files.write(payload, Payloads.serialize(new java.util.ArrayList<>(List.of("a", "b"))));
        Path classes = dir.resolve("classes.txt");

        ForkedJvm.Result plain = ForkedJvm.on(Jdks.current()).workDir(dir).timeoutSeconds(60)
                .jvmArg("-Xlog:class+load:file=" + classes)
                .withAgent("log=" + dir.resolve("violations.jsonl"))
                .runMain(Victim.class, "read", payload.toString());
        assertTrue(plain.stdout().contains("RESULT ok java.util.ArrayList"), plain::toString);
        assertFalse(Files.readString(classes).contains(BYTE_BUDDY), "Byte Buddy was started by a JVM that needs none");

        // Weka's hook is an entry hook: the same probe sees the edit load, not Byte Buddy, and the hook works.
        Path model = dir.resolve("classifier.model");
        Files.write(model, Payloads.serialize(Payloads.commonsCollections3(dir.resolve("pwned").toString())));
        Path wekaClasses = dir.resolve("weka-classes.txt");
        ForkedJvm.Result weka = ForkedJvm.on(Jdks.current()).workDir(dir).timeoutSeconds(120)
                .jvmArg("-Xlog:class+load:file=" + wekaClasses)
                .withAgent("log=" + dir.resolve("violations.jsonl"))
                .runMain(ModelVictim.class, "weka-file", model.toString());
        String loaded = Files.readString(wekaClasses);
        assertTrue(loaded.contains("dev.safeload.instrument.edit.EntryHookEdit "), "the probe sees the agent's edit load");
        assertFalse(loaded.contains(BYTE_BUDDY), "an entry hook needs no Byte Buddy");
        assertTrue(loaded.lines().noneMatch(l -> l.contains(" dev.safeload.shaded.bytebuddy.")
                && !l.contains(" dev.safeload.shaded.bytebuddy.jar.asm.")), "only Byte Buddy's ASM is used");
        // The edit is a plain byte edit: through ASM it cost the host's start about 12 ms of CPU.
        assertFalse(loaded.contains(" dev.safeload.instrument.edit.AsmEntryHookEdit "), "the entry hook went through ASM");
        assertTrue(weka.stdout().contains("RESULT refused java.io.InvalidClassException: safeload: refused model"),
                weka::toString);
        assertFalse(Files.exists(dir.resolve("pwned")));
    }

    /** The JMX bean waits for the JVM to use JMX: a host that never does never gets a platform MBean server. */
    @Test
    void registersTheJmxBeanOnlyOnceTheJvmUsesJmx() throws Exception {
        Path dir = Files.createTempDirectory("safeload-jmx-lazy-");
        Path payload = dir.resolve("payload.ser");
        Files.write(payload, Payloads.serialize(new java.util.ArrayList<>(List.of("a", "b"))));
        Path classes = dir.resolve("classes.txt");
        String platformServer = " com.sun.jmx.mbeanserver.JmxMBeanServer ";
        try (ConsoleProcess console = ConsoleProcess.start(Jdks.current(), dir, "log=" + dir.resolve("v.jsonl"),
                "-Xlog:class+load:file=" + classes)) {
            assertEquals("RESULT ok java.util.ArrayList", console.send("read " + payload));
            Thread.sleep(3_500); // past the deferred start (2 s) and a look for a platform MBean server
            assertFalse(Files.readString(classes).contains(platformServer), "the agent made the platform MBean server");
            // The twin: code in the process asks for the platform MBean server, and the bean is there to use.
            assertEquals("MODE enforce", console.send("jmxmode enforce"));
            assertTrue(Files.readString(classes).contains(platformServer));
        }
    }

    private static String result(ForkedJvm.Result r) {
        return r.stdout().lines().filter(l -> l.startsWith("RESULT ")).findFirst()
                .orElseThrow(() -> new AssertionError("no RESULT line:\n" + r));
    }
}
