package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.Payloads;
import dev.safeload.it.support.Scenario;
import dev.safeload.it.victim.Victim;
import java.io.File;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

/** Bad configuration stops the JVM with one clear line; good configuration follows precedence. */
class ConfigurationTest {

    private static final int EXIT_INVALID_CONFIG = 78;

    private static ForkedJvm.Result runWith(Path dir, String agentOptions, String... jvmArgs) throws Exception {
        return ForkedJvm.on(Jdks.current()).workDir(dir).jvmArg(jvmArgs).withAgent(agentOptions)
                .runMain(Victim.class, "read", Files.createTempFile(dir, "p", ".ser").toString());
    }

    @Test
    void refusesToStartWithInvalidPolicyFileNamingFileLineAndKey() throws Exception {
        Path dir = Files.createTempDirectory("safeload-config-");
        Path policy = dir.resolve("policy.properties");
        Files.writeString(policy, "# policy\nmode=enforce\nserial.maxDepth=deep\n");
        ForkedJvm.Result result = runWith(dir, "policy=" + policy);
        assertEquals(EXIT_INVALID_CONFIG, result.exitCode(), result::toString);
        assertTrue(result.stderr().contains("policy file " + policy + " line 3, key serial.maxDepth: expected a positive whole number"),
                result::toString);
        assertFalse(result.stdout().contains("RESULT"), () -> "the application must not run\n" + result);
    }

    @Test
    void refusesUnknownKeysInEverySource() throws Exception {
        Path dir = Files.createTempDirectory("safeload-config-");
        Path policy = dir.resolve("policy.properties");
        Files.writeString(policy, "serial.allow=a.*\nserial.maxdepth=5\n");
        ForkedJvm.Result inFile = runWith(dir, "policy=" + policy);
        assertEquals(EXIT_INVALID_CONFIG, inFile.exitCode(), inFile::toString);
        assertTrue(inFile.stderr().contains("line 2: unknown key \"serial.maxdepth\"; did you mean \"serial.maxDepth\"?"),
                inFile::toString);

        ForkedJvm.Result inOption = runWith(dir, "mode=enforce,colour=blue");
        assertTrue(inOption.stderr().contains("agent option \"colour=blue\": unknown key \"colour\""), inOption::toString);

        ForkedJvm.Result inProperty = runWith(dir, "", "-Dsafeload.moed=audit");
        assertTrue(inProperty.stderr().contains("system property -Dsafeload.moed: unknown key \"moed\""), inProperty::toString);
        assertEquals(EXIT_INVALID_CONFIG, inProperty.exitCode());

        ForkedJvm.Result badPattern = runWith(dir, "serial.allow=com.acme.*.dto");
        assertTrue(badPattern.stderr().contains("key serial.allow: pattern \"com.acme.*.dto\""), badPattern::toString);
    }

    @Test
    void startsWithBuiltInPolicyWhenAskedToOnConfigError() throws Exception {
        Scenario s = Scenario.on(Jdks.current());
        Path policy = s.dir().resolve("broken.properties");
        Files.writeString(policy, "serial.presets=nosuchpreset\n");
        Path payload = s.payload(Payloads.serialize(Payloads.commonsCollections3(s.marker())));
        Scenario.Outcome outcome = s.run("policy=" + policy + ",onConfigError=defaults", "read", payload.toString());
        assertTrue(outcome.jvm().stderr().contains("unknown preset \"nosuchpreset\""), outcome::toString);
        assertTrue(outcome.result().startsWith("RESULT refused"), outcome::toString);
        assertFalse(outcome.markerCreated());
    }

    @Test
    void appliesSourcesInDocumentedPrecedence() throws Exception {
        Scenario s = Scenario.on(Jdks.current());
        List<Integer> fifty = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            fifty.add(1000 + i);
        }
        Path payload = s.payload(Payloads.serialize(new ArrayList<>(fifty)));
        Path policy = s.dir().resolve("policy.properties");
        Files.writeString(policy, "serial.maxRefs=5\n");

        ForkedJvm.Result fileOnly = ForkedJvm.on(Jdks.current()).workDir(s.dir()).withAgent("policy=" + policy)
                .runMain(Victim.class, "read", payload.toString());
        assertTrue(fileOnly.stdout().contains("rule serial.maxRefs"), fileOnly::toString);

