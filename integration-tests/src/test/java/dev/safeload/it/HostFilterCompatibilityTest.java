package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.Payloads;
import dev.safeload.it.support.Scenario;
import dev.safeload.it.victim.HostFilterFactory;
import java.nio.file.Path;
import java.util.LinkedList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The host's own deserialization filters keep working under the agent, and the stricter
 * verdict wins: what the host refuses stays refused, and what the agent refuses stays refused.
 */
class HostFilterCompatibilityTest {

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    /**
     * The host's refusal stands: the host alone refuses {@code payload} when the victim reads it
     * in {@code mode} with {@code hostArgs}, and under the agent the host's verdict is still the
     * one that refuses it. Returns the run under the agent.
     */
    private static Scenario.Outcome assertHostRefusalStands(Scenario s, Path payload, String mode, String... hostArgs)
            throws Exception {
        Scenario.Outcome hostOnly = s.run(null, mode, args(payload, hostArgs));
        assertTrue(hostOnly.result().startsWith("RESULT refused"), hostOnly::toString);
        Scenario.Outcome both = s.run("", mode, args(payload, hostArgs));
        assertTrue(both.result().startsWith("RESULT refused java.io.InvalidClassException: filter status: REJECTED"),
                both::toString);
        return both;
    }

    /**
     * The agent's refusal stands behind a host that lets everything through ({@code hostArgs}): a
     * gadget chain that really runs without the agent is refused under it.
     */
    private static void assertAgentRefusesGadgetBehindTheHost(Scenario s, String mode, String... hostArgs)
            throws Exception {
        Path gadget = s.payload(Payloads.serialize(Payloads.commonsCollections3(s.marker())));
        Scenario.Outcome runsWithout = s.run(null, mode, args(gadget, hostArgs));
        assertTrue(runsWithout.markerCreated(), runsWithout::toString);
        Scenario.Outcome guarded = s.run("", mode, args(gadget, hostArgs));
        assertTrue(guarded.result().contains("safeload: rejected"), guarded::toString);
        assertFalse(guarded.markerCreated(), guarded::toString);
    }

    /**
     * A host that calls setSerialFilterFactory in {@code mode}: the call does not throw under the
     * agent, the host's factory refuses what it refuses, and the agent's refusal stands behind it.
     */
    private static void assertFactoryTheHostSetsIsKept(Jdks.Jdk jdk, String mode) throws Exception {
        Scenario s = Scenario.on(jdk);
        Scenario.Outcome both = assertHostRefusalStands(s, treeMap(s), mode, "!java.util.TreeMap");
        assertTrue(both.jvm().stdout().contains("FACTORY set"), () -> "setSerialFilterFactory must not throw\n" + both);
        assertAgentRefusesGadgetBehindTheHost(s, mode, "*");
    }

    private static String[] args(Path payload, String... hostArgs) {
        return Stream.concat(Stream.of(payload.toString()), Stream.of(hostArgs)).toArray(String[]::new);
    }

    private static Path treeMap(Scenario s) throws Exception {
        return s.payload(Payloads.serialize(new TreeMap<>(java.util.Map.of("k", "v"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void keepsJdkSerialFilterOfTheHost(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk).jvmArg("-Djdk.serialFilter=!java.util.LinkedList;*");
        assertHostRefusalStands(s, s.payload(Payloads.serialize(new LinkedList<>(List.of("a")))), "read");
        assertAgentRefusesGadgetBehindTheHost(s, "read");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void keepsPerStreamFilterOfTheHost(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        assertHostRefusalStands(s, treeMap(s), "stream-filter", "!java.util.TreeMap");
        assertAgentRefusesGadgetBehindTheHost(s, "stream-filter", "*");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void keepsFilterFactoryTheHostSetsAtRuntime(Jdks.Jdk jdk) throws Exception {
        assertFactoryTheHostSetsIsKept(jdk, "set-factory");
    }

    /**
     * The agent installs its factory as ObjectInputStream loads (from a thread of its own, so
     * that Config still gets its edit): a host that sets its factory after that class loaded,
     * before its first stream, is still adopted behind the agent, as when it sets it earlier.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void keepsFilterFactoryTheHostSetsAfterObjectInputStreamLoaded(Jdks.Jdk jdk) throws Exception {
        assertFactoryTheHostSetsIsKept(jdk, "set-factory-after-load");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void keepsFilterFactoryNamedByJdkSerialFilterFactory(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk).jvmArg("-Djdk.serialFilterFactory=" + HostFilterFactory.class.getName());
        assertHostRefusalStands(s, treeMap(s), "read");
        assertAgentRefusesGadgetBehindTheHost(s, "read");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void keepsHostFactoryThatDelegatesToTheOneAlreadyInstalled(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        assertHostRefusalStands(s, treeMap(s), "chain-factory", "!java.util.TreeMap");
        assertAgentRefusesGadgetBehindTheHost(s, "chain-factory", "*");
    }
}
