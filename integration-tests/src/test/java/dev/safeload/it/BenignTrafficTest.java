package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.Payloads;
import dev.safeload.it.support.Scenario;
import dev.safeload.it.victim.WekaPrediction;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.Date;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Ordinary traffic passes the default policy with zero violations. */
class BenignTrafficTest {

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    /** Every kind of JDK value and collection the default allowlist promises to accept. */
    static Serializable jdkValues() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("list", new ArrayList<>(List.of(1, 2L, 3.0f, 4.0d, (short) 5, (byte) 6, 'c', true)));
        m.put("listOf", List.of("a", "b", "c"));
        m.put("setOf", Set.of("x"));
        m.put("mapOf", Map.of("k", "v", "k2", "v2"));
        m.put("linked", new LinkedList<>(List.of("l")));
        m.put("tree", new TreeMap<>(Map.of("b", 2, "a", 1)));
        m.put("hashSet", new HashSet<>(List.of("h")));
        m.put("hashMap", new HashMap<>(Map.of("h", 1)));
        m.put("deque", new ArrayDeque<>(List.of(1, 2)));
        m.put("queue", new PriorityQueue<>(List.of(3, 1, 2)));
        m.put("enumMap", new EnumMap<>(Map.of(TimeUnit.SECONDS, "s")));
        m.put("enumSet", EnumSet.of(TimeUnit.DAYS, TimeUnit.HOURS));
        m.put("unmodifiable", Collections.unmodifiableList(new ArrayList<>(List.of(1))));
        m.put("synchronized", Collections.synchronizedMap(new HashMap<>(Map.of("s", 1))));
        m.put("empty", Collections.emptyList());
        m.put("singleton", Collections.singletonMap("one", 1));
        m.put("asList", java.util.Arrays.asList("p", "q"));
        m.put("concurrent", new ConcurrentHashMap<>(Map.of("c", 1)));
        m.put("cow", new CopyOnWriteArrayList<>(List.of(1)));
        m.put("bits", BitSet.valueOf(new long[] {5}));
        m.put("instant", Instant.parse("2026-11-27T01:02:03Z"));
        m.put("date", LocalDate.of(2026, 11, 27));
        m.put("zoned", ZonedDateTime.of(2026, 11, 27, 1, 2, 3, 0, ZoneId.of("Europe/Paris")));
        m.put("duration", Duration.ofMinutes(5));
        m.put("uuid", UUID.fromString("00000000-0000-0000-0000-000000000001"));
        m.put("legacyDate", new Date(0));
        m.put("locale", Locale.CANADA_FRENCH);
        m.put("uri", URI.create("https://example.org/a?b"));
        m.put("decimal", new BigDecimal("12.50"));
        m.put("integer", new BigInteger("123456789012345678901234567890"));
        m.put("ints", new int[] {1, 2});
        m.put("matrix", new double[][] {{1.0}, {2.0}});
        m.put("strings", new String[] {"s"});
        m.put("unit", TimeUnit.SECONDS);
        return (Serializable) m;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void passesJdkCollectionsAndTimeTypesWithZeroViolations(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path payload = s.payload(Payloads.serialize(jdkValues()));
        for (String mode : new String[] {"", "mode=audit"}) {
            Scenario.Outcome outcome = s.run(mode, "read", payload.toString());
            assertTrue(outcome.result().startsWith("RESULT ok java.util.LinkedHashMap"), outcome::toString);
            assertEquals(List.of(), outcome.violations(), outcome::toString);
        }
    }

