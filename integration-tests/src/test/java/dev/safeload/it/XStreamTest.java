package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.thoughtworks.xstream.XStream;
import dev.safeload.it.support.DeserRun;
import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.ViolationLog;
import dev.safeload.it.victim.XmlOrder;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * XStream 1.4.17 ({@code new XStream().fromXML}, its default denylist) in real JVMs: a
 * commons-collections 3.2.1 chain and a chain of JDK classes alone each really run without the
 * agent and are refused under it; 1.4.17 and the current 1.4.21 read a DTO once it is allowed;
 * enforce switched on at run time reaches what a long-lived {@code XStream} cached in audit mode.
 */
class XStreamTest {

    private static final String ATTACKED = "xstream-1.4.17";
    private static final String CURRENT = "xstream-1.4.21";
    private static final String ENTRY_POINT = "com.thoughtworks.xstream.XStream.fromXML";

    /** What the JDK-only chain needs opened, for XStream's reflection; the twin gets the same. */
    private static final String[] JDK_CHAIN_OPENS = {
        "--add-opens", "java.base/java.util=ALL-UNNAMED",
        "--add-opens", "java.desktop/javax.swing=ALL-UNNAMED",
        "--add-opens", "java.naming/javax.naming.ldap=ALL-UNNAMED",
        "--add-opens", "java.xml/com.sun.org.apache.xpath.internal.objects=ALL-UNNAMED",
        "--add-opens", "java.xml/com.sun.org.apache.xpath.internal=ALL-UNNAMED",
        "--add-exports", "java.xml.crypto/com.sun.org.apache.xml.internal.security.utils=ALL-UNNAMED",
    };

    enum Chain {
        // HashMap -> TiedMapEntry.hashCode -> LazyMap (serialization="custom") -> ChainedTransformer -> new FileOutputStream
        COMMONS_COLLECTIONS("xstream-commons-collections.xml", "org.apache.commons.collections.keyvalue.TiedMapEntry"),
        // TreeSet -> Rdn$RdnEntry.compareTo -> XString.equals -> MultiUIDefaults.toString -> UIDefaults.get
        // -> ProxyLazyValue.createValue -> JavaUtils.writeBytesToFilename (CVE-2021-39146's shape, a file write for LDAP)
        JDK_UIDEFAULTS("xstream-jdk-uidefaults.xml", "javax.naming.ldap.Rdn$RdnEntry");

        final String resource;
        final String firstRefused;

        Chain(String resource, String firstRefused) {
            this.resource = resource;
            this.firstRefused = firstRefused;
        }

        DeserRun run(Jdks.Jdk jdk) throws Exception {
            DeserRun run = DeserRun.onLibrary(jdk, ATTACKED);
            return this == JDK_UIDEFAULTS ? run.jvmArg(JDK_CHAIN_OPENS) : run;
        }

        Path payload(DeserRun run, Path marker) throws Exception {
            try (InputStream in = XStreamTest.class.getResourceAsStream("/deser/" + resource)) {
                String template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                return run.document("attack.xml", template.replace("MARKER", marker.toString()));
            }
        }
    }

    static Stream<Arguments> chains() {
        return Jdks.forTests().flatMap(jdk -> Stream.of(Chain.values()).map(c -> Arguments.of(jdk, c)));
    }

