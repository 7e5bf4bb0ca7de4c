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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What SREs do to a running JVM: attach the agent, edit the policy, switch the mode over JMX. */
class OperationsTest {

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    private static Path write(Path dir, String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void protectsARunningJvmAfterAttachIncludingStreamsItAlreadyOpened(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-attach-");
        Path benign = write(dir, "benign.ser", Payloads.serialize(new HashMap<>(Map.of("k", "v"))));
        Path before = dir.resolve("pwned-before");
        Path after = dir.resolve("pwned-after");
        Path old = dir.resolve("pwned-old-stream");
        Path gadgetBefore = write(dir, "before.ser", Payloads.serialize(Payloads.commonsCollections3(before.toString())));
        Path gadgetAfter = write(dir, "after.ser", Payloads.serialize(Payloads.commonsCollections3(after.toString())));
        java.io.ByteArrayOutputStream two = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(two)) {
            out.writeObject(new HashMap<>(Map.of("first", "benign")));
            out.writeObject(Payloads.commonsCollections3(old.toString()));
        }
        Path oldStream = write(dir, "two-objects.ser", two.toByteArray());

        try (ConsoleProcess console = ConsoleProcess.start(jdk, dir, null, "-XX:+EnableDynamicAgentLoading")) {
            assertEquals("RESULT ok java.util.HashMap", console.send("read " + benign));
            assertEquals("OPENED", console.send("open " + oldStream));
            assertEquals("RESULT ok java.util.HashMap", console.send("readopen"));
            console.send("read " + gadgetBefore);
            assertTrue(Files.exists(before), "the chain runs in the unprotected JVM");

            ForkedJvm.Result attach = ForkedJvm.on(Jdks.current()).workDir(dir)
                    .runJar(ForkedJvm.agentJar(), "attach", String.valueOf(console.pid()), "log=" + dir.resolve("v.jsonl"));
            assertEquals(0, attach.exitCode(), attach::toString);
            assertTrue(attach.stdout().contains("attached to JVM " + console.pid()), attach::toString);
            assertTrue(attach.stdout().contains("mode:    enforce"), attach::toString);

            String refused = console.send("read " + gadgetAfter);
            assertTrue(refused.startsWith("RESULT refused org.apache.commons.collections.keyvalue.TiedMapEntry"), refused);
            assertFalse(Files.exists(after));
            String oldRefused = console.send("readopen");
            assertTrue(oldRefused.startsWith("RESULT refused"), () -> "a stream opened before attach: " + oldRefused);
            assertFalse(Files.exists(old));
            assertEquals("RESULT ok java.util.HashMap", console.send("read " + benign));
        }
    }