    /**
     * A LinkedHashMap of 20,000 entries, then a set of 1,000 small HashMaps (400 KB): the
     * LinkedHashMap's class checkpoint comes before HashMap's descriptor takes a handle, and until
     * session 16 the guard kept the map's weight under that descriptor's handle, so every later
     * HashMap (its descriptor a back-reference) counted 20,000 more and the stream was refused by
     * serial.maxWork. Descriptors never count as objects now.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void passesALargeLinkedHashMapFollowedByManyHashMaps(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        Map<String, Integer> first = new LinkedHashMap<>();
        for (int i = 0; i < 20_000; i++) {
            first.put("key" + i, i);
        }
        Set<Object> maps = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            maps.add(new HashMap<>(Map.of("a", i)));
        }
        Path payload = s.payload(Payloads.serialize(new Object[] {first, maps}));
        Scenario.Outcome outcome = s.run("", "read", payload.toString());
        assertTrue(outcome.result().startsWith("RESULT ok [Ljava.lang.Object;"), outcome::toString);
        assertEquals(List.of(), outcome.violations(), outcome::toString);
    }

    /**
     * The twins of DenialOfServiceTest's Set.of, Map.of, ConcurrentHashMap and PriorityQueue
     * refusals, as real traffic has them: Set.of and Map.of of 200,000 sequential strings
     * ("user-0" on, whose hash codes crowd the table: about 20 probes a key), a ConcurrentHashMap
     * of 4,096 String keys that share one hash code (Strings compare, so its tree bins cost a
     * logarithm a put, though the guard's clock is consulted at each), and PriorityQueues of the
     * 200,000 strings and of 200,000 references to 100 strings of 210 characters. Read with the edits made and java.base verified
     * (-XX:+BytecodeVerificationLocal: the edited map and proxy pass the verifier), with zero
     * violations, as without the agent.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void passesLargeSetOfMapOfAndConcurrentMapsWithTreeBins(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk).jvmArg("-XX:+UnlockDiagnosticVMOptions", "-XX:+BytecodeVerificationLocal");
        String[] users = new String[200_000];
        Map<String, Integer> entries = new HashMap<>();
        for (int i = 0; i < users.length; i++) {
            users[i] = "user-" + i;
            entries.put(users[i], i);
        }
        PriorityQueue<String> tasks = new PriorityQueue<>(List.of(users));
        List<String> repeated = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            repeated.add("queue-" + (i % 100) + "-" + "p".repeat(200));
        }
        List<Path> payloads = List.of(s.payload(Payloads.serialize(Set.of(users))),
                s.payload(Payloads.serialize(Map.copyOf(entries))),
                s.payload(Payloads.collidingStringKeys(12, new ConcurrentHashMap<>())),
                s.payload(Payloads.serialize(tasks)),
                s.payload(Payloads.serialize(new PriorityQueue<>(repeated))));
        for (Path payload : payloads) {
            Scenario.Outcome outcome = s.run("", "read", payload.toString());
            assertTrue(outcome.result().startsWith("RESULT ok "), outcome::toString);
            assertEquals(List.of(), outcome.violations(), outcome::toString);
            assertFalse(outcome.jvm().stderr().contains("cannot hook"), outcome::toString);
            String type = outcome.result().split(" ")[2]; // Set.of's order is salted per JVM: the class, not the text
            assertTrue(s.run(null, "read", payload.toString()).result().startsWith("RESULT ok " + type + " "));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void loadsRealWekaModelWithWekaPresetAndRefusesItWithout(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path model = s.dir().resolve("points.model");
        weka.core.SerializationHelper.write(model.toString(), WekaPrediction.train());

        Scenario.Outcome withPreset = s.run("serial.presets=weka", "weka-predict", model.toString());
        assertTrue(withPreset.result().endsWith("prediction=pos"), withPreset::toString);
        assertEquals(List.of(), withPreset.violations(), withPreset::toString);

        Scenario.Outcome allowedByPattern = s.run("serial.allow=weka.**", "weka-predict", model.toString());
        assertTrue(allowedByPattern.result().endsWith("prediction=pos"), allowedByPattern::toString);

        Scenario.Outcome defaults = s.run("", "weka-predict", model.toString());
        assertTrue(defaults.result().startsWith("RESULT refused java.io.InvalidClassException: weka."), defaults::toString);

        Scenario.Outcome without = s.run(null, "weka-predict", model.toString());
        assertTrue(without.result().endsWith("prediction=pos"), without::toString);
    }
}
