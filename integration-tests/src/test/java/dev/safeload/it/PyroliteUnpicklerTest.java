package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.RpcPayloads;
import dev.safeload.it.support.RpcScenario;
import dev.safeload.it.support.Scenario;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pyrolite's Unpickler (Spark's and Pyro's Python bridge) reading real pickles in real JVMs with
 * a 256 MB heap: the seven-byte pickle that asks for a 2 GB byte[] before it has a byte of it.
 */
class PyroliteUnpicklerTest {

    private static final String BOMB_LENGTH = "2147418112";
    private static final String REFUSED = "RESULT refused net.razorvine.pickle.PickleException: safeload: refused [B ";

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    private static RpcScenario scenario(Jdks.Jdk jdk) throws Exception {
        return RpcScenario.on(jdk).jvmArg("-Xmx256m");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void sevenBytePickleAllocatesTwoGigabytesWithoutTheAgent(Jdks.Jdk jdk) throws Exception {
        RpcScenario s = scenario(jdk);
        assertEquals(7, RpcPayloads.pickleBinbytesBomb().length);
        Scenario.Outcome outcome = s.run(null, "pickle-loads", s.payload(RpcPayloads.pickleBinbytesBomb()));
        assertEquals("RESULT failed java.lang.OutOfMemoryError: Java heap space", outcome.result(), outcome::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesSevenBytePickleBeforeItAllocates(Jdks.Jdk jdk) throws Exception {
        RpcScenario s = scenario(jdk);
        Path bomb = s.payload(RpcPayloads.pickleBinbytesBomb());
        for (String mode : List.of("pickle-loads", "pickle-load")) {
            String entry = "net.razorvine.pickle.Unpickler." + (mode.equals("pickle-loads") ? "loads" : "load");
            Scenario.Outcome outcome = s.run("", mode, bomb);
            assertTrue(outcome.result().startsWith(REFUSED + "(rule serial.maxAlloc: length " + BOMB_LENGTH
                    + " > 0 bytes left in the pickle) in " + entry + " at dev.safeload.it.victim.RpcVictim.result"),
                    outcome::toString);
            List<JsonNode> refusals = outcome.actions("refuse");
            assertEquals(1, refusals.size(), outcome::toString);
            JsonNode event = refusals.get(0);
            assertEquals("serial.maxAlloc", event.path("rule.name").asText());
            assertEquals(BOMB_LENGTH, event.path("safeload.array_length").asText());
            assertEquals("[B", event.path("safeload.class").asText());
            assertEquals(entry, event.path("safeload.entry_point").asText());
            assertEquals("pyrolite", event.path("safeload.library").asText());
        }
    }

    static Stream<Arguments> otherOpcodes() {
        return Jdks.forTests().flatMap(jdk -> Stream.of("BINUNICODE", "LONG4", "BINUNICODE8", "BYTEARRAY8")
                .map(op -> Arguments.of(jdk, op)));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("otherOpcodes")
    void refusesTheSameBombThroughEveryLengthPrefixedOpcode(Jdks.Jdk jdk, String opcode) throws Exception {
        RpcScenario s = scenario(jdk);
        Path bomb = s.payload(RpcPayloads.pickleBomb(opcode));
        Scenario.Outcome without = s.run(null, "pickle-loads", bomb);
        assertEquals("RESULT failed java.lang.OutOfMemoryError: Java heap space", without.result(), without::toString);
        Scenario.Outcome with = s.run("", "pickle-loads", bomb);
        assertTrue(with.result().startsWith(REFUSED + "(rule serial.maxAlloc: length " + BOMB_LENGTH), with::toString);
        assertEquals(1, with.actions("refuse").size(), with::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesALengthOverMaxArrayOnAStreamOfUnknownLength(Jdks.Jdk jdk) throws Exception {
        RpcScenario s = scenario(jdk);
        Scenario.Outcome outcome = s.run("", "pickle-file", s.payload(RpcPayloads.pickleBinbytesBomb()));
        assertTrue(outcome.result().startsWith(REFUSED + "(rule serial.maxArray: length " + BOMB_LENGTH + " > 10000000)"),
                outcome::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void logsTheBombInAuditModeAndTheAllocationHappens(Jdks.Jdk jdk) throws Exception {
        RpcScenario s = scenario(jdk);
        Scenario.Outcome outcome = s.run("mode=audit", "pickle-loads", s.payload(RpcPayloads.pickleBinbytesBomb()));
        assertEquals("RESULT failed java.lang.OutOfMemoryError: Java heap space", outcome.result(), outcome::toString);
        List<JsonNode> audits = outcome.actions("audit");
        assertEquals(1, audits.size(), outcome::toString);
        assertEquals(BOMB_LENGTH, audits.get(0).path("safeload.array_length").asText());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void readsAPickledRequestWithALargeStringTheDataBacks(Jdks.Jdk jdk) throws Exception {
        RpcScenario s = scenario(jdk);
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("model", "risk-v3");
        request.put("features", List.of(0.25, 1.5, 3.0));
        request.put("document", "x".repeat(300_000)); // BINUNICODE with a length past the checked size
        Scenario.Outcome outcome = s.run("", "pickle-loads", s.payload(RpcPayloads.pickle(request)));
        assertTrue(outcome.result().startsWith("RESULT ok java.util.HashMap {"), outcome::toString);
        assertTrue(outcome.result().contains("model=risk-v3"), outcome::toString);
        assertEquals(List.of(), outcome.violations(), outcome::toString);
    }
}