    static Stream<Arguments> versions() {
        return Jdks.forTests().flatMap(jdk -> Stream.of(ATTACKED, CURRENT).map(v -> Arguments.of(jdk, v)));
    }

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("chains")
    void chainRunsWithoutTheAgent(Jdks.Jdk jdk, Chain chain) throws Exception {
        DeserRun run = chain.run(jdk);
        Path marker = run.marker("pwned");
        DeserRun.Outcome outcome = run.run(null, List.of(marker), "xstream", chain.payload(run, marker).toString());
        assertEquals(List.of(marker), outcome.markersCreated(), () -> "the chain must really run without the agent\n" + outcome);
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("chains")
    void refusesChainBeforeItsFirstClassLoads(Jdks.Jdk jdk, Chain chain) throws Exception {
        DeserRun run = chain.run(jdk);
        Path marker = run.marker("pwned");
        DeserRun.Outcome outcome = run.run("", List.of(marker), "xstream", chain.payload(run, marker).toString());
        assertEquals(List.of(), outcome.markersCreated(), outcome::toString);
        assertTrue(outcome.result().startsWith("RESULT refused com.thoughtworks.xstream.converters.ConversionException: "
                + "safeload: refused " + chain.firstRefused + " (rule serial.allow: not in the allowlist) in " + ENTRY_POINT),
                outcome::toString);
        List<JsonNode> refusals = outcome.actions("refuse");
        assertEquals(1, refusals.size(), outcome::toString);
        JsonNode event = refusals.get(0);
        assertEquals(chain.firstRefused, event.path("safeload.class").asText());
        assertEquals(ENTRY_POINT, event.path("safeload.entry_point").asText());
        assertEquals("xstream", event.path("safeload.library").asText());
        assertTrue(event.path("safeload.call_site").asText().startsWith("dev.safeload.it.victim.DeserVictim.read"),
                event::toString);
        assertFalse(outcome.jvm().stderr().contains("cannot hook"), outcome::toString);
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("chains")
    void auditModeLetsTheChainRunAndLogsIt(Jdks.Jdk jdk, Chain chain) throws Exception {
        DeserRun run = chain.run(jdk);
        Path marker = run.marker("pwned");
        DeserRun.Outcome outcome = run.run("mode=audit", List.of(marker), "xstream", chain.payload(run, marker).toString());
        assertEquals(List.of(marker), outcome.markersCreated(), outcome::toString);
        assertTrue(outcome.actions("refuse").isEmpty(), outcome::toString);
        assertTrue(outcome.actions("audit").stream().anyMatch(e -> chain.firstRefused.equals(e.path("safeload.class").asText())
                && ENTRY_POINT.equals(e.path("safeload.entry_point").asText())), outcome::toString);
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("versions")
    void readsADtoAndAMapOnceTheDtoIsAllowed(Jdks.Jdk jdk, String version) throws Exception {
        DeserRun run = DeserRun.onLibrary(jdk, version);
        Path order = run.document("order.xml", new XStream().toXML(XmlOrder.sample()));
        String types = "dev.safeload.it.victim.XmlOrder";
        String expected = "RESULT ok dev.safeload.it.victim.XmlOrder " + XmlOrder.sample();
        DeserRun.Outcome plain = run.run(null, List.of(), "xstream", order.toString(), types);
        assertEquals(expected, plain.result(), plain::toString);

        DeserRun.Outcome unlisted = run.run("", List.of(), "xstream", order.toString(), types);
        assertTrue(unlisted.result().startsWith("RESULT refused com.thoughtworks.xstream.converters.ConversionException: "
                + "safeload: refused dev.safeload.it.victim.XmlOrder"), unlisted::toString);

        DeserRun.Outcome allowed = run.run("serial.allow=dev.safeload.it.victim.XmlOrder", List.of(), "xstream",
                order.toString(), types);
        assertEquals(expected, allowed.result(), allowed::toString);
        assertTrue(allowed.actions("refuse").isEmpty(), allowed::toString);

        java.util.Map<String, Object> map = new java.util.LinkedHashMap<>();
        map.put("model", "risk-v3");
        map.put("threshold", 0.75);
        map.put("labels", new java.util.ArrayList<>(List.of("low", "high")));
        Path config = run.document("config.xml", new XStream().toXML(map));
        DeserRun.Outcome mapRead = run.run("", List.of(), "xstream", config.toString());
        assertEquals("RESULT ok java.util.LinkedHashMap " + map, mapRead.result(), mapRead::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void attachHooksAnXStreamThatAlreadyRan(Jdks.Jdk jdk) throws Exception {
        DeserRun run = DeserRun.onLibrary(jdk, ATTACKED);
        Path warmUp = run.document("list.xml", new XStream().toXML(new java.util.ArrayList<>(List.of("warm-up"))));
        Path marker = run.marker("pwned");
        Path attack = Chain.COMMONS_COLLECTIONS.payload(run, marker);
        try (DeserRun.Console console = run.console()) {
            assertTrue(console.send("xstream " + warmUp).startsWith("RESULT ok java.util.ArrayList"));
            ForkedJvm.Result attach = ForkedJvm.on(Jdks.current()).workDir(run.dir())
                    .runJar(ForkedJvm.agentJar(), "attach", String.valueOf(console.pid()), "log=" + run.dir().resolve("v.jsonl"));
            assertEquals(0, attach.exitCode(), attach::toString);
            String answer = console.send("xstream " + attack);
            assertTrue(answer.startsWith("RESULT refused com.thoughtworks.xstream.converters.ConversionException: "
                    + "safeload: refused org.apache.commons.collections.keyvalue.TiedMapEntry"), answer);
            assertTrue(console.send("xstream " + warmUp).startsWith("RESULT ok java.util.ArrayList"));
        }
        assertFalse(Files.exists(marker));
    }

    /**
     * The staging path: one {@code XStream} reads the chain in audit mode (it runs, and its
     * {@code CachingMapper} now holds every class of it), enforce comes over JMX, and the same
     * instance reading the same document again is refused, from its cache, while the allowed DTO
     * it cached still reads.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void enforceSwitchedOnAtRunTimeRefusesWhatTheSameXStreamCachedInAudit(Jdks.Jdk jdk) throws Exception {
        DeserRun run = DeserRun.onLibrary(jdk, ATTACKED);
        Path log = run.dir().resolve("v.jsonl");
        run.jvmArg("-javaagent:" + ForkedJvm.agentJar() + "=log=" + log
                + ",mode=audit,serial.allow=dev.safeload.it.victim.XmlOrder");
        Path order = run.document("order.xml", new XStream().toXML(XmlOrder.sample()));
        String orderRead = "RESULT ok dev.safeload.it.victim.XmlOrder " + XmlOrder.sample();
        Path marker = run.marker("pwned");
        Path attack = Chain.COMMONS_COLLECTIONS.payload(run, marker);
        try (DeserRun.Console console = run.console()) {
            assertEquals(orderRead, console.send("xstream-shared " + order + " dev.safeload.it.victim.XmlOrder"));
            String audited = console.send("xstream-shared " + attack);
            assertTrue(Files.exists(marker), () -> "in audit mode the chain runs on this instance: " + audited);
            Files.delete(marker);

            switchToEnforce(console.pid());

            String after = console.send("xstream-shared " + attack);
            assertTrue(after.startsWith("RESULT refused com.thoughtworks.xstream.converters.ConversionException: "
                    + "safeload: refused " + Chain.COMMONS_COLLECTIONS.firstRefused + " (rule serial.allow"), after);
            assertEquals(orderRead, console.send("xstream-shared " + order));
        }
        assertFalse(Files.exists(marker), "the chain ran from the cache after enforce came");
        List<JsonNode> events = ViolationLog.read(log);
        List<JsonNode> refusals = ViolationLog.withAction(events, "refuse");
        assertEquals(List.of(Chain.COMMONS_COLLECTIONS.firstRefused),
                refusals.stream().map(e -> e.path("safeload.class").asText()).toList(), events::toString);
        // One lookup, one audit event: the cache hook leaves a miss to DefaultMapper's hook.
        assertEquals(1, ViolationLog.withAction(events, "audit").stream()
                .filter(e -> Chain.COMMONS_COLLECTIONS.firstRefused.equals(e.path("safeload.class").asText())).count(),
                events::toString);
    }

    /** audit -> enforce over JMX, through the attach API, as RuntimeProtectionTest does. */
    private static void switchToEnforce(long pid) throws Exception {
        com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(String.valueOf(pid));
        try (JMXConnector jmx = JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()))) {
            MBeanServerConnection server = jmx.getMBeanServerConnection();
            ObjectName agent = new ObjectName("dev.safeload:type=Agent");
            for (int i = 0; i < 50 && !server.isRegistered(agent); i++) {
                Thread.sleep(100);
            }
            server.setAttribute(agent, new Attribute("Mode", "enforce"));
            assertEquals("enforce", server.getAttribute(agent, "Mode"));
        } finally {
            vm.detach();
        }
    }
}
