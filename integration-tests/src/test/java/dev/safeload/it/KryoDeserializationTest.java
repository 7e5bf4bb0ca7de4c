package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.RpcPayloads;
import dev.safeload.it.support.RpcScenario;
import dev.safeload.it.support.Scenario;
import dev.safeload.it.victim.RpcOrder;
import dev.safeload.it.victim.RpcQuote;
import dev.safeload.it.victim.RpcVictim;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Kryo 5 with registration off and Objenesis as its fallback, as caches and RPC layers set it
 * up, reading real payloads in real JVMs with and without the agent.
 */
class KryoDeserializationTest {

    private static final String ENTRY = "com.esotericsoftware.kryo.Kryo.readClassAndObject";
    private static final String COMPARATOR = "org.apache.commons.collections.comparators.TransformingComparator";
    private static final String REFUSED = "RESULT refused com.esotericsoftware.kryo.KryoException: safeload: refused ";
    private static final String ORDER = RpcOrder.class.getName();
    private static final String QUOTE = RpcQuote.class.getName();

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void comparatorChainRunsWithoutTheAgent(Jdks.Jdk jdk) throws Exception {
        RpcScenario s = RpcScenario.on(jdk);
        Scenario.Outcome outcome = s.run(null, "kryo", s.payload(RpcPayloads.kryoCommonsCollections(s.marker())));
        assertTrue(outcome.markerCreated(), () -> "the chain must really run without the agent\n" + outcome);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesComparatorChainBeforeItRuns(Jdks.Jdk jdk) throws Exception {
        RpcScenario s = RpcScenario.on(jdk);
        Scenario.Outcome outcome = s.run("", "kryo", s.payload(RpcPayloads.kryoCommonsCollections(s.marker())));
        RpcScenario.assertChainRefusedByTheAllowlist(outcome, REFUSED, COMPARATOR, ENTRY, "kryo");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesTheCommonsCollections4ChainAndItRunsWithoutTheAgent(Jdks.Jdk jdk) throws Exception {
        RpcScenario s = RpcScenario.on(jdk);
        Path payload = s.payload(RpcPayloads.kryoCommonsCollections4(s.marker()));
        Scenario.Outcome without = s.run(null, "kryo", payload);
        assertTrue(without.markerCreated(), () -> "the chain must really run without the agent\n" + without);
        Scenario.Outcome with = s.run("", "kryo", payload);
        assertFalse(with.markerCreated(), with::toString);
        assertTrue(with.result().startsWith(REFUSED + "org.apache.commons.collections4.comparators.TransformingComparator"
                + " (rule serial.allow"), with::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void logsComparatorChainAndLetsItRunInAuditMode(Jdks.Jdk jdk) throws Exception {
        RpcScenario s = RpcScenario.on(jdk);
        Scenario.Outcome outcome = s.run("mode=audit", "kryo", s.payload(RpcPayloads.kryoCommonsCollections(s.marker())));
        assertTrue(outcome.markerCreated(), () -> "audit mode must not refuse\n" + outcome);
        assertTrue(outcome.actions("refuse").isEmpty(), outcome::toString);
        assertTrue(outcome.actions("audit").stream().anyMatch(e -> COMPARATOR.equals(e.path("safeload.class").asText())
                && ENTRY.equals(e.path("safeload.entry_point").asText())), outcome::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void readsAnRpcOrderOnceItsClassIsAllowed(Jdks.Jdk jdk) throws Exception {
        RpcScenario s = RpcScenario.on(jdk);
        Path payload = s.payload(RpcPayloads.kryo(RpcOrder.sample()));
        Scenario.Outcome unlisted = s.run("", "kryo", payload);
        assertTrue(unlisted.result().startsWith(REFUSED + ORDER + " (rule serial.allow"), unlisted::toString);

        Scenario.Outcome allowed = s.run("serial.allow=" + ORDER, "kryo", payload);
        assertEquals("RESULT ok " + ORDER + " " + RpcOrder.sample(), allowed.result(), allowed::toString);
        assertEquals(List.of(), allowed.violations(), allowed::toString);
        // The class the application passes to readObject is judged too: it is what Kryo builds.
        Scenario.Outcome typed = s.run("serial.allow=" + ORDER, "kryo-order", s.payload(
                RpcPayloads.kryoObject(RpcOrder.sample())));
        assertEquals("RESULT ok " + ORDER + " " + RpcOrder.sample(), typed.result(), typed::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void buildsAnUnserializableClassWithoutItsConstructorOnlyWhenTheKeyNamesIt(Jdks.Jdk jdk) throws Exception {
        RpcScenario s = RpcScenario.on(jdk);
        Path payload = s.payload(RpcPayloads.kryo(new RpcQuote("ACME", 12.5)));
        Scenario.Outcome allowedOnly = s.run("serial.allow=" + QUOTE, "kryo", payload);
        assertTrue(allowedOnly.result().startsWith(REFUSED + QUOTE + " (rule serial.allowWithoutConstructor: not"
                + " Serializable, and built without running a constructor)"), allowedOnly::toString);
        assertEquals("serial.allowWithoutConstructor", allowedOnly.actions("refuse").get(0).path("rule.name").asText());

        // Audit mode names both rules enforce would apply, so a policy learned from it can be completed.
        Scenario.Outcome audited = s.run("mode=audit", "kryo", payload);
        assertEquals("RESULT ok " + QUOTE + " RpcQuote[ACME 12.5]", audited.result(), audited::toString);
        assertEquals(List.of("serial.allow", "serial.allowWithoutConstructor"), audited.actions("audit").stream()
                .filter(e -> QUOTE.equals(e.path("safeload.class").asText())).map(e -> e.path("rule.name").asText())
                .toList(), audited::toString);

        Scenario.Outcome keyed = s.run("serial.allow=" + QUOTE + ",serial.allowWithoutConstructor=" + QUOTE, "kryo", payload);
        assertEquals("RESULT ok " + QUOTE + " RpcQuote[ACME 12.5]", keyed.result(), keyed::toString);
        assertEquals(List.of(), keyed.violations(), keyed::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void classesTheApplicationRegisteredNeedNoAllowEntryButGadgetsStayRefused(Jdks.Jdk jdk) throws Exception {
        RpcScenario s = RpcScenario.on(jdk);
        Scenario.Outcome registered = s.run("", "kryo-registered",
                s.payload(RpcPayloads.kryo(RpcVictim.kryoRegistered(), new RpcQuote("ACME", 12.5))));
        assertEquals("RESULT ok " + QUOTE + " RpcQuote[ACME 12.5]", registered.result(), registered::toString);
        assertEquals(List.of(), registered.violations(), registered::toString);

        Scenario.Outcome chain = s.run("", "kryo-registered", s.payload(RpcPayloads.kryoCommonsCollections(s.marker())));
        assertFalse(chain.markerCreated(), chain::toString);
        assertTrue(chain.result().startsWith(REFUSED + COMPARATOR), chain::toString);
    }

    static Stream<Arguments> lengthBombs() {
        return Jdks.forTests().flatMap(jdk -> Stream.of(
                Arguments.of(jdk, "byte[]", new byte[] {7}, "[B"),
                Arguments.of(jdk, "ArrayList", new ArrayList<>(List.of(7)), "[Ljava.lang.Object;")));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("lengthBombs")
    void refusesALengthPrefixTheInputCannotBackBeforeKryoAllocates(Jdks.Jdk jdk, String what, Object one,
                                                                   String allocated) throws Exception {
        RpcScenario s = RpcScenario.on(jdk).jvmArg("-Xmx256m");
        Path bomb = s.payload(RpcPayloads.kryoLengthBomb(one));
        Scenario.Outcome without = s.run(null, "kryo", bomb);
        assertEquals("RESULT failed java.lang.OutOfMemoryError: Java heap space", without.result(), without::toString);
        Scenario.Outcome with = s.run("", "kryo", bomb);
        assertTrue(with.result().startsWith(REFUSED + allocated + " (rule serial.maxAlloc: length 2147418112 > "),
                with::toString);
        assertTrue(with.result().contains(" bytes left in the input)"), with::toString);
        assertEquals("2147418112", with.actions("refuse").get(0).path("safeload.array_length").asText(), with::toString);
    }

    static Stream<Arguments> otherInputs() {
        return Jdks.forTests().flatMap(jdk -> Stream.of("kryo-bytebuffer", "kryo-unsafe").map(m -> Arguments.of(jdk, m)));
    }

    /** Kryo's other inputs override the array reads; their lengths are judged by the limits. */
    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("otherInputs")
    void refusesALengthOverMaxArrayThroughKryosOtherInputs(Jdks.Jdk jdk, String mode) throws Exception {
        RpcScenario s = RpcScenario.on(jdk).jvmArg("-Xmx256m");
        Path bomb = s.payload(RpcPayloads.kryoLengthBomb(new int[] {7}));
        Scenario.Outcome without = s.run(null, mode, bomb);
        assertEquals("RESULT failed java.lang.OutOfMemoryError: Java heap space", without.result(), without::toString);
        Scenario.Outcome with = s.run("", mode, bomb);
        assertTrue(with.result().startsWith(REFUSED + "[I (rule serial.maxArray: length 2147418112 > 10000000)"),
                with::toString);
        Scenario.Outcome benign = s.run("", mode, s.payload(RpcPayloads.kryo(new int[300_000])));
        assertTrue(benign.result().startsWith("RESULT ok [I "), benign::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void readsALargeByteArrayTheInputBacks(Jdks.Jdk jdk) throws Exception {
        RpcScenario s = RpcScenario.on(jdk);
        Scenario.Outcome outcome = s.run("", "kryo", s.payload(RpcPayloads.kryo(new byte[300_000])));
        assertTrue(outcome.result().startsWith("RESULT ok [B "), outcome::toString);
        assertEquals(List.of(), outcome.violations(), outcome::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void offModeChangesNothing(Jdks.Jdk jdk) throws Exception {
        RpcScenario s = RpcScenario.on(jdk);
        Scenario.Outcome outcome = s.run("mode=off", "kryo", s.payload(RpcPayloads.kryoCommonsCollections(s.marker())));
        assertTrue(outcome.markerCreated(), outcome::toString);
        assertTrue(outcome.events().isEmpty(), outcome::toString);
    }

    /**
     * A type registered with Kryo's JavaSerializer is read through a nested ObjectInputStream,
     * whose refusal Kryo wraps as "Error during Java deserialization."; the caller still gets a
     * KryoException, whose message is the refusal's.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesAJavaSerializedChainInsideKryosJavaSerializerAsAKryoExceptionThatSaysSafeload(Jdks.Jdk jdk)
            throws Exception {
        RpcScenario s = RpcScenario.on(jdk);
        Path payload = s.payload(RpcPayloads.kryo(RpcVictim.kryoJava(),
                dev.safeload.it.support.Payloads.commonsCollections3(s.marker())));

        Scenario.Outcome twin = s.run(null, "kryo-java", payload);
        assertTrue(twin.markerCreated(), () -> "the chain must really run without the agent\n" + twin);

        Scenario.Outcome outcome = s.run("", "kryo-java", payload);
        assertFalse(outcome.markerCreated(), () -> "the chain ran under the agent\n" + outcome);
        String tied = "org.apache.commons.collections.keyvalue.TiedMapEntry";
        assertEquals(REFUSED + tied + " (rule serial.allow: not in the allowlist) in "
                + "com.esotericsoftware.kryo.serializers.JavaSerializer.read", outcome.result(), outcome::toString);
        List<JsonNode> refusals = outcome.actions("refuse");
        assertEquals(1, refusals.size(), outcome::toString);
        assertEquals(tied, refusals.get(0).path("safeload.class").asText(), outcome::toString);
    }
}
