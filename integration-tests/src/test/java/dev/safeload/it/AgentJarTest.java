package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.Jdks;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.nio.charset.StandardCharsets;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** The shipped jar: nothing in it can clash with the host's classes or configuration. */
class AgentJarTest {

    @Test
    void containsOnlyDevSafeloadAndMetaInf() throws Exception {
        List<String> strays = new ArrayList<>();
        try (JarFile jar = new JarFile(ForkedJvm.agentJar().toFile())) {
            jar.stream().map(e -> e.getName())
                    .filter(n -> !n.startsWith("dev/safeload/") && !n.startsWith("META-INF/") && !n.equals("dev/"))
                    .forEach(strays::add);
            // A service file is found by its interface's name: only our relocated interfaces, naming
            // only our classes, so no host ServiceLoader (SLF4J, Jackson, ...) ever finds our copies.
            jar.stream().map(e -> e.getName())
                    .filter(n -> n.matches("(.*/)?logback(-test)?\\.(xml|groovy)")
                            || (n.startsWith("META-INF/services/") && !n.startsWith("META-INF/services/dev.safeload.")))
                    .forEach(strays::add);
            for (JarEntry e : jar.stream().filter(e -> e.getName().startsWith("META-INF/services/dev.")).toList()) {
                for (String provider : new String(jar.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8)
                        .strip().split("\\s+")) {
                    if (!provider.startsWith("dev.safeload.")) {
                        strays.add(e.getName() + " names " + provider);
                    }
                }
            }
        }
        assertEquals(List.of(), strays);
    }

    @Test
    void declaresAgentAndCommandLineEntryPoints() throws Exception {
        try (JarFile jar = new JarFile(ForkedJvm.agentJar().toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("dev.safeload.agent.SafeloadAgent", main.getValue("Premain-Class"));
            assertEquals("dev.safeload.agent.SafeloadAgent", main.getValue("Agent-Class"));
            assertEquals("true", main.getValue("Can-Retransform-Classes"));
            assertEquals("dev.safeload.cli.Main", main.getValue("Main-Class"));
        }
    }

    @Test
    void helpListsTheSubcommands() throws Exception {
        ForkedJvm.Result help = ForkedJvm.on(Jdks.current()).workDir(Files.createTempDirectory("safeload-help-"))
                .runJar(ForkedJvm.agentJar(), "--help");
        assertEquals(0, help.exitCode(), help::toString);
        assertTrue(help.stdout().contains("check-policy"), help::toString);
    }
}
