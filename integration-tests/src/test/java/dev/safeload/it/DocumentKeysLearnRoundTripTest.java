package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.it.support.DeserRun;
import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.RpcPayloads;
import dev.safeload.it.support.RpcScenario;
import dev.safeload.it.support.Scenario;
import dev.safeload.it.victim.RpcQuote;
import dev.safeload.it.victim.XmlOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Staging to production for the keys only Kryo, Hessian and XMLDecoder need, in real JVMs:
 * audit a Kryo quote built without its constructor and an XMLDecoder order that calls a method
 * of its class (with a Kryo commons-collections chain and an XMLDecoder ProcessBuilder among
 * them), {@code learn} writes {@code serial.allowWithoutConstructor} and
 * {@code xmldecoder.allowMethods} entries for the traffic and none for the attacks, and in
 * enforce mode with that policy the traffic reads and the attacks are refused.
 */
class DocumentKeysLearnRoundTripTest {

    private static final String QUOTE = RpcQuote.class.getName();
    private static final String ORDER = XmlOrder.class.getName();

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    private static String xml(String body) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<java version=\"17\" class=\"java.beans.XMLDecoder\">\n"
                + body + "</java>\n";
    }

    private static String order() {
        return xml(" <object class=\"" + ORDER + "\">\n  <void property=\"id\"><string>A-17</string></void>\n"
                + "  <void property=\"placed\"><object class=\"java.util.Date\"><long>1700000000000</long></object></void>\n"
                + "  <void property=\"tags\"><array class=\"java.lang.String\" length=\"1\">"
                + "<void index=\"0\"><string>gift</string></void></array></void>\n"
                + "  <void method=\"addLine\"><string>widget</string></void>\n </object>\n");
    }

    private static String processBuilder(Path marker) {
        return xml(" <object class=\"java.lang.ProcessBuilder\">\n  <array class=\"java.lang.String\" length=\"2\">\n"
                + "   <void index=\"0\"><string>touch</string></void>\n   <void index=\"1\"><string>" + marker
                + "</string></void>\n  </array>\n  <void method=\"start\"/>\n </object>\n");
    }

    private static boolean entry(String text, String key, String value) {
        String block = text.substring(text.indexOf(key + "="));
        block = block.substring(0, block.indexOf("\n\n") < 0 ? block.length() : block.indexOf("\n\n"));
        return block.lines().skip(1).anyMatch(l -> l.strip().replace(";\\", "").replace("\\", "").equals(value));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void learnedPolicyBuildsTheAuditedQuoteAndCallsTheAuditedMethodButNotTheAttacks(Jdks.Jdk jdk) throws Exception {
        RpcScenario kryo = RpcScenario.on(jdk);
        Path quote = kryo.payload(RpcPayloads.kryo(new RpcQuote("ACME", 12.5)));
        Path chain = kryo.payload(RpcPayloads.kryoCommonsCollections(kryo.marker()));
        Path kryoLog = Path.of(kryo.marker()).resolveSibling("violations.jsonl");
        DeserRun xml = DeserRun.on(jdk);
        Path dir = xml.dir();
        Path orderDoc = xml.document("order.xml", order());
        Path started = xml.marker("started-by-process-builder");
        Path attackDoc = xml.document("attack.xml", processBuilder(started));

        // Audit: the traffic reads, and so do the attacks.
        List<Path> logs = new java.util.ArrayList<>();
        Scenario.Outcome q = kryo.run("mode=audit", "kryo", quote);
        assertEquals("RESULT ok " + QUOTE + " RpcQuote[ACME 12.5]", q.result(), q::toString);
        logs.add(Files.copy(kryoLog, dir.resolve("audit-quote.jsonl")));
        Scenario.Outcome c = kryo.run("mode=audit", "kryo", chain);
        assertTrue(c.markerCreated(), () -> "audit mode lets the chain run\n" + c);
        logs.add(Files.copy(kryoLog, dir.resolve("audit-chain.jsonl")));
        DeserRun.Outcome o = xml.run("mode=audit", List.of(), "xmldecoder", orderDoc.toString());
        assertTrue(o.result().startsWith("RESULT ok " + ORDER + " XmlOrder A-17 x0 null [widget]"), o::toString);
        assertTrue(o.actions("audit").stream().anyMatch(e -> "addLine".equals(e.path("safeload.member").asText())), o::toString);
        logs.add(Files.copy(dir.resolve("violations.jsonl"), dir.resolve("audit-order.jsonl")));
        DeserRun.Outcome a = xml.run("mode=audit", List.of(started), "xmldecoder", attackDoc.toString());
        assertEquals(List.of(started), a.markersCreated(), a::toString);
        logs.add(Files.copy(dir.resolve("violations.jsonl"), dir.resolve("audit-attack.jsonl")));
        Files.delete(started);
        Files.delete(Path.of(kryo.marker()));

        Path learned = dir.resolve("learned.properties");
        List<String> args = new java.util.ArrayList<>(List.of("learn", "--out", learned.toString()));
        logs.forEach(l -> args.add(l.toString()));
        ForkedJvm.Result learn = ForkedJvm.on(Jdks.current()).workDir(dir).runJar(ForkedJvm.agentJar(),
                args.toArray(String[]::new));
        assertEquals(3, learn.exitCode(), () -> "learn must not allow the attacks' classes silently\n" + learn);
        String text = Files.readString(learned);
        assertTrue(entry(text, "serial.allow", QUOTE), text);
        assertTrue(entry(text, "serial.allow", ORDER), text);
        assertTrue(entry(text, "serial.allowWithoutConstructor", QUOTE), text);
        assertTrue(entry(text, "xmldecoder.allowMethods", ORDER + ".addLine"), text);
        assertFalse(entry(text, "xmldecoder.allowMethods", "java.lang.ProcessBuilder.start"), text);
        assertTrue(text.contains("not written: java.lang.ProcessBuilder.start: DANGEROUS"), text);
        String unconstructed = text.substring(text.indexOf("serial.allowWithoutConstructor="));
        assertFalse(unconstructed.substring(0, unconstructed.indexOf("\n\n") < 0 ? unconstructed.length()
                : unconstructed.indexOf("\n\n")).contains("org.apache.commons.collections"), text);

        String enforce = "policy=" + learned;
        Scenario.Outcome q2 = kryo.run(enforce, "kryo", quote);
        assertEquals("RESULT ok " + QUOTE + " RpcQuote[ACME 12.5]", q2.result(), q2::toString);
        assertEquals(List.of(), q2.violations(), q2::toString);
        DeserRun.Outcome o2 = xml.run(enforce, List.of(), "xmldecoder", orderDoc.toString());
        assertTrue(o2.result().startsWith("RESULT ok " + ORDER + " XmlOrder A-17 x0 null [widget]"), o2::toString);
        assertEquals(List.of(), o2.actions("refuse"), o2::toString);

        Scenario.Outcome c2 = kryo.run(enforce, "kryo", chain);
        assertFalse(c2.markerCreated(), c2::toString);
        assertTrue(c2.result().contains("safeload: refused "), c2::toString);
        DeserRun.Outcome a2 = xml.run(enforce, List.of(started), "xmldecoder", attackDoc.toString());
        assertEquals(List.of(), a2.markersCreated(), a2::toString);
        assertTrue(a2.result().contains("safeload: refused java.lang.ProcessBuilder"), a2::toString);
    }
}
