package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.Payloads;
import dev.safeload.it.support.Scenario;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One test for each way a class can reach a JVM through Java serialization. Each refusal has a
 * twin that shows the same input goes through (or the chain runs) without the agent.
 */
class CoveragePathTest {

    private static final String CC3_FIRST = "org.apache.commons.collections.keyvalue.TiedMapEntry";

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    /** Real streams whose resolveClass does not call super: Commons IO, Spring, Weka. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesGadgetWhenSubclassOverridesResolveClass(Jdks.Jdk jdk) throws Exception {
        for (String stream : new String[] {"commons-io", "spring", "weka"}) {
            Scenario s = Scenario.on(jdk);
            Path payload = s.payload(Payloads.serialize(Payloads.commonsCollections3(s.marker())));

            Scenario.Outcome without = s.run(null, stream, payload.toString());
            assertTrue(without.markerCreated(), () -> stream + ": the chain must run without the agent\n" + without);

            Scenario.Outcome with = s.run("", stream, payload.toString());
            assertFalse(with.markerCreated(), () -> stream + "\n" + with);
            assertTrue(with.result().startsWith("RESULT refused java.io.InvalidClassException: " + CC3_FIRST), with::toString);
            assertEquals(1, with.actions("refuse").size(), with::toString);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesGadgetReadWithReadUnshared(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path payload = s.payload(Payloads.serialize(Payloads.commonsCollections3(s.marker())));
        Scenario.Outcome without = s.run(null, "unshared", payload.toString());
        assertTrue(without.markerCreated(), without::toString);
        Scenario.Outcome with = s.run("", "unshared", payload.toString());
        assertFalse(with.markerCreated(), with::toString);
        assertEquals("java.io.ObjectInputStream.readUnshared",
                with.actions("refuse").get(0).path("safeload.entry_point").asText(), with::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesEachInterfaceOfAProxyDescriptor(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path payload = s.payload(Payloads.serialize(Payloads.proxyOfSecret()));
        String allowHandler = "serial.allow=dev.safeload.it.victim.EchoHandler";
        Scenario.Outcome without = s.run(null, "read", payload.toString());
        assertTrue(without.result().startsWith("RESULT ok jdk.proxy") || without.result().startsWith("RESULT ok com.sun.proxy"),
                without::toString);
        Scenario.Outcome with = s.run(allowHandler, "read", payload.toString());
        assertTrue(with.result().startsWith("RESULT refused java.io.InvalidClassException: dev.safeload.it.victim.Secret;"),
                with::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesArrayByItsComponentClass(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path payload = s.payload(Payloads.serialize(new java.text.SimpleDateFormat[] {new java.text.SimpleDateFormat()}));
        Scenario.Outcome without = s.run(null, "read", payload.toString());
        assertTrue(without.result().startsWith("RESULT ok [Ljava.text.SimpleDateFormat;"), without::toString);
        Scenario.Outcome with = s.run("", "read", payload.toString());
        assertTrue(with.result().startsWith("RESULT refused java.io.InvalidClassException: [Ljava.text.SimpleDateFormat;"),
                with::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesObjectSubstitutedByReadResolve(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path payload = s.payload(Payloads.serialize(Payloads.swapper()));
        String allowSwapper = "serial.allow=dev.safeload.it.victim.Swapper";
        Scenario.Outcome without = s.run(null, "read", payload.toString());
        assertTrue(without.result().startsWith("RESULT ok java.text.SimpleDateFormat"), without::toString);
        Scenario.Outcome with = s.run(allowSwapper, "read", payload.toString());
        assertTrue(with.result().startsWith("RESULT refused java.io.InvalidClassException: java.text.SimpleDateFormat;"),
                with::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesObjectSubstitutedByResolveObject(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path payload = s.payload(Payloads.serialize("swap-me"));
        Scenario.Outcome without = s.run(null, "resolve-object", payload.toString());
        assertTrue(without.result().startsWith("RESULT ok java.text.DecimalFormat"), without::toString);
        Scenario.Outcome with = s.run("", "resolve-object", payload.toString());
        assertTrue(with.result().startsWith("RESULT refused java.io.InvalidClassException: java.text.DecimalFormat;"),
                with::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesGadgetInStreamOpenedBySignedObjectAndLogsItAsNested(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        assertNestedRefusal(s, Payloads.signedEnvelope((Serializable) Payloads.commonsCollections3(s.marker())),
                "java.security.SignedObject");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesGadgetInStreamOpenedByMarshalledObjectAndLogsItAsNested(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        assertNestedRefusal(s, Payloads.marshalledEnvelope((Serializable) Payloads.commonsCollections3(s.marker())),
                "java.rmi.MarshalledObject");
    }

    /**
     * The envelope opens a stream of its own while the outer one is being read: the chain inside
     * runs without the agent, and with it (the envelope allowed) is refused and logged as nested.
     */
    private static void assertNestedRefusal(Scenario s, Object envelope, String envelopeClass) throws Exception {
        Path payload = s.payload(Payloads.serialize(envelope));
        Scenario.Outcome without = s.run(null, "read", payload.toString());
        assertTrue(without.markerCreated(), without::toString);
        Scenario.Outcome with = s.run("serial.allow=dev.safeload.it.victim.Envelope;" + envelopeClass, "read",
                payload.toString());
        assertFalse(with.markerCreated(), with::toString);
        JsonNode event = with.actions("refuse").get(0);
        assertEquals(CC3_FIRST, event.path("safeload.class").asText(), with::toString);
        assertTrue(event.path("safeload.nested").asBoolean(), with::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void logsClassNameThatIsNotOnTheClassPath(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path payload = s.payload(Payloads.unresolvableClass());
        Scenario.Outcome without = s.run(null, "read", payload.toString());
        assertTrue(without.result().startsWith("RESULT failed java.lang.ClassNotFoundException: dev.safeload.it.victim.Prxbe"),
                without::toString);
        for (String mode : new String[] {"read", "commons-io"}) {
            Scenario.Outcome with = s.run("", mode, payload.toString());
            assertEquals(1, with.actions("refuse").size(), with::toString);
            JsonNode event = with.actions("refuse").get(0);
            assertEquals("dev.safeload.it.victim.Prxbe", event.path("safeload.class").asText(), with::toString);
            assertTrue(with.result().startsWith("RESULT refused java.io.InvalidClassException: dev.safeload.it.victim.Prxbe"),
                    with::toString);
        }
        Scenario.Outcome audit = s.run("mode=audit", "read", payload.toString());
        assertEquals(1, audit.actions("audit").size(), audit::toString);
        JsonNode event = audit.actions("audit").get(0);
        assertEquals("dev.safeload.it.victim.Prxbe", event.path("safeload.class").asText(), audit::toString);
        assertFalse(event.path("safeload.class_found").asBoolean(true), audit::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesUrlDnsTriggerByDefault(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path payload = s.payload(Payloads.serialize(Payloads.urlKeyedMap()));
        Scenario.Outcome without = s.run(null, "read", payload.toString());
        assertTrue(without.result().startsWith("RESULT ok java.util.HashMap"), without::toString);
        Scenario.Outcome with = s.run("", "read", payload.toString());
        assertTrue(with.result().startsWith("RESULT refused java.io.InvalidClassException: java.net.URL;"), with::toString);
    }
}
