package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.it.support.DeserRun;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.Payloads;
import dev.safeload.it.support.Scenario;
import java.nio.file.Files;
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

    /**
     * The CPU time the victim's reading thread spent in the read: the measure (1 s of CPU
     * at most for a stream under 1 MB), and, unlike the wall time, not stretched by a busy machine.
     */
    private static long cpuMillis(Scenario.Outcome outcome) {
        return outcome.jvm().stdout().lines().filter(l -> l.startsWith("CPU_MS "))
                .mapToLong(l -> Long.parseLong(l.substring(7).trim())).findFirst().orElseThrow();
    }

    /**
     * Reads {@code payload} in {@code mode} with the agent ({@code options}) and asserts the read
     * was refused with InvalidClassException by {@code rule}, in the result line and in the first
     * refuse event. Then its twin: without the agent the same read is still running after {@code
     * twinSeconds}. Returns the agent's run, for a test's own assertions.
     */
    private static Scenario.Outcome refusedByRuleWhileTheTwinStillReads(Scenario s, String options, String rule,
            long twinSeconds, String mode, Path payload) throws Exception {
        Scenario.Outcome with = s.run(options, 30, mode, payload.toString());
        assertTrue(with.result().startsWith("RESULT refused java.io.InvalidClassException"), with::toString);
        assertTrue(with.result().contains("rule " + rule), with::toString);
        assertEquals(rule, with.actions("refuse").get(0).path("rule.name").asText(), with::toString);

        Scenario.Outcome without = s.run(null, twinSeconds, mode, payload.toString());
        assertTrue(without.jvm().timedOut(), without::toString);
        return with;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesNestedHashSetBombDeeperThanMaxDepth(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path payload = s.payload(Payloads.serialize(Payloads.hashSetBomb(100)));

        // The twin: without the agent the same stream is still hashing after 8 seconds.
        Scenario.Outcome with = refusedByRuleWhileTheTwinStillReads(s, "", "serial.maxDepth", 8, "read", payload);
        assertTrue(cpuMillis(with) < 1000, with::toString);
    }

    /**
     * Depth 28 is inside serial.maxDepth, and the stream is 1.6 KB, yet hashing it takes 2^28
     * steps. The refusal comes from the hashing the graph would cost through its shared
     * references, before the outer sets hash anything large. Its twin: without the agent the
     * same stream is still hashing after 4 seconds (it takes about 14).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesHashSetBombShallowerThanMaxDepthByItsHashingWork(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path payload = s.payload(Payloads.serialize(Payloads.hashSetBomb(28)));

        refusedByRuleWhileTheTwinStillReads(s, "", "serial.maxWork", 4, "read", payload);
    }

    /**
     * Five levels of lists, each holding 1,000 references to the list below: about 5,000
     * references in the stream, 10^15 steps for the HashSet that holds the top to hash it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesBackReferenceFanOutBeforeTheSetHashesIt(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path payload = s.payload(Payloads.serialize(Payloads.backReferenceFanOut(1000, 5)));

        refusedByRuleWhileTheTwinStillReads(s, "", "serial.maxWork", 4, "read", payload);
    }

    /**
     * The same five levels of lists, written one after the other in an array before the set that
     * holds the top one, so that every list holds only back-references: the guard before
     * session 6 counted each such list as one object and let the set hash for minutes.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesBackReferenceFanOutWhoseListsAreWrittenBeforeTheSet(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path payload = s.payload(Payloads.serialize(Payloads.backReferenceFanOutListsFirst(1000, 5)));

        refusedByRuleWhileTheTwinStillReads(s, "", "serial.maxWork", 4, "read", payload);
    }

    /**
     * 32 levels of lists of two, each holding the list below and then a back-reference to it,
     * in a HashSet, a ConcurrentHashMap and {@code Map.of}: under 1 KB, 2^32 steps to hash. Each
     * back-reference closes the list it names; until session 16 the guard counted each as one
     * object (the list's weight was read before the list closed), so all three were read for
     * as long as the hashing took. ConcurrentHashMap and {@code Map.of}'s serial proxy hash what
     * they hold without the {@code Map.Entry[]} check that marks the JDK's other hashed
     * containers, so a stream that names them is held to serial.maxWork over its whole graph.
     * Their twin: without the agent the same stream is still hashing after 4 seconds.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesListsHoldingTheListBelowTwiceInEveryHashingContainer(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        for (String outer : List.of("HashSet", "ConcurrentHashMap", "Map.of")) {
            Path payload = s.payload(Payloads.serialize(Payloads.binaryBackReferenceBomb(32, outer)));
            Scenario.Outcome with = refusedByRuleWhileTheTwinStillReads(s, "", "serial.maxWork", 4, "read", payload);
            assertTrue(cpuMillis(with) < 1000, () -> outer + ": " + with);
        }
    }

    /**
     * A list of 20,000 back-references to one string, under two levels of lists holding 1,000
     * references to the list below, in a HashSet: 2 * 10^10 steps to hash, 110 KB. A
     * back-reference takes no handle, so each of the run comes with the same next handle; until
     * session 16 the guard took the second and later for the first one's object and counted the
     * bottom list as two objects: 2 million in all, under serial.maxWork. The twin: without the
     * agent the same stream is still hashing after 4 seconds.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesARunOfBackReferencesToOneStringUnderAFanOut(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path payload = s.payload(Payloads.serialize(Payloads.backReferenceRunsToOneString(20_000, 1_000, 2)));

        Scenario.Outcome with = refusedByRuleWhileTheTwinStillReads(s, "", "serial.maxWork", 4, "read", payload);
        assertTrue(cpuMillis(with) < 1000, with::toString);
    }

    /**
     * A map holding 1,000 references to a list of 1,000 new strings, and 30,000 references to
     * the map in a HashSet: 3 * 10^10 steps to hash, 170 KB. Strings pass no checkpoint, so
     * until session 16 the list of strings counted as one object and the map as about 1,000.
     * Then the same with a LinkedHashMap as the stream's first: its weight was kept under
     * HashMap's descriptor's handle, not its own. The twin: without the agent the same stream is
     * still hashing after 4 seconds.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesListsOfNewStringsUnderAFanOutAndAClassesFirstMap(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        for (boolean linked : new boolean[] {false, true}) {
            Path payload = s.payload(Payloads.serialize(Payloads.stringListsUnderAFanOut(1_000, 30_000, linked)));
            Scenario.Outcome with = refusedByRuleWhileTheTwinStillReads(s, "", "serial.maxWork", 4, "read", payload);
            assertTrue(cpuMillis(with) < 1000, () -> (linked ? "LinkedHashMap: " : "HashMap: ") + with);
        }
    }

    /**
     * 65,536 BitSets with one hash code in a HashSet: each insertion walks past every earlier
     * one, each step between checkpoints cheap. The read is refused once its CPU passes 1 s
     * per MB read. Its twin: without the agent the same stream is still being read after 4 s.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesHashCollisionsOnceTheReadOutspendsItsCpuBudget(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path payload = s.payload(Payloads.collidingBitSets(1 << 16));

        Scenario.Outcome with = refusedByRuleWhileTheTwinStillReads(s, "", "serial.maxWork", 4, "read", payload);
        assertTrue(with.result().contains("ms of CPU"), with::toString);
    }

    /**
     * A ConcurrentHashMap of 32,768 BitSet keys with one hash code, 0.98 MB: BitSets do not
     * compare, so the map's tree bin is searched whole at every put, and the map builds its table
     * only after its last entry is read, past every filter checkpoint. The guard's clock is
     * consulted at each put into a tree bin (the map's edit, made when the stream first names the
     * class; on JDK 17 from the runtime image's class file, since the JVM keeps no frames of an
     * unverified boot class), and the read is refused by its CPU budget (BenignTrafficTest runs
     * the edited map with java.base verified). Its twin: without the agent the same stream is
     * still being read after 4 s (it takes about 18).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesConcurrentHashMapOfCollidingKeysOnceItsTableBuildOutspendsTheCpuBudget(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path payload = s.payload(Payloads.collidingBitSetKeys(1 << 15));

        Scenario.Outcome with = refusedByRuleWhileTheTwinStillReads(s, "", "serial.maxWork", 4, "read", payload);
        assertTrue(with.result().contains("ms of CPU"), with::toString);
        assertFalse(with.jvm().stderr().contains("cannot hook"), with::toString);
    }

    /**
     * Set.of and Map.of of 65,536 distinct Strings with one hash code, 2.3 and 2.8 MB: their
     * serial proxy's readResolve probes its table past every earlier key, 2 * 10^9 steps in one
     * call that no checkpoint interrupts, and strings pass no checkpoint at all. The proxy's edit
     * hands the guard its elements before readResolve, and the guard counts the probes first:
     * refused in a few milliseconds. The twin: without the agent the same stream is still being
     * read after 4 s.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesSetOfAndMapOfCollidingStringsBeforeTheirTableIsBuilt(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        for (boolean map : new boolean[] {false, true}) {
            Path payload = s.payload(Payloads.collidingImmutableCollection(16, map));
            Scenario.Outcome with = refusedByRuleWhileTheTwinStillReads(s, "", "serial.maxWork", 4, "read", payload);
            assertTrue(with.result().contains(map ? "Map.of of 65536 keys" : "Set.of of 65536 elements"), with::toString);
            assertEquals("java.util.CollSer", with.actions("refuse").get(0).path("safeload.class").asText(), with::toString);
            assertTrue(cpuMillis(with) < 1000, with::toString);
        }
    }

    /**
     * A PriorityQueue of references to two large values in turn: heapify compares its elements
     * about twice each after the last one is read, in one call, and a back-reference is 5 bytes.
     * 400,000 references to two 1 MB strings that differ in their last character (4.1 MB, 9.9 s
     * of CPU without the agent): every comparison scans a megabyte. 8,000 references to 1 and to
     * a BigDecimal of scale 99,999 (82 KB, 14 s): every comparison of the two multiplies 1 by
     * 10^99,999 to match the scales. The
     * queue's edit hands the guard its elements before heapify, which bounds what ordering them
     * can scan against the bytes they took: refused in milliseconds. The twins: without the agent
     * the same streams are still being read after 4 s.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesPriorityQueueOfRepeatedLargeValuesBeforeItIsOrdered(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        String x = "x".repeat(1 << 20);
        java.math.BigInteger unscaled = java.math.BigInteger.TEN.pow(99_999).add(java.math.BigInteger.ONE);
        List<byte[]> queues = List.of(Payloads.repeatedPriorityQueue(400_000, x, x.substring(1) + "y"),
                Payloads.repeatedPriorityQueue(8_000, java.math.BigDecimal.ONE, new java.math.BigDecimal(unscaled, 99_999)));
        for (byte[] queue : queues) {
            Path payload = s.payload(queue);
            Scenario.Outcome with = refusedByRuleWhileTheTwinStillReads(s, "", "serial.maxWork", 4, "read", payload);
            assertTrue(with.result().contains("PriorityQueue of"), with::toString);
            assertEquals("java.util.PriorityQueue", with.actions("refuse").get(0).path("safeload.class").asText(),
                    with::toString);
            assertTrue(cpuMillis(with) < 1000, with::toString);
        }
    }

    /**
     * A ConcurrentSkipListMap of 6,000 references to 1 and to 1 at scale 99,999 (the same value:
     * the map refuses keys out of order; 100 KB): its readObject compares each key with the one
     * before as it reads, 8 ms a comparison, so every checkpoint of the stream (a back-reference)
     * costs one. Sampled every 256 checkpoints only, the read ran 128 of them before its clock's
     * first sample; sampled too at the first checkpoint after each tick of the guard's 50 ms
     * ticker, it is refused within its budget. The twin: without the agent still reading after
     * 4 s (2,000 keys took 5.5 s on JDK 17 and 3.6 s on JDK 25).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesSkipListWhoseEveryCheckpointRunsOneCostlyComparisonWithinItsCpuBudget(Jdks.Jdk jdk)
            throws Exception {
        Scenario s = Scenario.on(jdk);
        java.math.BigDecimal one = new java.math.BigDecimal(java.math.BigInteger.TEN.pow(99_999), 99_999);
        Path payload = s.payload(Payloads.repeatedSkipListKeys(6_000, java.math.BigDecimal.ONE, one));
        Scenario.Outcome with = refusedByRuleWhileTheTwinStillReads(s, "", "serial.maxWork", 4, "read", payload);
        assertTrue(with.result().contains("ms of CPU, more than 0.75 s per MB"), with::toString);
        assertTrue(cpuMillis(with) < 1000, with::toString);
    }

    /**
     * The same map with 40 keys, 1 and 1 at scale 2,000,000 (830 KB): one comparison is 1.1 s, in
     * one call no checkpoint interrupts. A BigDecimal whose scale passes 100,000 either way is
     * refused once read, before anything compares it. The twin: still reading after 4 s (44 s).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesBigDecimalWhoseScaleMakesOneComparisonCostSeconds(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        java.math.BigDecimal one = new java.math.BigDecimal(java.math.BigInteger.TEN.pow(2_000_000), 2_000_000);
        Path payload = s.payload(Payloads.repeatedSkipListKeys(40, java.math.BigDecimal.ONE, one));
        Scenario.Outcome with = refusedByRuleWhileTheTwinStillReads(s, "", "serial.maxWork", 4, "read", payload);
        assertTrue(with.result().contains("a BigDecimal of scale 2000000: "), with::toString);
        assertEquals("java.math.BigDecimal", with.actions("refuse").get(0).path("safeload.class").asText(),
                with::toString);
        assertTrue(cpuMillis(with) < 1000, with::toString);
    }

    /**
     * A Hashtable of 2^17 distinct String keys with one hash code, each with a String value: a
     * Hashtable never treeifies a bucket, so each put walks past every earlier key, and no entry
     * passes a filter checkpoint. The guard's clock is consulted as entries go in, and the read
     * is refused by its CPU budget. Its twin: without the agent the same stream is still being
     * read after 4 s (it takes minutes).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesHashtableOfCollidingStringKeysOnceTheReadOutspendsItsCpuBudget(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path payload = s.payload(Payloads.collidingStringKeys(17, false));

        Scenario.Outcome with = refusedByRuleWhileTheTwinStillReads(s, "", "serial.maxWork", 4, "read", payload);
        assertTrue(with.result().contains("ms of CPU"), with::toString);
    }

    /**
     * The same table as a host's subclass of Hashtable, read on a JVM whose first stream met no
     * Hashtable class: the agent puts Hashtable's edit in place only when a stream first resolves
     * a Hashtable class (or a subclass), and it must be in place before the subclass's entries
     * go in. Its twin: without the agent the same stream is still being read after 4 s.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesHashtableSubclassOfCollidingKeysReadAfterAStreamThatHadNoHashtable(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk);
        Path payload = s.payload(Payloads.collidingStringKeys(17, new dev.safeload.it.victim.Ledger()));

        refusedByRuleWhileTheTwinStillReads(s, "serial.allow=dev.safeload.it.victim.Ledger", "serial.maxWork", 4,
                "read-after-map", payload);
    }

    /**
     * The same table as a host's subclass of Hashtable, read by XStream (its {@code
     * SerializableConverter}, java.util opened to it) after a JDK stream that met no Hashtable
     * class: XStream calls {@code Hashtable.readObject} itself on a stream that overrides {@code
     * readObject}, so no stream resolves a Hashtable class through the JDK. The agent's edit of
     * that stream's constructor puts Hashtable's edit in place before XStream can read through
     * it, and the read is refused by its CPU budget. Its twin: without the agent the same
     * document is still being read after 4 s (it takes minutes).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesXStreamReadOfHashtableSubclassOfCollidingKeysOnAStreamThatOverridesReadObject(Jdks.Jdk jdk)
            throws Exception {
        String ledger = dev.safeload.it.victim.Ledger.class.getName();
        DeserRun run = DeserRun.onLibrary(jdk, "xstream-1.4.21").jvmArg("--add-opens", "java.base/java.util=ALL-UNNAMED");
        Path document = run.document("ledger.xml", Payloads.collidingStringKeysXStream(17, ledger));

        DeserRun.Outcome with = run.timeoutSeconds(60).run("serial.allow=" + ledger, List.of(), "xstream-after-map",
                document.toString(), ledger);
        assertFalse(with.jvm().timedOut(), with::toString);
        assertTrue(with.result().startsWith("RESULT "), with::toString);
        assertFalse(with.result().startsWith("RESULT ok"), with::toString);
        List<com.fasterxml.jackson.databind.JsonNode> refusals = with.actions("refuse");
        assertEquals(1, refusals.size(), with::toString);
        assertEquals("serial.maxWork", refusals.get(0).path("rule.name").asText(), with::toString);
        assertFalse(with.jvm().stderr().contains("cannot hook"), with::toString);

        DeserRun.Outcome without = run.timeoutSeconds(4).run(null, List.of(), "xstream-after-map", document.toString(),
                ledger);
        assertTrue(without.jvm().timedOut(), without::toString);
    }

    /**
     * Where no edited constructor will tell the guard of a stream that overrides {@code
     * readObject}, Hashtable's edit is not left waiting: a JVM whose first class to read through
     * the filter factory is an XMLDecoder handler (ObjectInputStream, and its constructor, not
     * loaded yet) redefines Hashtable at that first document, as before the edit could wait. Its
     * twin: a JVM whose first stream is an ObjectInputStream reading a HashMap, then an XStream
     * document, never redefines Hashtable.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void makesHashtablesEditAtTheFirstStreamWhenNoConstructorWillTellOfOverridingStreams(Jdks.Jdk jdk)
            throws Exception {
        String redefined = "java.util.Hashtable source: __VM_RedefineClasses__";
        DeserRun run = DeserRun.onLibrary(jdk, "xstream-1.4.21");
        Path document = run.document("string.xml", "<java><string>first</string></java>");
        Path classes = run.dir().resolve("classes.txt");

        DeserRun.Outcome decoder = run.jvmArg("-Xlog:class+load:file=" + classes)
                .run("", List.of(), "xmldecoder", document.toString());
        assertTrue(decoder.result().startsWith("RESULT ok java.lang.String first"), decoder::toString);
        String loaded = Files.readString(classes);
        assertFalse(loaded.contains(" java.io.ObjectInputStream "), "the decoder's JVM loaded ObjectInputStream");
        assertTrue(loaded.contains(redefined), "Hashtable's edit waited with no constructor to tell of an overriding stream");

        Path string = run.document("string-xstream.xml", "<string>first</string>");
        DeserRun.Outcome stream = run.run("", List.of(), "xstream-after-map", string.toString());
        assertEquals("RESULT ok java.lang.String first", stream.result(), stream::toString);
        loaded = Files.readString(classes);
        assertTrue(loaded.contains(" java.io.ObjectInputStream "), stream::toString);
        assertFalse(loaded.contains(redefined), "Hashtable's edit did not wait for a stream that needs it");
    }

    /**
     * Forty nested ArrayLists, each claiming ten million elements in a stream of under a
     * kilobyte, read by four threads at once under -Xmx128m: every claim fits the free heap on
     * its own, together they are gigabytes. The twin runs out of memory.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesConcurrentNestedCapacityClaimsBeyondTheHeap(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk).jvmArg("-Xmx128m");
        byte[] bytes = Payloads.nestedListClaims(40, 10_000_000);
        assertTrue(bytes.length < 1024, () -> bytes.length + " bytes");
        Path payload = s.payload(bytes);

        Scenario.Outcome with = s.run("", "concurrent", payload.toString(), "4", "1");
        assertEquals("RESULT ok java.lang.String refused=4 other=0", with.result(), with::toString);
        assertEquals("serial.maxAlloc", with.actions("refuse").get(0).path("rule.name").asText(), with::toString);
        assertFalse(with.jvm().stderr().contains("OutOfMemoryError"), with::toString);

        Scenario.Outcome without = s.run(null, "concurrent", payload.toString(), "4", "1");
        assertTrue(without.jvm().stderr().contains("OutOfMemoryError")
                || without.jvm().stdout().contains("OutOfMemoryError"), without::toString);
    }

    /**
     * What the work and heap measures must let through: a graph whose 20,000 nodes all share one
     * 1,000-object list (20 million objects expanded, but nothing hashes it), a HashMap and a
     * Hashtable of 100,000 entries, and a 40 MB double[] (a claim within half of a 256 MB heap).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void readsLargeSharedGraphsAndLargeMapsThatCostLittle(Jdks.Jdk jdk) throws Exception {
        Scenario s = Scenario.on(jdk).jvmArg("-Xmx256m");
        List<Object> shared = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            shared.add(i);
        }
        // An array, so that the victim's toString of the result does not expand the sharing itself.
        Object[] nodes = new Object[20_000];
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = new ArrayList<>(List.of(shared));
        }
        java.util.Map<Object, Object> map = new java.util.HashMap<>();
        for (int i = 0; i < 100_000; i++) {
            map.put("key" + i, List.of(i, i + 1));
        }
        // Its entries pass no checkpoint: only the Hashtable hook's clock samples see this read.
        java.util.Hashtable<Object, Object> table = new java.util.Hashtable<>();
        for (int i = 0; i < 100_000; i++) {
            table.put("key" + i, "value" + i);
        }
        for (Object value : List.of(nodes, map, table, new double[5_000_000])) {
            // nodes: 20,000 x 1,000 objects expanded; map and table: 100,000 keys; the array: a 40 MB claim.
            Path payload = s.payload(Payloads.serialize(value));
            Scenario.Outcome with = s.run("", "read", payload.toString());
            assertTrue(with.result().startsWith("RESULT ok "), with::toString);
        }
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
