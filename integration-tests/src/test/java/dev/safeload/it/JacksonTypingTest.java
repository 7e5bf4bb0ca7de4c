package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.safeload.it.support.DocumentPayloads;
import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.ViolationLog;
import dev.safeload.it.victim.Detonator;
import dev.safeload.it.victim.DocumentVictim;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Jackson databind 2.x with polymorphic typing on, in real JVMs with the agent: a commons-dbcp
 * 1.x {@code BasicDataSource} (which Jackson's own denylist misses) whose connection runs an H2
 * {@code INIT} script is refused through every way a class-name type id is read, each beside
 * its twin without the agent that shows the script runs; a typed DTO reads once allowed.
 */
class JacksonTypingTest {

    private static final String DBCP = "org.apache.commons.dbcp.BasicDataSource";

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    /** Each way a class name in the document becomes a type, with the payload shaped for it. */
    private static final Map<String, Function<Path, String>> ATTACKS = Map.of(
            "jackson-default-typing", DocumentPayloads::jacksonDbcpDefaultTyping,
            "jackson-enable-default-typing", DocumentPayloads::jacksonDbcpDefaultTyping,
            "jackson-reader", DocumentPayloads::jacksonDbcpDefaultTyping,
            "jackson-class-property", DocumentPayloads::jacksonDbcpClassProperty,
            "jackson-minimal-class", DocumentPayloads::jacksonDbcpMinimalClass);

    private static ForkedJvm.Result run(Jdks.Jdk jdk, Path dir, String agentOptions, String mode, Path document)
            throws Exception {
        ForkedJvm jvm = ForkedJvm.on(jdk).workDir(dir);
        if (agentOptions != null) {
            jvm.withAgent(agentOptions);
        }
        return jvm.runMain(DocumentVictim.class, mode, document.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesTheDbcpDataSourceWhoseH2InitScriptRunsWithoutTheAgent(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-jackson-");
        for (Map.Entry<String, Function<Path, String>> attack : ATTACKS.entrySet()) {
            String mode = attack.getKey();
            Path marker = dir.resolve("pwned-" + mode + ".csv");
            Path doc = DocumentPayloads.write(dir, mode + ".json", attack.getValue().apply(marker));

            ForkedJvm.Result twin = run(jdk, dir, null, mode, doc);
            assertTrue(twin.stdout().contains("RESULT ok " + DBCP), () -> mode + "\n" + twin);
            assertTrue(Files.exists(marker), mode + ": without the agent the INIT script writes the file");
            Files.delete(marker);

            Path log = dir.resolve(mode + ".jsonl");
            ForkedJvm.Result guarded = run(jdk, dir, "log=" + log, mode, doc);
            assertTrue(guarded.stdout().contains("RESULT refused com.fasterxml.jackson.databind.JsonMappingException:"
                    + " safeload: refused " + DBCP + " (rule serial.deny: !" + DBCP + ")"), () -> mode + "\n" + guarded);
            assertFalse(Files.exists(marker), mode);
            JsonNode event = ViolationLog.withAction(ViolationLog.read(log), "refuse").get(0);
            String entry = mode.equals("jackson-reader") ? "com.fasterxml.jackson.databind.ObjectReader.readValue"
                    : "com.fasterxml.jackson.databind.ObjectMapper.readValue";
            assertEquals(entry, event.path("safeload.entry_point").asText(), event::toString);
            assertEquals("jackson", event.path("safeload.library").asText());
            assertEquals(DBCP, event.path("safeload.class").asText());
            assertTrue(event.path("safeload.call_site").asText().startsWith(DocumentVictim.class.getName() + ".read("),
                    event::toString);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void auditModeLogsTheDataSourceAndLetsTheDocumentRead(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-jackson-");
        Path marker = dir.resolve("pwned-audit.csv");
        Path doc = DocumentPayloads.write(dir, "attack.json", DocumentPayloads.jacksonDbcpDefaultTyping(marker));
        Path log = dir.resolve("audit.jsonl");

        ForkedJvm.Result audited = run(jdk, dir, "mode=audit,log=" + log, "jackson-default-typing", doc);

        assertTrue(audited.stdout().contains("RESULT ok " + DBCP), audited::toString);
        assertTrue(Files.exists(marker), "audit lets it through");
        List<JsonNode> audits = ViolationLog.withAction(ViolationLog.read(log), "audit");
        assertEquals(List.of(DBCP), audits.stream().map(e -> e.path("safeload.class").asText()).toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void readsATypedOrderOnceServialAllowNamesItsClasses(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-jackson-");
        Path typed = DocumentPayloads.write(dir, "order.json", DocumentPayloads.jacksonOrderDefaultTyping());
        Path property = DocumentPayloads.write(dir, "envelope.json", DocumentPayloads.jacksonOrderClassProperty());
        Path log = dir.resolve("v.jsonl");
        String expected = "RESULT ok dev.safeload.it.victim.docs.Order Order[id=A-17, items=[X-1x2@9.50, Y-2x1@120.00],"
                + " metadata={channel=web, tags=[gift, express]}]";

        ForkedJvm.Result unknown = run(jdk, dir, "log=" + log, "jackson-default-typing", typed);
        assertTrue(unknown.stdout().contains("safeload: refused dev.safeload.it.victim.docs.Order (rule serial.allow:"),
                unknown::toString);

        String allow = "log=" + log + ",serial.allow=dev.safeload.it.victim.docs.Order;dev.safeload.it.victim.docs.LineItem";
        ForkedJvm.Result defaultTyping = run(jdk, dir, allow, "jackson-default-typing", typed);
        assertTrue(defaultTyping.stdout().contains(expected), defaultTyping::toString);
        ForkedJvm.Result classProperty = run(jdk, dir, allow, "jackson-class-property", property);
        assertTrue(classProperty.stdout().contains(expected), classProperty::toString);
    }

    /**
     * A {@code Class<?>} field, a {@code Map<Class<?>, V>} key and a {@code JavaType} field name a
     * class with no typing on and no validator asked: Jackson's {@code findClass} is
     * {@code Class.forName(name, true, loader)}, so without the agent the class's static
     * initialiser runs ({@code Detonator} writes a marker). Under the agent each is refused
     * before the class loads; a class the policy allows ({@code java.lang.String}) still reads.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesClassAndJavaTypeValuesThatInitialiseTheNamedClassWithoutTheAgent(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-jackson-");
        String detonator = Detonator.class.getName();
        Map<String, String> documents = Map.of(
                "class-field", "{\"type\":\"" + detonator + "\"}",
                "class-key", "{\"byClass\":{\"" + detonator + "\":\"x\"}}",
                "java-type", "{\"javaType\":\"java.util.ArrayList<" + detonator + ">\"}");
        for (Map.Entry<String, String> document : documents.entrySet()) {
            String name = document.getKey();
            Path marker = dir.resolve("pwned-" + name);
            Path doc = DocumentPayloads.write(dir, name + ".json", document.getValue());

            ForkedJvm.Result twin = ForkedJvm.on(jdk).workDir(dir).jvmArg("-Dvictim.marker=" + marker)
                    .runMain(DocumentVictim.class, "jackson-class-values", doc.toString());
            assertTrue(twin.stdout().contains("RESULT ok " + DocumentVictim.ClassValues.class.getName()),
                    () -> name + "\n" + twin);
            assertTrue(Files.exists(marker), name + ": without the agent the named class is initialised");
            Files.delete(marker);

            Path log = dir.resolve(name + ".jsonl");
            ForkedJvm.Result guarded = ForkedJvm.on(jdk).workDir(dir).withAgent("log=" + log)
                    .jvmArg("-Dvictim.marker=" + marker).runMain(DocumentVictim.class, "jackson-class-values", doc.toString());
            assertTrue(guarded.stdout().contains("RESULT refused "), () -> name + "\n" + guarded);
            // Jackson's key deserializer drops the cause: its InvalidFormatException names the key only.
            assertTrue(name.equals("class-key") || guarded.stdout().contains("safeload: refused " + detonator
                    + " (rule serial.allow:"), () -> name + "\n" + guarded);
            assertFalse(Files.exists(marker), name);
            JsonNode event = ViolationLog.withAction(ViolationLog.read(log), "refuse").get(0);
            assertEquals("com.fasterxml.jackson.databind.ObjectMapper.readValue", event.path("safeload.entry_point").asText(),
                    event::toString);
            assertEquals("jackson", event.path("safeload.library").asText());
            assertEquals(detonator, event.path("safeload.class").asText());
        }

        Path benign = DocumentPayloads.write(dir, "benign.json",
                "{\"type\":\"java.lang.String\",\"javaType\":\"java.util.ArrayList<java.lang.String>\"}");
        ForkedJvm.Result allowed = ForkedJvm.on(jdk).workDir(dir).withAgent("log=" + dir.resolve("benign.jsonl"))
                .runMain(DocumentVictim.class, "jackson-class-values", benign.toString());
        assertTrue(allowed.stdout().contains("RESULT ok " + DocumentVictim.ClassValues.class.getName()
                + " ClassValues[type=class java.lang.String, byClass=null, javaType=[collection type; class java.util.ArrayList,"
                + " contains [simple type, class java.lang.String]]]"), allowed::toString);
    }

    /**
     * {@code Yaml.loadAs(text, BasicDataSource.class)}: the root type is the application's
     * choice and SnakeYAML's read of it is not judged. That choice stays SnakeYAML's: a later
     * Jackson read on the same thread that names the same class from the document (the dbcp
     * attack) is judged like any other, and refused by the denylist.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void theRootAnEarlierLoadAsChoseIsNotLetThroughForALaterJacksonRead(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-jackson-");
        Path marker = dir.resolve("pwned-after-load-as.csv");
        Path doc = DocumentPayloads.write(dir, "attack.json", DocumentPayloads.jacksonDbcpDefaultTyping(marker));
        String mode = "yaml-datasource-config-then-jackson";

        ForkedJvm.Result twin = run(jdk, dir, null, mode, doc);
        assertTrue(twin.stdout().contains("RESULT ok " + DBCP), twin::toString);
        assertTrue(Files.exists(marker), "without the agent the INIT script writes the file");
        Files.delete(marker);

        Path log = dir.resolve("v.jsonl");
        ForkedJvm.Result guarded = run(jdk, dir, "log=" + log, mode, doc);
        assertTrue(guarded.stdout().contains("RESULT refused com.fasterxml.jackson.databind.JsonMappingException:"
                + " safeload: refused " + DBCP + " (rule serial.deny: !" + DBCP + ")"), guarded::toString);
        assertFalse(Files.exists(marker));
        List<JsonNode> refusals = ViolationLog.withAction(ViolationLog.read(log), "refuse");
        assertEquals(List.of("jackson"), refusals.stream().map(e -> e.path("safeload.library").asText()).toList(),
                "the application's own loadAs read is not refused");
    }
}
