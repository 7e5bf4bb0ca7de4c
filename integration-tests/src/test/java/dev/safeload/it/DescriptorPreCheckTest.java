package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.Payloads;
import dev.safeload.it.support.Scenario;
import dev.safeload.it.victim.Detonator;
import dev.safeload.it.victim.Secret;
import dev.safeload.it.victim.Semaphore;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Names in a class or proxy descriptor are judged before any code that a class's loading
 * would run or leave behind, whatever flags the descriptor carries.
 */
class DescriptorPreCheckTest {

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    /**
     * Weka's resolveClass initialises what it loads. A descriptor that flags a plain class as an
     * enum (SC_ENUM) used to skip the name check, so the static initialiser ran before refusal.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesClassFlaggedAsEnumBeforeWekaInitialisesIt(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        s.jvmArg("-Dvictim.marker=" + s.marker());
        Path payload = s.payload(Payloads.enumFlagged(Detonator.class));

        Scenario.Outcome without = s.run(null, "weka", payload.toString());
        assertTrue(without.markerCreated(), () -> "Weka's resolveClass must run the initialiser without the agent\n"
                + without);

        Scenario.Outcome with = s.run("", "weka", payload.toString());
        assertFalse(with.markerCreated(), with::toString);
        assertTrue(with.result().startsWith("RESULT refused java.io.InvalidClassException: " + Detonator.class.getName()),
                with::toString);
        assertEquals("serial.allow", with.actions("refuse").get(0).path("rule.name").asText(), with::toString);
    }

    /**
     * The JDK makes a proxy class in resolveProxyClass, before its filter sees an interface, and
     * never unloads it: refused streams used to leave about 20 KB of Metaspace each. The names
     * are now judged first, so neither the interface nor a proxy class is ever loaded; through
     * the JDK's resolveProxyClass and through Commons IO's override of it. The hooked java.base
     * is verified (-XX:+BytecodeVerificationLocal), which checks the inserted stack map frames.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesProxyInterfaceBeforeAnyProxyClassIsMade(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk).jvmArg("-Xlog:class+load=info", "-XX:+UnlockDiagnosticVMOptions",
                "-XX:+BytecodeVerificationLocal");
        Path payload = s.payload(Payloads.serialize(Payloads.proxyOfSecret()));
        String allowHandler = "serial.allow=dev.safeload.it.victim.EchoHandler";
        for (String mode : new String[] {"read", "commons-io"}) {
            Scenario.Outcome without = s.run(null, mode, payload.toString());
            assertTrue(without.result().startsWith("RESULT ok "), without::toString);
            assertTrue(loaded(without, Secret.class.getName()), without::toString);
            assertTrue(loaded(without, "$Proxy"), without::toString);

            Scenario.Outcome with = s.run(allowHandler, mode, payload.toString());
            assertTrue(with.result().startsWith("RESULT refused java.io.InvalidClassException: " + Secret.class.getName()),
                    with::toString);
            assertEquals("serial.allow", with.actions("refuse").get(0).path("rule.name").asText(), with::toString);
            assertFalse(loaded(with, Secret.class.getName()), with::toString);
            assertFalse(loaded(with, "$Proxy"), with::toString);
            assertFalse(with.jvm().stderr().contains("VerifyError") || with.jvm().stdout().contains("VerifyError"),
                    with::toString);
        }
    }

    /** Whether the JVM's class+load log names a class containing {@code part}. */
    private static boolean loaded(Scenario.Outcome outcome, String part) {
        return outcome.jvm().stdout().lines().anyMatch(l -> l.contains("[class,load]") && l.contains(part));
    }

    /** A real enum the policy does not list still reads through Weka's stream, as through the JDK's. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void readsARealUnlistedEnumThroughWeka(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path payload = s.payload(Payloads.serialize(Semaphore.GREEN));
        Scenario.Outcome with = s.run("", "weka", payload.toString());
        assertEquals("RESULT ok " + Semaphore.class.getName() + " GREEN", with.result(), with::toString);
    }
}