    @Test
    void attachNamesTheCauseWhenNoSuchProcessExists() throws Exception {
        ForkedJvm.Result attach = ForkedJvm.on(Jdks.current()).workDir(Files.createTempDirectory("safeload-attach-"))
                .runJar(ForkedJvm.agentJar(), "attach", "999999999");
        assertEquals(1, attach.exitCode(), attach::toString);
        assertTrue(attach.stderr().contains("safeload: cannot attach to JVM 999999999: no such process"), attach::toString);
        assertFalse(attach.stderr().contains("InvocationTargetException"), attach::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void reloadsValidPolicyEditsKeepsTheOldOneOnInvalidOnesAndLosesNoRefusal(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-reload-");
        Path policy = dir.resolve("policy.properties");
        Path log = dir.resolve("v.jsonl");
        Files.writeString(policy, "serial.allow=java.util.Random\n");
        Path random = write(dir, "random.ser", Payloads.serialize(new Random(42)));
        try (ConsoleProcess console = ConsoleProcess.start(jdk, dir,
                "policy=" + policy + ",log=" + log + ",log.rateLimit=1000000,log.maxFileSize=1GB")) {
            assertEquals("RESULT ok java.util.Random", console.send("read " + random));
            assertEquals("SPINNING", console.send("spin " + random));

            Files.writeString(policy, "serial.deny=java.util.Random\n");
            awaitEvent(log, "policy-reload", 1);
            Files.writeString(policy, "serial.maxDepth=oops\n");
            awaitEvent(log, "policy-reload-failed", 1);
            Thread.sleep(300);
            Files.writeString(policy, "serial.deny=java.util.Random\nserial.maxDepth=32\n");
            awaitEvent(log, "policy-reload", 2);
            Thread.sleep(300);
            Files.writeString(policy, "serial.allow=java.util.Random\n");
            awaitEvent(log, "policy-refused", 1);

            String spin = console.send("stop");
            int refusedInApp = Integer.parseInt(spin.replaceAll(".*refused=(\\d+).*", "$1"));
            assertTrue(refusedInApp > 0, spin);
            long refusedInLog = ViolationLog.withAction(ViolationLog.read(log), "refuse").stream()
                    .filter(e -> e.path("safeload.class").asText().equals("java.util.Random")).count();
            assertEquals(refusedInApp, refusedInLog, "every refusal is logged, before and after reloads");
            assertTrue(console.send("read " + random).startsWith("RESULT refused"),
                    "a reload that would allow Random again is refused: protection only goes up");
        }
        List<JsonNode> failed = ViolationLog.withAction(ViolationLog.read(log), "policy-reload-failed");
        assertTrue(failed.get(0).path("error.message").asText().contains("line 1, key serial.maxDepth"), failed::toString);
        List<JsonNode> refused = ViolationLog.withAction(ViolationLog.read(log), "policy-refused");
        assertEquals("serial.allow adds java.util.Random; serial.deny drops java.util.Random; serial.maxDepth 32 -> 64",
                refused.get(0).path("error.message").asText(), refused::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void exposesCountersAndSwitchesModeOverJmxWhenLooseningWasAllowedAtStart(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-jmx-");
        Path log = dir.resolve("v.jsonl");
        Path marker = dir.resolve("pwned");
        Path gadget = write(dir, "gadget.ser", Payloads.serialize(Payloads.commonsCollections3(marker.toString())));
        try (ConsoleProcess console = ConsoleProcess.start(jdk, dir, "log=" + log + ",runtime.allowLoosening=true")) {
            assertTrue(console.send("read " + gadget).startsWith("RESULT refused"));
            com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(String.valueOf(console.pid()));
            try (JMXConnector jmx = JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()))) {
                MBeanServerConnection server = jmx.getMBeanServerConnection();
                ObjectName agent = new ObjectName("dev.safeload:type=Agent");
                for (int i = 0; i < 50 && !server.isRegistered(agent); i++) {
                    Thread.sleep(100);
                }
                assertEquals("enforce", server.getAttribute(agent, "Mode"));
                assertEquals(64, ((String) server.getAttribute(agent, "PolicyDigest")).length());
                Map<String, Long> counters = new HashMap<>();
                for (Object row : ((TabularData) server.getAttribute(agent, "Counters")).values()) {
                    CompositeData data = (CompositeData) row;
                    counters.put((String) data.get("key"), (Long) data.get("value"));
                }
                assertEquals(1L, counters.get("refused java.io.ObjectInputStream.readObject serial.allow"), counters::toString);
                assertTrue(counters.get("checked java.io.ObjectInputStream") >= 1, counters::toString);

                server.setAttribute(agent, new javax.management.Attribute("Mode", "audit"));
                assertEquals("audit", server.getAttribute(agent, "Mode"));
            } finally {
                vm.detach();
            }
            console.send("read " + gadget);
            assertTrue(Files.exists(marker), "audit mode lets the chain through");
        }
        assertEquals(1, ViolationLog.withAction(ViolationLog.read(log), "mode-change").size());
        List<JsonNode> audits = ViolationLog.withAction(ViolationLog.read(log), "audit");
        assertTrue(audits.stream().anyMatch(e -> e.path("safeload.class").asText()
                .equals("org.apache.commons.collections.keyvalue.TiedMapEntry")), audits::toString);
    }

    private static void awaitEvent(Path log, String action, int count) throws Exception {
        for (int i = 0; i < 100; i++) {
            if (ViolationLog.withAction(ViolationLog.readWhileWritten(log), action).size() >= count) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + action + " event in " + log + ":\n" + Files.readString(log));
    }
}
