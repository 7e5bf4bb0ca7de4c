package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.RpcPayloads;
import dev.safeload.it.support.RpcScenario;
import dev.safeload.it.support.Scenario;
import dev.safeload.it.victim.HessianOrder;
import dev.safeload.it.victim.RpcOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Hessian 4 with its default SerializerFactory reading real payloads in real JVMs. */
class HessianDeserializationTest {

    private static final String ENTRY = "com.caucho.hessian.io.Hessian2Input.readObject";
    private static final String EQUALS_BEAN = "com.sun.syndication.feed.impl.EqualsBean";
    private static final String REFUSED = "RESULT refused com.caucho.hessian.io.HessianProtocolException: safeload: refused ";
    private static final String ORDER = HessianOrder.class.getName();

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void romeH2ChainRunsWithoutTheAgent(Jdks.Jdk jdk) throws Exception {
        RpcScenario s = RpcScenario.on(jdk);
        Scenario.Outcome outcome = s.run(null, "hessian", s.payload(RpcPayloads.hessianRomeH2(s.marker())));
        assertTrue(outcome.markerCreated(), () -> "the chain must really run without the agent\n" + outcome);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesRomeH2ChainBeforeItRuns(Jdks.Jdk jdk) throws Exception {
        RpcScenario s = RpcScenario.on(jdk);
        Scenario.Outcome outcome = s.run("", "hessian", s.payload(RpcPayloads.hessianRomeH2(s.marker())));
        RpcScenario.assertChainRefusedByTheAllowlist(outcome, REFUSED, EQUALS_BEAN, ENTRY, "hessian");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesTheObjectBeanEntryByTheGadgetDenylistAndItRunsWithoutTheAgent(Jdks.Jdk jdk) throws Exception {
        RpcScenario s = RpcScenario.on(jdk);
        Path payload = s.payload(RpcPayloads.hessianRomeObjectBeanH2(s.marker()));
        Scenario.Outcome without = s.run(null, "hessian", payload);
        assertTrue(without.markerCreated(), () -> "the chain must really run without the agent\n" + without);
        // Allowing ROME's package does not let it through: deny wins over allow.
        Scenario.Outcome with = s.run("serial.allow=com.sun.syndication.**", "hessian", payload);
        assertFalse(with.markerCreated(), with::toString);
        assertTrue(with.result().startsWith(REFUSED + "com.sun.syndication.feed.impl.ObjectBean (rule serial.deny"),
                with::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void logsRomeH2ChainAndLetsItRunInAuditMode(Jdks.Jdk jdk) throws Exception {
        RpcScenario s = RpcScenario.on(jdk);
        Scenario.Outcome outcome = s.run("mode=audit", "hessian", s.payload(RpcPayloads.hessianRomeH2(s.marker())));
        assertTrue(outcome.markerCreated(), () -> "audit mode must not refuse\n" + outcome);
        assertTrue(outcome.actions("refuse").isEmpty(), outcome::toString);
        List<String> audited = outcome.actions("audit").stream().map(e -> e.path("safeload.class").asText()).toList();
        assertTrue(audited.containsAll(List.of(EQUALS_BEAN, "com.sun.syndication.feed.impl.ToStringBean",
                "org.h2.jdbcx.JdbcDataSource")), audited::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void readsAHessianOrderOnceItsClassIsAllowed(Jdks.Jdk jdk) throws Exception {
        RpcScenario s = RpcScenario.on(jdk);
        Path payload = s.payload(RpcPayloads.hessian(HessianOrder.sample()));
        Scenario.Outcome unlisted = s.run("", "hessian", payload);
        assertTrue(unlisted.result().startsWith(REFUSED + ORDER + " (rule serial.allow"), unlisted::toString);

        Scenario.Outcome allowed = s.run("serial.allow=" + ORDER, "hessian", payload);
        assertEquals("RESULT ok " + ORDER + " " + HessianOrder.sample(), allowed.result(), allowed::toString);
        assertEquals(List.of(), allowed.violations(), allowed::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void readsAMapOfJdkValuesWithTheDefaultPolicy(Jdks.Jdk jdk) throws Exception {
        RpcScenario s = RpcScenario.on(jdk);
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("model", "risk-v3");
        request.put("features", new ArrayList<>(List.of(0.25, 1.5, 3.0)));
        request.put("threshold", 7);
        Scenario.Outcome outcome = s.run("", "hessian", s.payload(RpcPayloads.hessian(request)));
        assertEquals("RESULT ok java.util.LinkedHashMap {model=risk-v3, features=[0.25, 1.5, 3.0], threshold=7}",
                outcome.result(), outcome::toString);
        assertEquals(List.of(), outcome.violations(), outcome::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void buildsAnUnserializableClassOnlyWhenTheKeyNamesIt(Jdks.Jdk jdk) throws Exception {
        RpcScenario s = RpcScenario.on(jdk);
        String order = RpcOrder.class.getName();
        Path payload = s.payload(RpcPayloads.hessianUnserializable(RpcOrder.sample()));
        Scenario.Outcome allowedOnly = s.run("serial.allow=" + order, "hessian", payload);
        assertTrue(allowedOnly.result().startsWith(REFUSED + order + " (rule serial.allowWithoutConstructor"),
                allowedOnly::toString);

        Scenario.Outcome keyed = s.run("serial.allow=" + order + ",serial.allowWithoutConstructor=" + order, "hessian",
                payload);
        assertEquals("RESULT ok " + order + " " + RpcOrder.sample(), keyed.result(), keyed::toString);
        assertEquals(List.of(), keyed.violations(), keyed::toString);
    }
}
