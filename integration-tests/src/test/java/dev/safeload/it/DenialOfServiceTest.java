package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.Payloads;
import dev.safeload.it.support.Scenario;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Streams built to exhaust CPU or memory are refused early, with InvalidClassException. */
class DenialOfServiceTest {

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    private static long elapsedMillis(Scenario.Outcome outcome) {
        return outcome.jvm().stdout().lines().filter(l -> l.startsWith("ELAPSED_MS "))
                .mapToLong(l -> Long.parseLong(l.substring(11).trim())).findFirst().orElseThrow();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesNestedHashSetBombInWellUnderASecond(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path payload = s.payload(Payloads.serialize(Payloads.hashSetBomb(100)));

        Scenario.Outcome with = s.run("", "read", payload.toString());
        assertTrue(with.result().startsWith("RESULT refused java.io.InvalidClassException"), with::toString);
        assertTrue(with.result().contains("rule serial.maxDepth"), with::toString);
        assertTrue(elapsedMillis(with) < 1000, with::toString);
        assertEquals("serial.maxDepth", with.actions("refuse").get(0).path("rule.name").asText());

        // The twin: without the agent the same stream is still hashing after 8 seconds.
        Scenario.Outcome without = s.run(null, 8, "read", payload.toString());
        assertTrue(without.jvm().timedOut(), without::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesArrayLongerThanMaxArrayBeforeAllocating(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk).jvmArg("-Xmx128m");
        Path payload = s.payload(Payloads.hugeIntArrayClaim());

        Scenario.Outcome with = s.run("", "read", payload.toString());
        assertTrue(with.result().startsWith("RESULT refused java.io.InvalidClassException"), with::toString);
        assertTrue(with.result().contains("rule serial.maxArray"), with::toString);

        Scenario.Outcome without = s.run(null, "read", payload.toString());
        assertTrue(without.result().startsWith("RESULT failed java.lang.OutOfMemoryError"), without::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesArrayThatCannotFitInTheHeapEvenUnderAHighMaxArray(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk).jvmArg("-Xmx128m");
        Path payload = s.payload(Payloads.hugeIntArrayClaim());
        Scenario.Outcome with = s.run("serial.maxArray=2147483647", "read", payload.toString());
        assertTrue(with.result().startsWith("RESULT refused java.io.InvalidClassException"), with::toString);
        assertTrue(with.result().contains("cannot fit in the free heap"), with::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesStreamPastMaxRefsAndMaxBytes(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        // Integers, not strings: each one refers back to its class descriptor, and the JDK
        // checks the reference count at every back-reference.
        List<Integer> many = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            many.add(1000 + i);
        }
        Path refs = s.payload(Payloads.serialize(new ArrayList<>(many)));
        Scenario.Outcome refsRefused = s.run("serial.maxRefs=1000", "read", refs.toString());
        assertTrue(refsRefused.result().contains("rule serial.maxRefs"), refsRefused::toString);
        Scenario.Outcome refsAllowed = s.run("", "read", refs.toString());
        assertTrue(refsAllowed.result().startsWith("RESULT ok java.util.ArrayList"), refsAllowed::toString);

        List<byte[]> blobs = List.of(new byte[600_000], new byte[600_000], new byte[600_000]);
        Path bytes = s.payload(Payloads.serialize(new ArrayList<>(blobs)));
        Scenario.Outcome bytesRefused = s.run("serial.maxBytes=1MB", "read", bytes.toString());
        assertTrue(bytesRefused.result().contains("rule serial.maxBytes"), bytesRefused::toString);
        Scenario.Outcome bytesAllowed = s.run("", "read", bytes.toString());
        assertTrue(bytesAllowed.result().startsWith("RESULT ok java.util.ArrayList"), bytesAllowed::toString);
    }
}
