package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.safeload.it.support.DeserRun;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.victim.XmlOrder;
import java.beans.XMLEncoder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code serial.maxWork} on {@code java.beans.XMLDecoder} in real JVMs: a HashSet hash bomb built
 * from nothing but the default method rule ({@code add} on a collection, {@code idref}) hashes
 * for minutes without the agent and is refused under it; an XMLEncoder document that shares a
 * bean and a list hundreds of times still reads.
 */
class XmlDecoderBudgetTest {

    private static final String[] VERIFY = {"-XX:+UnlockDiagnosticVMOptions", "-XX:+BytecodeVerificationLocal"};
    private static final String ENTRY_POINT = "java.beans.XMLDecoder.readObject";
    /** A twin without the agent is killed after this: the bomb's read must not have finished by then. */
    private static final int TWIN_SECONDS = 10;

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    /**
     * Sets a0 and b0, then at each level a = {a below, b below} and b = the same plus a string, so
     * the two differ: every {@code add} of a set hashes every path through it, 2^level of them.
     */
    static String hashSetBomb(int depth) {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<java version=\"17\" class=\"java.beans.XMLDecoder\">\n <object class=\"java.util.ArrayList\">\n"
                + "  <void method=\"add\"><object class=\"java.util.HashSet\" id=\"a0\"/></void>\n"
                + "  <void method=\"add\"><object class=\"java.util.HashSet\" id=\"b0\">"
                + "<void method=\"add\"><string>b</string></void></object></void>\n");
        for (int level = 1; level <= depth; level++) {
            for (String set : List.of("a", "b")) {
                xml.append("  <void method=\"add\"><object class=\"java.util.HashSet\" id=\"").append(set).append(level)
                        .append("\"><void method=\"add\"><object idref=\"a").append(level - 1).append("\"/></void>")
                        .append("<void method=\"add\"><object idref=\"b").append(level - 1).append("\"/></void>")
                        .append(set.equals("b") ? "<void method=\"add\"><string>b</string></void>" : "")
                        .append("</object></void>\n");
            }
        }
        return xml.append(" </object>\n</java>\n").toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesAHashSetBombThroughIdrefsByItsWork(Jdks.Jdk jdk) throws Exception {
        DeserRun run = DeserRun.on(jdk).jvmArg(VERIFY);
        Path bomb = run.document("bomb.xml", hashSetBomb(30));
        DeserRun.Outcome outcome = run.run("", List.of(), "xmldecoder", bomb.toString());
        assertFalse(outcome.jvm().timedOut(), outcome::toString);
        assertTrue(outcome.result().startsWith("RESULT refused dev.safeload.deser.DeserializationRefusedError: "
                + "safeload: refused java.util.HashSet (rule serial.maxWork: "), outcome::toString);
        List<JsonNode> refusals = outcome.actions("refuse");
        assertEquals(1, refusals.size(), outcome::toString);
        JsonNode event = refusals.get(0);
        assertEquals("serial.maxWork", event.path("rule.name").asText(), event::toString);
        assertEquals(ENTRY_POINT, event.path("safeload.entry_point").asText(), event::toString);
        assertEquals("xmldecoder", event.path("safeload.library").asText(), event::toString);
        assertEquals("java.util.HashSet", event.path("safeload.class").asText(), event::toString);
        assertFalse(outcome.jvm().stderr().contains("VerifyError"), outcome::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void hashSetBombHashesPastTheTimeoutWithoutTheAgent(Jdks.Jdk jdk) throws Exception {
        DeserRun run = DeserRun.on(jdk).timeoutSeconds(TWIN_SECONDS);
        Path bomb = run.document("bomb.xml", hashSetBomb(30));
        DeserRun.Outcome twin = run.run(null, List.of(), "xmldecoder", bomb.toString());
        assertTrue(twin.jvm().timedOut(), () -> "the bomb's read ended within " + TWIN_SECONDS
                + " s without the agent\n" + twin);
        assertFalse(twin.jvm().stdout().contains("RESULT "), twin::toString);
    }

    /**
     * A {@code HashSet} of {@code count} lists {@code [x, 12345 - 31x]}, which share one hash code:
     * each {@code add} walks past every list before it. Only {@code new} and {@code add}.
     */
    static String keysWithOneHashCode(int count) {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<java version=\"17\" class=\"java.beans.XMLDecoder\">\n <object class=\"java.util.HashSet\">\n");
        for (int x = 0; x < count; x++) {
            xml.append("  <void method=\"add\"><object class=\"java.util.ArrayList\"><void method=\"add\"><int>")
                    .append(x).append("</int></void><void method=\"add\"><int>").append(12345 - 31 * x)
                    .append("</int></void></object></void>\n");
        }
        return xml.append(" </object>\n</java>\n").toString();
    }

    /**
     * 32,768 keys with one hash code (4.3 MB): without the agent still hashing after 10 s (8,000
     * took 0.9 s, and the cost grows with the square); refused by the document's CPU budget.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesKeysWithOneHashCodeByTheDocumentsCpu(Jdks.Jdk jdk) throws Exception {
        DeserRun run = DeserRun.on(jdk);
        Path keys = run.document("keys.xml", keysWithOneHashCode(32_768));
        DeserRun.Outcome outcome = run.run("", List.of(), "xmldecoder", keys.toString());
        assertFalse(outcome.jvm().timedOut(), outcome::toString);
        assertTrue(outcome.result().startsWith("RESULT refused dev.safeload.deser.DeserializationRefusedError: "
                + "safeload: refused java.util."), outcome::toString);
        List<JsonNode> refusals = outcome.actions("refuse");
        assertEquals(1, refusals.size(), outcome::toString);
        assertEquals("serial.maxWork", refusals.get(0).path("rule.name").asText(), outcome::toString);
        assertTrue(refusals.get(0).path("message").asText().contains(
                " ms of CPU, more than 0.75 s and 10 microseconds for each of the "), outcome::toString);

        DeserRun plain = DeserRun.on(jdk).timeoutSeconds(TWIN_SECONDS);
        DeserRun.Outcome twin = plain.run(null, List.of(), "xmldecoder",
                plain.document("keys.xml", keysWithOneHashCode(32_768)).toString());
        assertTrue(twin.jvm().timedOut(), () -> "the read ended within " + TWIN_SECONDS + " s without the agent\n" + twin);
    }

    /** Audit mode logs the bomb once and lets it run: a smaller one, which ends in a few seconds. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void auditModeLogsTheBombOnceAndLetsItRead(Jdks.Jdk jdk) throws Exception {
        DeserRun run = DeserRun.on(jdk);
        Path bomb = run.document("bomb.xml", hashSetBomb(20));
        DeserRun.Outcome outcome = run.run("mode=audit", List.of(), "xmldecoder", bomb.toString());
        assertTrue(outcome.result().startsWith("RESULT ok java.util.ArrayList"), outcome::toString);
        List<JsonNode> audits = outcome.actions("audit");
        assertEquals(1, audits.size(), outcome::toString);
        assertEquals("serial.maxWork", audits.get(0).path("rule.name").asText(), outcome::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void readsAnXmlEncoderListSharingABeanAndAListHundredsOfTimes(Jdks.Jdk jdk) throws Exception {
        XmlOrder shared = XmlOrder.sample();
        List<String> sharedLines = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            sharedLines.add("line-" + i);
        }
        List<Object> orders = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            XmlOrder order = XmlOrder.sample();
            order.setId("order-" + i);
            orders.add(order);
        }
        for (int i = 0; i < 300; i++) {
            orders.add(shared);
            orders.add(sharedLines);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (XMLEncoder encoder = new XMLEncoder(bytes)) {
            encoder.writeObject(orders);
        }
        String xml = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(xml.contains("idref="), "XMLEncoder writes the shared objects once, then by reference");

        DeserRun run = DeserRun.on(jdk).jvmArg(VERIFY);
        Path document = run.document("orders.xml", xml);
        String expected = "RESULT ok java.util.ArrayList " + orders + " (listener got 0)";
        DeserRun.Outcome plain = run.run(null, List.of(), "xmldecoder", document.toString());
        assertEquals(expected, plain.result(), plain::toString);
        DeserRun.Outcome guarded = run.run("serial.allow=dev.safeload.it.victim.XmlOrder;dev.safeload.it.victim.XmlOrder$Status",
                List.of(), "xmldecoder", document.toString());
        assertEquals(expected, guarded.result(), guarded::toString);
        assertEquals(List.of(), guarded.actions("refuse"), guarded::toString);
        assertEquals(List.of(), guarded.actions("audit"), guarded::toString);
    }
}
