package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.safeload.it.support.DeserRun;
import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.victim.XmlOrder;
import java.beans.XMLEncoder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code java.beans.XMLDecoder} in real JVMs: every attack really runs without the agent, is
 * refused under it with the decoder's listener swallowing every exception, and the edited
 * java.desktop classes pass the bytecode verifier ({@code -XX:+BytecodeVerificationLocal}).
 */
class XmlDecoderTest {

    private static final String[] VERIFY = {"-XX:+UnlockDiagnosticVMOptions", "-XX:+BytecodeVerificationLocal"};
    private static final String ENTRY_POINT = "java.beans.XMLDecoder.readObject";
    private static final String DTO = "serial.allow=dev.safeload.it.victim.XmlOrder;dev.safeload.it.victim.XmlOrder$Status";

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    private static String document(String body) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<java version=\"17\" class=\"java.beans.XMLDecoder\">\n"
                + body + "</java>\n";
    }

    private static String processBuilder(Path marker) {
        return " <object class=\"java.lang.ProcessBuilder\">\n  <array class=\"java.lang.String\" length=\"2\">\n"
                + "   <void index=\"0\"><string>touch</string></void>\n"
                + "   <void index=\"1\"><string>" + marker + "</string></void>\n  </array>\n"
                + "  <void method=\"start\"/>\n </object>\n";
    }

    private static String fileOutputStream(Path marker) {
        return " <object class=\"java.io.FileOutputStream\">\n  <string>" + marker + "</string>\n"
                + "  <void method=\"write\"><array class=\"byte\" length=\"1\"><void index=\"0\"><byte>112</byte></void></array></void>\n"
                + " </object>\n";
    }

    /** A call outside the defaults on a class the operator allowed: File is a DTO field type, createNewFile is not an accessor. */
    private static String fileCreate(Path marker) {
        return " <object class=\"java.io.File\">\n  <string>" + marker + "</string>\n  <void method=\"createNewFile\"/>\n"
                + " </object>\n";
    }

    /**
     * Without the agent the document really creates {@code marker}; under the agent it creates
     * nothing, and the read is refused naming {@code refusedClass}.
     */
    private static void assertRefusedWhereTheTwinCreatesTheMarker(DeserRun run, Path doc, Path marker,
            String refusedClass) throws Exception {
        DeserRun.Outcome twin = run.run(null, List.of(marker), "xmldecoder", doc.toString());
        assertEquals(List.of(marker), twin.markersCreated(), twin::toString);
        DeserRun.Outcome outcome = run.run("", List.of(marker), "xmldecoder", doc.toString());
        assertEquals(List.of(), outcome.markersCreated(), outcome::toString);
        assertTrue(outcome.result().startsWith("RESULT refused dev.safeload.deser.DeserializationRefusedError: "
                + "safeload: refused " + refusedClass), outcome::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void eachAttackRunsWithoutTheAgentAndTheSecondStatementRunsEvenAfterTheFirst(Jdks.Jdk jdk) throws Exception {
        DeserRun run = DeserRun.on(jdk);
        Path pb = run.marker("pwned-by-process");
        Path fos = run.marker("pwned-by-file-write");
        Path doc = run.document("attack.xml", document(processBuilder(pb) + fileOutputStream(fos)));
        DeserRun.Outcome outcome = run.run(null, List.of(pb, fos), "xmldecoder", doc.toString());
        assertEquals(List.of(pb, fos), outcome.markersCreated(), outcome::toString);
        assertTrue(outcome.result().startsWith("RESULT ok java.lang.ProcessBuilder"), outcome::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesProcessBuilderAndStopsTheDocumentThoughTheListenerSwallowsEverything(Jdks.Jdk jdk) throws Exception {
        DeserRun run = DeserRun.on(jdk).jvmArg(VERIFY);
        Path pb = run.marker("pwned-by-process");
        Path fos = run.marker("pwned-by-file-write");
        Path doc = run.document("attack.xml", document(processBuilder(pb) + fileOutputStream(fos)));
        DeserRun.Outcome outcome = run.run("", List.of(pb, fos), "xmldecoder", doc.toString());
        assertEquals(List.of(), outcome.markersCreated(), outcome::toString);
        assertTrue(outcome.result().startsWith("RESULT refused dev.safeload.deser.DeserializationRefusedError: "
                + "safeload: refused java.lang.ProcessBuilder (rule serial.deny: !java.lang.ProcessBuilder) in " + ENTRY_POINT),
                outcome::toString);
        List<JsonNode> refusals = outcome.actions("refuse");
        assertEquals(1, refusals.size(), () -> "the document stops at the first refusal\n" + outcome);
        JsonNode event = refusals.get(0);
        assertEquals("java.lang.ProcessBuilder", event.path("safeload.class").asText());
        assertEquals("serial.deny", event.path("rule.name").asText(), "ProcessBuilder is on the gadget denylist");
        assertEquals(ENTRY_POINT, event.path("safeload.entry_point").asText());
        assertEquals("xmldecoder", event.path("safeload.library").asText());
        assertTrue(event.path("safeload.call_site").asText().startsWith("dev.safeload.it.victim.DeserVictim.xmlDecoder"),
                event::toString);
        assertFalse(outcome.jvm().stderr().contains("cannot hook"), outcome::toString);
        assertFalse(outcome.jvm().stderr().contains("VerifyError"), outcome::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesFileOutputStreamWrite(Jdks.Jdk jdk) throws Exception {
        DeserRun run = DeserRun.on(jdk).jvmArg(VERIFY);
        Path fos = run.marker("pwned-by-file-write");
        Path doc = run.document("attack.xml", document(fileOutputStream(fos)));
        assertRefusedWhereTheTwinCreatesTheMarker(run, doc, fos, "java.io.FileOutputStream");
    }

    /** An independent attack of the same kind: a static factory, then a call on what it returned. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesRuntimeExec(Jdks.Jdk jdk) throws Exception {
        DeserRun run = DeserRun.on(jdk).jvmArg(VERIFY);
        Path marker = run.marker("pwned-by-exec");
        Path doc = run.document("exec.xml", document(" <object class=\"java.lang.Runtime\" method=\"getRuntime\">\n"
                + "  <void method=\"exec\"><array class=\"java.lang.String\" length=\"2\">\n"
                + "   <void index=\"0\"><string>touch</string></void>\n"
                + "   <void index=\"1\"><string>" + marker + "</string></void>\n  </array></void>\n </object>\n"));
        assertRefusedWhereTheTwinCreatesTheMarker(run, doc, marker, "java.lang.Runtime");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesAMethodOutsideTheDefaultsOnAnAllowedClassUntilItIsListed(Jdks.Jdk jdk) throws Exception {
        DeserRun run = DeserRun.on(jdk).jvmArg(VERIFY);
        Path created = run.marker("created-by-file");
        Path doc = run.document("file.xml", document(fileCreate(created)));
        DeserRun.Outcome twin = run.run(null, List.of(created), "xmldecoder", doc.toString());
        assertEquals(List.of(created), twin.markersCreated(), twin::toString);

        DeserRun.Outcome refused = run.run("serial.allow=java.io.File", List.of(created), "xmldecoder", doc.toString());
        assertEquals(List.of(), refused.markersCreated(), refused::toString);
        assertTrue(refused.result().contains("safeload: refused java.io.File.createNewFile (rule xmldecoder.allowMethods: "
                + "not in the allowlist)"), refused::toString);
        JsonNode event = refused.actions("refuse").get(0);
        assertEquals("java.io.File", event.path("safeload.class").asText());
        assertEquals("createNewFile", event.path("safeload.member").asText());
        assertEquals("xmldecoder.allowMethods", event.path("rule.name").asText());

        DeserRun.Outcome listed = run.run("serial.allow=java.io.File,xmldecoder.allowMethods=java.io.File.createNewFile",
                List.of(created), "xmldecoder", doc.toString());
        assertEquals(List.of(created), listed.markersCreated(), listed::toString);
        assertTrue(listed.result().startsWith("RESULT ok java.io.File"), listed::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesAnArrayLongerThanSerialMaxArrayBeforeItIsAllocated(Jdks.Jdk jdk) throws Exception {
        DeserRun run = DeserRun.on(jdk).jvmArg("-Xmx64m");
        Path doc = run.document("bomb.xml", document(" <array class=\"long\" length=\"2000000000\"/>\n"));
        DeserRun.Outcome twin = run.run(null, List.of(), "xmldecoder", doc.toString());
        assertTrue(twin.result().startsWith("RESULT failed java.lang.OutOfMemoryError"), twin::toString);
        DeserRun.Outcome outcome = run.run("", List.of(), "xmldecoder", doc.toString());
        assertTrue(outcome.result().startsWith("RESULT refused dev.safeload.deser.DeserializationRefusedError: "
                + "safeload: refused [J (rule serial.maxArray: 2000000000 > 10000000)"), outcome::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void readsAnXmlEncoderBeanAndMapOnceTheBeanIsAllowed(Jdks.Jdk jdk) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (XMLEncoder encoder = new XMLEncoder(bytes)) {
            encoder.writeObject(XmlOrder.sample());
        }
        DeserRun run = DeserRun.on(jdk).jvmArg(VERIFY);
        Path bean = run.document("order.xml", bytes.toString(StandardCharsets.UTF_8));
        DeserRun.Outcome plain = run.run(null, List.of(), "xmldecoder", bean.toString());
        String expected = "RESULT ok dev.safeload.it.victim.XmlOrder " + XmlOrder.sample() + " (listener got 0)";
        assertEquals(expected, plain.result(), plain::toString);

        DeserRun.Outcome unlisted = run.run("", List.of(), "xmldecoder", bean.toString());
        assertTrue(unlisted.result().startsWith("RESULT refused dev.safeload.deser.DeserializationRefusedError: "
                + "safeload: refused dev.safeload.it.victim.XmlOrder"), unlisted::toString);

        DeserRun.Outcome allowed = run.run(DTO, List.of(), "xmldecoder", bean.toString());
        assertEquals(expected, allowed.result(), allowed::toString);
        assertTrue(allowed.actions("refuse").isEmpty(), allowed::toString);

        Map<String, Object> map = new LinkedHashMap<>();
        map.put("model", "risk-v3");
        map.put("threshold", 0.75);
        map.put("labels", new java.util.ArrayList<>(List.of("low", "high")));
        bytes.reset();
        try (XMLEncoder encoder = new XMLEncoder(bytes)) {
            encoder.writeObject(map);
        }
        Path config = run.document("config.xml", bytes.toString(StandardCharsets.UTF_8));
        DeserRun.Outcome mapRead = run.run("", List.of(), "xmldecoder", config.toString());
        assertEquals("RESULT ok java.util.LinkedHashMap " + map + " (listener got 0)", mapRead.result(), mapRead::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void auditModeLetsTheAttackRunAndLogsIt(Jdks.Jdk jdk) throws Exception {
        DeserRun run = DeserRun.on(jdk);
        Path pb = run.marker("pwned-by-process");
        Path doc = run.document("attack.xml", document(processBuilder(pb)));
        DeserRun.Outcome outcome = run.run("mode=audit", List.of(pb), "xmldecoder", doc.toString());
        assertEquals(List.of(pb), outcome.markersCreated(), outcome::toString);
        assertTrue(outcome.actions("refuse").isEmpty(), outcome::toString);
        List<JsonNode> audits = outcome.actions("audit");
        assertTrue(audits.stream().anyMatch(e -> "java.lang.ProcessBuilder".equals(e.path("safeload.class").asText())
                && ENTRY_POINT.equals(e.path("safeload.entry_point").asText())), outcome::toString);
        assertTrue(audits.stream().anyMatch(e -> "start".equals(e.path("safeload.member").asText())), outcome::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aJvmThatNeverDecodesXmlLoadsNoneOfTheseHooks(Jdks.Jdk jdk) throws Exception {
        dev.safeload.it.support.Scenario s = dev.safeload.it.support.Scenario.on(jdk).jvmArg("-verbose:class");
        Path payload = s.payload(dev.safeload.it.support.Payloads.serialize(new java.util.HashMap<>(Map.of("k", "v"))));
        dev.safeload.it.support.Scenario.Outcome outcome = s.run("", "read", payload.toString());
        assertTrue(outcome.result().startsWith("RESULT ok java.util.HashMap"), outcome::toString);
        assertTrue(outcome.jvm().stdout().contains("dev.safeload.serial.SerialGate"), "the probe sees the agent's classes");
        assertFalse(outcome.jvm().stdout().contains("dev.safeload.instrument.xmldecoder."), outcome::toString);
        assertFalse(outcome.jvm().stdout().contains("dev.safeload.instrument.xstream."), outcome::toString);
        assertFalse(outcome.jvm().stdout().contains("com.sun.beans.decoder."), outcome::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void attachHooksADecoderThatAlreadyRan(Jdks.Jdk jdk) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (XMLEncoder encoder = new XMLEncoder(bytes)) {
            encoder.writeObject(new java.util.ArrayList<>(List.of("warm-up")));
        }
        DeserRun run = DeserRun.on(jdk);
        Path benign = run.document("list.xml", bytes.toString(StandardCharsets.UTF_8));
        Path fos = run.marker("pwned-by-file-write");
        Path attack = run.document("attack.xml", document(fileOutputStream(fos)));
        try (DeserRun.Console console = run.console()) {
            assertTrue(console.send("xmldecoder " + benign).startsWith("RESULT ok java.util.ArrayList"));
            ForkedJvm.Result attach = ForkedJvm.on(Jdks.current()).workDir(run.dir())
                    .runJar(ForkedJvm.agentJar(), "attach", String.valueOf(console.pid()), "log=" + run.dir().resolve("v.jsonl"));
            assertEquals(0, attach.exitCode(), attach::toString);
            String answer = console.send("xmldecoder " + attack);
            assertTrue(answer.startsWith("RESULT refused dev.safeload.deser.DeserializationRefusedError: "
                    + "safeload: refused java.io.FileOutputStream"), answer);
            assertTrue(console.send("xmldecoder " + benign).startsWith("RESULT ok java.util.ArrayList"));
        }
        assertFalse(java.nio.file.Files.exists(fos));
    }
}
