package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.Payloads;
import dev.safeload.it.support.Scenario;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real gadget chains from real libraries, in real JVMs: each one runs without the agent (so
 * the test proves the chain works on that JDK), is refused in enforce mode without ever
 * running, runs and is logged in audit mode, and is untouched in off mode.
 */
class GadgetChainTest {

    enum Chain {
        COMMONS_COLLECTIONS_3("org.apache.commons.collections.keyvalue.TiedMapEntry", "serial.allow"),
        COMMONS_COLLECTIONS_4("org.apache.commons.collections4.comparators.TransformingComparator", "serial.allow"),
        // BeanComparator is also on the built-in gadget denylist, and deny is checked first.
        COMMONS_BEANUTILS("org.apache.commons.beanutils.BeanComparator", "serial.deny");

        final String firstRefused;
        final String rule;

        Chain(String firstRefused, String rule) {
            this.firstRefused = firstRefused;
            this.rule = rule;
        }

        Object build(String marker) throws Exception {
            return switch (this) {
                case COMMONS_COLLECTIONS_3 -> Payloads.commonsCollections3(marker);
                case COMMONS_COLLECTIONS_4 -> Payloads.commonsCollections4(marker);
                case COMMONS_BEANUTILS -> Payloads.commonsBeanutils(marker);
            };
        }
    }

    static Stream<Arguments> chains() {
        return Jdks.forTests().flatMap(jdk -> Stream.of(Chain.values()).map(c -> Arguments.of(jdk, c)));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("chains")
    void chainRunsWithoutAgent(Jdks.Jdk jdk, Chain chain) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path payload = s.payload(Payloads.serialize(chain.build(s.marker())));
        Scenario.Outcome outcome = s.run(null, "read", payload.toString());
        assertTrue(outcome.markerCreated(), () -> "the chain must really run without the agent\n" + outcome);
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("chains")
    void refusesChainInEnforceModeBeforeItRuns(Jdks.Jdk jdk, Chain chain) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path payload = s.payload(Payloads.serialize(chain.build(s.marker())));
        Scenario.Outcome outcome = s.run("", "read", payload.toString());
        assertFalse(outcome.markerCreated(), () -> "the chain ran under the agent\n" + outcome);
        assertTrue(outcome.result().startsWith("RESULT refused java.io.InvalidClassException: " + chain.firstRefused
                + "; safeload: rejected by rule " + chain.rule), outcome::toString);
        List<JsonNode> refusals = outcome.actions("refuse");
        assertEquals(1, refusals.size(), outcome::toString);
        JsonNode event = refusals.get(0);
        assertEquals(chain.firstRefused, event.path("safeload.class").asText());
        assertEquals(chain.rule, event.path("rule.name").asText());
        assertEquals("enforce", event.path("safeload.mode").asText());
        assertEquals("failure", event.path("event.outcome").asText());
        assertEquals("java.io.ObjectInputStream.readObject", event.path("safeload.entry_point").asText());
        assertTrue(event.path("safeload.call_site").asText().startsWith("dev.safeload.it.victim.Victim.main"), event::toString);
        assertTrue(outcome.jvm().stderr().contains("safeload: refused " + chain.firstRefused), outcome::toString);
        assertFalse(outcome.jvm().stderr().contains("WARNING"), () -> "the agent must not make the JVM warn\n" + outcome);
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("chains")
    void letsChainRunButLogsItInAuditMode(Jdks.Jdk jdk, Chain chain) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path payload = s.payload(Payloads.serialize(chain.build(s.marker())));
        Scenario.Outcome outcome = s.run("mode=audit", "read", payload.toString());
        assertTrue(outcome.markerCreated(), () -> "audit mode must not refuse\n" + outcome);
        List<JsonNode> audits = outcome.actions("audit");
        assertTrue(audits.stream().anyMatch(e -> chain.firstRefused.equals(e.path("safeload.class").asText())),
                outcome::toString);
        assertTrue(outcome.actions("refuse").isEmpty(), outcome::toString);
        long distinct = audits.stream().map(e -> e.path("safeload.class").asText() + e.path("rule.name").asText())
                .distinct().count();
        assertEquals(distinct, audits.size(), () -> "audit logs each class once per stream\n" + outcome);
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("chains")
    void offModeChangesNothing(Jdks.Jdk jdk, Chain chain) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path payload = s.payload(Payloads.serialize(chain.build(s.marker())));
        Scenario.Outcome outcome = s.run("mode=off", "read", payload.toString());
        assertTrue(outcome.markerCreated(), outcome::toString);
        assertTrue(outcome.events().isEmpty(), outcome::toString);
        assertTrue(outcome.jvm().stderr().contains("safeload: mode off; nothing installed"), outcome::toString);
    }
}
