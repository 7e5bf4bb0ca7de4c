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

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void keepsJdkSerialFilterOfTheHost(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk).jvmArg("-Djdk.serialFilter=!java.util.LinkedList;*");
        Path linked = s.payload(Payloads.serialize(new LinkedList<>(List.of("a"))));
        Scenario.Outcome hostOnly = s.run(null, "read", linked.toString());
        assertTrue(hostOnly.result().startsWith("RESULT refused"), hostOnly::toString);
        Scenario.Outcome both = s.run("", "read", linked.toString());
        assertTrue(both.result().startsWith("RESULT refused java.io.InvalidClassException: filter status: REJECTED"),
                both::toString);

        Path gadget = s.payload(Payloads.serialize(Payloads.commonsCollections3(s.marker())));
        Scenario.Outcome permissiveHost = s.run("", "read", gadget.toString());
        assertTrue(permissiveHost.result().contains("safeload: rejected"), permissiveHost::toString);
        assertFalse(permissiveHost.markerCreated());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void keepsPerStreamFilterOfTheHost(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path tree = s.payload(Payloads.serialize(new TreeMap<>(java.util.Map.of("k", "v"))));
        Scenario.Outcome hostOnly = s.run(null, "stream-filter", tree.toString(), "!java.util.TreeMap");
        assertTrue(hostOnly.result().startsWith("RESULT refused"), hostOnly::toString);
        Scenario.Outcome both = s.run("", "stream-filter", tree.toString(), "!java.util.TreeMap");
        assertTrue(both.result().startsWith("RESULT refused java.io.InvalidClassException: filter status: REJECTED"),
                both::toString);

        Path gadget = s.payload(Payloads.serialize(Payloads.commonsCollections3(s.marker())));
        Scenario.Outcome permissiveHost = s.run("", "stream-filter", gadget.toString(), "*");
        assertTrue(permissiveHost.result().contains("safeload: rejected"), permissiveHost::toString);
        assertFalse(permissiveHost.markerCreated());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void keepsFilterFactoryTheHostSetsAtRuntime(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path tree = s.payload(Payloads.serialize(new TreeMap<>(java.util.Map.of("k", "v"))));
        Scenario.Outcome hostOnly = s.run(null, "set-factory", tree.toString(), "!java.util.TreeMap");
        assertTrue(hostOnly.result().startsWith("RESULT refused"), hostOnly::toString);
        Scenario.Outcome both = s.run("", "set-factory", tree.toString(), "!java.util.TreeMap");
        assertTrue(both.jvm().stdout().contains("FACTORY set"), () -> "setSerialFilterFactory must not throw\n" + both);
        assertTrue(both.result().startsWith("RESULT refused java.io.InvalidClassException: filter status: REJECTED"),
                both::toString);

        Path gadget = s.payload(Payloads.serialize(Payloads.commonsCollections3(s.marker())));
        Scenario.Outcome runsWithout = s.run(null, "set-factory", gadget.toString(), "*");
        assertTrue(runsWithout.markerCreated(), runsWithout::toString);
        Scenario.Outcome permissiveHost = s.run("", "set-factory", gadget.toString(), "*");
        assertTrue(permissiveHost.result().contains("safeload: rejected"), permissiveHost::toString);
        assertFalse(permissiveHost.markerCreated());
    }

    /**
     * The agent installs its factory as ObjectInputStream loads (from a thread of its own, so
     * that Config still gets its edit): a host that sets its factory after that class loaded,
     * before its first stream, is still adopted behind the agent, as when it sets it earlier.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void keepsFilterFactoryTheHostSetsAfterObjectInputStreamLoaded(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path tree = s.payload(Payloads.serialize(new TreeMap<>(java.util.Map.of("k", "v"))));
        Scenario.Outcome hostOnly = s.run(null, "set-factory-after-load", tree.toString(), "!java.util.TreeMap");
        assertTrue(hostOnly.result().startsWith("RESULT refused"), hostOnly::toString);
        Scenario.Outcome both = s.run("", "set-factory-after-load", tree.toString(), "!java.util.TreeMap");
        assertTrue(both.jvm().stdout().contains("FACTORY set"), () -> "setSerialFilterFactory must not throw\n" + both);
        assertTrue(both.result().startsWith("RESULT refused java.io.InvalidClassException: filter status: REJECTED"),
                both::toString);

        Path gadget = s.payload(Payloads.serialize(Payloads.commonsCollections3(s.marker())));
        Scenario.Outcome runsWithout = s.run(null, "set-factory-after-load", gadget.toString(), "*");
        assertTrue(runsWithout.markerCreated(), runsWithout::toString);
        Scenario.Outcome permissiveHost = s.run("", "set-factory-after-load", gadget.toString(), "*");
        assertTrue(permissiveHost.result().contains("safeload: rejected"), permissiveHost::toString);
        assertFalse(permissiveHost.markerCreated());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void keepsFilterFactoryNamedByJdkSerialFilterFactory(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk).jvmArg("-Djdk.serialFilterFactory=" + HostFilterFactory.class.getName());
        Path tree = s.payload(Payloads.serialize(new TreeMap<>(java.util.Map.of("k", "v"))));
        Scenario.Outcome hostOnly = s.run(null, "read", tree.toString());
        assertTrue(hostOnly.result().startsWith("RESULT refused"), hostOnly::toString);
        Scenario.Outcome both = s.run("", "read", tree.toString());
        assertTrue(both.result().startsWith("RESULT refused java.io.InvalidClassException: filter status: REJECTED"),
                both::toString);
        Path gadget = s.payload(Payloads.serialize(Payloads.commonsCollections3(s.marker())));
        Scenario.Outcome gadgetRun = s.run("", "read", gadget.toString());
        assertTrue(gadgetRun.result().contains("safeload: rejected"), gadgetRun::toString);
        assertFalse(gadgetRun.markerCreated());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void keepsHostFactoryThatDelegatesToTheOneAlreadyInstalled(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path tree = s.payload(Payloads.serialize(new TreeMap<>(java.util.Map.of("k", "v"))));
        Scenario.Outcome hostOnly = s.run(null, "chain-factory", tree.toString(), "!java.util.TreeMap");
        assertTrue(hostOnly.result().startsWith("RESULT refused"), hostOnly::toString);
        Scenario.Outcome both = s.run("", "chain-factory", tree.toString(), "!java.util.TreeMap");
        assertTrue(both.result().startsWith("RESULT refused java.io.InvalidClassException: filter status: REJECTED"),
                both::toString);

        Path gadget = s.payload(Payloads.serialize(Payloads.commonsCollections3(s.marker())));
        Scenario.Outcome runsWithout = s.run(null, "chain-factory", gadget.toString(), "*");
        assertTrue(runsWithout.markerCreated(), runsWithout::toString);
        Scenario.Outcome guarded = s.run("", "chain-factory", gadget.toString(), "*");
        assertTrue(guarded.result().contains("safeload: rejected"), guarded::toString);
        assertFalse(guarded.markerCreated());
    }
}
