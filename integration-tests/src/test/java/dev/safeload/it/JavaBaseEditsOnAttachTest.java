package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.it.support.ConsoleProcess;
import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.Payloads;
import dev.safeload.it.support.WekaModels;
import dev.safeload.it.victim.Secret;
import dev.safeload.it.victim.Vault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Attached to a running JVM, the agent retransforms java.base classes the JVM already uses. On
 * JDK 17 the bytes it gets back carry no stack map frames (an unverified boot class keeps none),
 * which left the two mid-method edits out: the check of a code-bearing field once an object's
 * fields are read, and the proxy interface check before the proxy class is made. This JVM runs
 * unverified java.base, as a server does.
 */
class JavaBaseEditsOnAttachTest {

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void attachEditsTheFieldCheckAndTheProxyPreCheckIntoARunningJvm(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-attach-javabase-");
        Path kept = dir.resolve("kept-by-the-server.txt");
        Path planted = dir.resolve("planted.model");
        Files.write(planted, WekaModels.smoWritingDictionaryTo(kept));
        Path plain = dir.resolve("plain.model");
        Files.write(plain, WekaModels.smoWithTextFilterSavingNoDictionary());
        Path secretProxy = dir.resolve("secret-proxy.ser");
        Files.write(secretProxy, Payloads.serialize(Payloads.proxyOf(Secret.class)));
        Path vaultProxy = dir.resolve("vault-proxy.ser");
        Files.write(vaultProxy, Payloads.serialize(Payloads.proxyOf(Vault.class)));
        Path classLoads = dir.resolve("class-load.txt");

        try (ConsoleProcess console = ConsoleProcess.start(jdk, dir, null, "-XX:+EnableDynamicAgentLoading",
                "-Xlog:class+load=info:file=" + classLoads)) {
            // Unprotected, the twins go through: the planted model reads, a proxy of a refused interface is made.
            assertEquals("RESULT ok weka.classifiers.functions.SMO", console.send("read " + planted));
            assertTrue(console.send("read " + secretProxy).startsWith("RESULT ok "));
            assertTrue(loaded(classLoads, Secret.class.getName()));
            assertTrue(loaded(classLoads, "$Proxy"), "the JDK made a proxy class for Secret");

            ForkedJvm.Result attach = ForkedJvm.on(Jdks.current()).workDir(dir).runJar(ForkedJvm.agentJar(), "attach",
                    String.valueOf(console.pid()), "log=" + dir.resolve("v.jsonl")
                            + ",serial.presets=weka,serial.allow=dev.safeload.it.victim.EchoHandler");
            assertEquals(0, attach.exitCode(), attach::toString);
            String stderr = Files.readString(dir.resolve("console-stderr.txt"));
            assertFalse(stderr.contains("cannot hook"), stderr);

            String field = console.send("read " + planted);
            assertTrue(field.startsWith("RESULT refused weka.filters.unsupervised.attribute.StringToWordVector;"
                    + " safeload: rejected by rule serial.field.resource:"
                    + " weka.filters.unsupervised.attribute.StringToWordVector.m_dictionaryFile holds \"" + kept + "\""),
                    field);
            assertEquals("RESULT ok weka.classifiers.functions.SMO", console.send("read " + plain),
                    "the same model without the planted path still reads");

            long proxies = count(classLoads, "$Proxy"); // Weka's annotations have proxies of their own
            String proxy = console.send("read " + vaultProxy);
            assertTrue(proxy.startsWith("RESULT refused " + Vault.class.getName()), proxy);
            assertFalse(loaded(classLoads, Vault.class.getName()), "the refused interface is never loaded");
            assertEquals(proxies, count(classLoads, "$Proxy"), "no proxy class is made for it");
        }
    }

    private static boolean loaded(Path classLoads, String name) throws Exception {
        return count(classLoads, name) > 0;
    }

    /** How many classes the JVM's class+load log names with {@code part} in the name. */
    private static long count(Path classLoads, String part) throws Exception {
        return Files.readString(classLoads).lines().filter(l -> l.contains("[class,load]") && l.contains(part)).count();
    }
}
