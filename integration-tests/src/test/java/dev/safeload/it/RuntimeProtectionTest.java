package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.safeload.it.support.ConsoleProcess;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.Payloads;
import dev.safeload.it.support.ViolationLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.management.Attribute;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 9 section 5: code that runs in the process, another JVM of the same user, or whoever
 * can write the policy file must not switch the running agent off. Each refusal has its twin:
 * the same downgrade works when the operator allowed loosening at start, and the chain runs
 * without the agent, so the refusal is what stops it.
 */
class RuntimeProtectionTest {

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    private record Setup(Path dir, Path log, Path marker, Path gadget) {
        static Setup create(String name) throws Exception {
            Path dir = Files.createTempDirectory("safeload-" + name + "-");
            Path marker = dir.resolve("pwned");
            Path gadget = dir.resolve("gadget.ser");
            Files.write(gadget, Payloads.serialize(Payloads.commonsCollections3(marker.toString())));
            return new Setup(dir, dir.resolve("v.jsonl"), marker, gadget);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesModeOffSetOverJmxByCodeInTheProcess(Jdks.Jdk jdk) throws Exception {
        Setup s = Setup.create("jmx-in");
        try (ConsoleProcess console = ConsoleProcess.start(jdk, s.dir(), "log=" + s.log())) {
            String answer = console.send("jmxmode off");
            assertTrue(answer.startsWith("MODEFAILED safeload: mode set over JMX: refused, protection can only be raised"
                    + " at run time (mode enforce -> off)"), answer);
            assertTrue(console.send("read " + s.gadget()).startsWith("RESULT refused"));
            assertEquals("MODEFAILED", console.send("jmxmode audit").split(" ")[0]);
            assertTrue(console.send("read " + s.gadget()).startsWith("RESULT refused"));
        }
        assertFalse(Files.exists(s.marker()), "the chain ran after a JMX switch-off");
        List<JsonNode> refused = ViolationLog.withAction(ViolationLog.read(s.log()), "policy-refused");
        assertEquals(2, refused.size(), refused::toString);
        assertEquals("off", refused.get(0).path("safeload.requested_mode").asText());
        assertEquals("mode enforce -> off", refused.get(0).path("error.message").asText());
        assertEquals(0, ViolationLog.withAction(ViolationLog.read(s.log()), "mode-change").size());
    }

    /** Twin: the same in-process switch-off works when loosening was allowed at start, and the chain runs. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void switchesOffOverJmxInTheProcessWhenLooseningWasAllowedAtStart(Jdks.Jdk jdk) throws Exception {
        Setup s = Setup.create("jmx-in-twin");
        try (ConsoleProcess console = ConsoleProcess.start(jdk, s.dir(), "log=" + s.log() + ",runtime.allowLoosening=true")) {
            assertEquals("MODE off", console.send("jmxmode off"));
            console.send("read " + s.gadget());
        }
        assertTrue(Files.exists(s.marker()), "with the mode off the chain runs: the refusal above is what stops it");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesModeOffSetOverJmxFromAnotherJvmThroughTheAttachApiButTakesAuditToEnforce(Jdks.Jdk jdk) throws Exception {
        Setup s = Setup.create("jmx-out");
        try (ConsoleProcess console = ConsoleProcess.start(jdk, s.dir(), "log=" + s.log() + ",mode=audit")) {
            com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(String.valueOf(console.pid()));
            try (JMXConnector jmx = JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()))) {
                MBeanServerConnection server = jmx.getMBeanServerConnection();
                ObjectName agent = new ObjectName("dev.safeload:type=Agent");
                for (int i = 0; i < 50 && !server.isRegistered(agent); i++) {
                    Thread.sleep(100);
                }
                Exception off = assertThrows(Exception.class, () -> server.setAttribute(agent, new Attribute("Mode", "off")));
                Throwable cause = off.getCause() != null ? off.getCause() : off;
                assertTrue(cause.getMessage().contains("protection can only be raised at run time (mode audit -> off)"),
                        cause::toString);
                assertEquals("audit", server.getAttribute(agent, "Mode"));

                server.setAttribute(agent, new Attribute("Mode", "enforce"));
                assertEquals("enforce", server.getAttribute(agent, "Mode"), "audit -> enforce, the staging path, works");
                assertThrows(Exception.class, () -> server.setAttribute(agent, new Attribute("Mode", "audit")));
            } finally {
                vm.detach();
            }
            assertTrue(console.send("read " + s.gadget()).startsWith("RESULT refused"));
        }
        assertFalse(Files.exists(s.marker()));
        assertEquals(2, ViolationLog.withAction(ViolationLog.read(s.log()), "policy-refused").size());
        assertEquals(1, ViolationLog.withAction(ViolationLog.read(s.log()), "mode-change").size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesModeOffWrittenIntoTheReloadedPolicyFile(Jdks.Jdk jdk) throws Exception {
        Setup s = Setup.create("file-off");
        Path policy = s.dir().resolve("policy.properties");
        Files.writeString(policy, "mode=enforce\n");
        try (ConsoleProcess console = ConsoleProcess.start(jdk, s.dir(), "policy=" + policy + ",log=" + s.log())) {
            Files.writeString(policy, "mode=off\n");
            awaitEvent(s.log(), "policy-refused");
            assertTrue(console.send("read " + s.gadget()).startsWith("RESULT refused"));
        }
        assertFalse(Files.exists(s.marker()), "the chain ran after mode=off was written into the policy file");
        JsonNode refused = ViolationLog.withAction(ViolationLog.read(s.log()), "policy-refused").get(0);
        assertEquals("mode enforce -> off", refused.path("error.message").asText());
        String stderr = Files.readString(s.dir().resolve("console-stderr.txt"));
        assertTrue(stderr.contains("safeload: warning: the policy file " + policy.toAbsolutePath()
                + " is writable by this JVM's own user"), stderr);
    }

    /** Twins: the policy-file switch-off applies when loosening was allowed at start; without the agent the chain runs. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void appliesModeOffFromThePolicyFileWhenLooseningWasAllowedAndTheChainRunsWithoutTheAgent(Jdks.Jdk jdk) throws Exception {
        Setup s = Setup.create("file-off-twin");
        Path policy = s.dir().resolve("policy.properties");
        Files.writeString(policy, "mode=enforce\n");
        try (ConsoleProcess console = ConsoleProcess.start(jdk, s.dir(),
                "policy=" + policy + ",log=" + s.log() + ",runtime.allowLoosening=true")) {
            assertTrue(console.send("read " + s.gadget()).startsWith("RESULT refused"));
            Files.writeString(policy, "mode=off\n");
            awaitEvent(s.log(), "policy-reload");
            console.send("read " + s.gadget());
        }
        assertTrue(Files.exists(s.marker()), "after an allowed switch-off the chain runs");

        Setup bare = Setup.create("no-agent");
        try (ConsoleProcess console = ConsoleProcess.start(jdk, bare.dir(), null)) {
            console.send("read " + bare.gadget());
        }
        assertTrue(Files.exists(bare.marker()), "without the agent the chain runs");
    }

    /** A Kubernetes ConfigMap update, as the kubelet makes it: a new folder, then ..data swapped to it. */
    @org.junit.jupiter.api.Test
    void raisesAuditToEnforceWhenAConfigMapSwapsItsDataSymlink() throws Exception {
        Setup s = Setup.create("configmap");
        Path volume = Files.createDirectory(s.dir().resolve("etc-safeload"));
        Path v1 = Files.createDirectory(volume.resolve("..2026_12_02_07_00_00.1"));
        Files.writeString(v1.resolve("policy.properties"), "mode=audit\n");
        Files.createSymbolicLink(volume.resolve("..data"), v1.getFileName());
        Path policy = Files.createSymbolicLink(volume.resolve("policy.properties"), Path.of("..data/policy.properties"));
        try (ConsoleProcess console = ConsoleProcess.start(Jdks.current(), s.dir(), "policy=" + policy + ",log=" + s.log())) {
            Path v2 = Files.createDirectory(volume.resolve("..2026_12_02_07_05_00.2"));
            Files.writeString(v2.resolve("policy.properties"), "mode=enforce\n");
            Path tmp = Files.createSymbolicLink(volume.resolve("..data_tmp"), v2.getFileName());
            Files.move(tmp, volume.resolve("..data"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            awaitEvent(s.log(), "policy-reload");
            assertTrue(console.send("read " + s.gadget()).startsWith("RESULT refused"));
        }
        assertFalse(Files.exists(s.marker()));
        assertEquals("enforce", ViolationLog.withAction(ViolationLog.read(s.log()), "policy-reload").get(0)
                .path("safeload.mode").asText());
    }

    static void awaitEvent(Path log, String action) throws Exception {
        for (int i = 0; i < 150; i++) {
            if (Files.exists(log) && !ViolationLog.withAction(ViolationLog.readWhileWritten(log), action).isEmpty()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + action + " event in " + log + ":\n" + (Files.exists(log) ? Files.readString(log) : "(no log)"));
    }
}