        ForkedJvm.Result envOverFile = ForkedJvm.on(Jdks.current()).workDir(s.dir()).withAgent("policy=" + policy)
                .env("SAFELOAD_SERIAL_MAXREFS", "1000").runMain(Victim.class, "read", payload.toString());
        assertTrue(envOverFile.stdout().contains("RESULT ok java.util.ArrayList"), envOverFile::toString);

        ForkedJvm.Result propertyOverEnv = ForkedJvm.on(Jdks.current()).workDir(s.dir()).withAgent("policy=" + policy)
                .env("SAFELOAD_SERIAL_MAXREFS", "1000").jvmArg("-Dsafeload.serial.maxRefs=5")
                .runMain(Victim.class, "read", payload.toString());
        assertTrue(propertyOverEnv.stdout().contains("rule serial.maxRefs"), propertyOverEnv::toString);

        ForkedJvm.Result optionOverProperty = ForkedJvm.on(Jdks.current()).workDir(s.dir())
                .withAgent("policy=" + policy + ",serial.maxRefs=1000").jvmArg("-Dsafeload.serial.maxRefs=5")
                .runMain(Victim.class, "read", payload.toString());
        assertTrue(optionOverProperty.stdout().contains("RESULT ok java.util.ArrayList"), optionOverProperty::toString);
    }

    @Test
    void appliesAPolicyEmbeddedInTheApplicationJar() throws Exception {
        Scenario s = Scenario.on(Jdks.current());
        List<Integer> fifty = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            fifty.add(1000 + i);
        }
        Path payload = s.payload(Payloads.serialize(new ArrayList<>(fifty)));
        Path embedding = applicationJar(s.dir().resolve("embedding.jar"), true);
        Path plain = applicationJar(s.dir().resolve("plain.jar"), false);

        // The agent keeps the application jar open after reading the policy from it (the JDK
        // then shares its central directory with the launcher's): the application's classes
        // still load from it, the policy is the jar's.
        ForkedJvm.Result embedded = ForkedJvm.on(Jdks.current()).workDir(s.dir()).withAgent("")
                .runJar(embedding, "read", payload.toString());
        assertTrue(embedded.stdout().contains("rule serial.maxRefs"), embedded::toString);
        assertTrue(embedded.stderr().contains("policy embedded in " + embedding + "!/app-policy.properties"),
                embedded::toString);

        ForkedJvm.Result withoutAttribute = ForkedJvm.on(Jdks.current()).workDir(s.dir()).withAgent("")
                .runJar(plain, "read", payload.toString());
        assertTrue(withoutAttribute.stdout().contains("RESULT ok java.util.ArrayList"), withoutAttribute::toString);

        ForkedJvm.Result optionOverEmbedded = ForkedJvm.on(Jdks.current()).workDir(s.dir())
                .withAgent("serial.maxRefs=1000").runJar(embedding, "read", payload.toString());
        assertTrue(optionOverEmbedded.stdout().contains("RESULT ok java.util.ArrayList"), optionOverEmbedded::toString);
    }

    /**
     * A jar that starts {@link Victim}, with the tests' class path in its {@code Class-Path} and
     * a policy entry ({@code serial.maxRefs=5}); its manifest names the entry if {@code name}.
     */
    private static Path applicationJar(Path jar, boolean name) throws Exception {
        StringBuilder classPath = new StringBuilder();
        for (String entry : ForkedJvm.classPath()) {
            classPath.append(classPath.length() == 0 ? "" : " ").append(new File(entry).toURI());
        }
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.put(Attributes.Name.MAIN_CLASS, Victim.class.getName());
        main.put(Attributes.Name.CLASS_PATH, classPath.toString());
        if (name) {
            main.putValue("Safeload-Policy", "app-policy.properties");
        }
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            out.putNextEntry(new JarEntry("app-policy.properties"));
            out.write("serial.maxRefs=5\n".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }

    @Test
    void refusesToStartWhenTheLogCannotBeWritten() throws Exception {
        Path dir = Files.createTempDirectory("safeload-config-");
        Path file = dir.resolve("a-file");
        Files.writeString(file, "x");
        ForkedJvm.Result result = runWith(dir, "log=" + file.resolve("violations.jsonl"));
        assertEquals(EXIT_INVALID_CONFIG, result.exitCode(), result::toString);
        assertTrue(result.stderr().contains("key log: cannot write the violation log"), result::toString);
    }
}
