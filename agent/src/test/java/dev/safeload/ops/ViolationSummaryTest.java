package dev.safeload.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ViolationSummaryTest {

    @TempDir
    Path dir;

    private ViolationSummary summarise(Object... lines) throws IOException {
        Path log = EventLine.write(dir.resolve("s.jsonl"), lines);
        ViolationSummary s = new ViolationSummary(GadgetCatalog.builtIn());
        ViolationLogReader.read(List.of(log), null, s);
        return s.finish();
    }

    private static Map<String, Long> counts(Tally t) {
        return t.rows().stream().collect(Collectors.toMap(Tally.Row::name, Tally.Row::count));
    }

    @Test
    void countsEventsTheRateLimiterHeldBackInEveryTable() throws IOException {
        ViolationSummary s = summarise(
                EventLine.refuse("2026-11-26T00:00:00Z", "com.acme.Evil"),
                EventLine.refuse("2026-11-26T00:01:00Z", "com.acme.Evil").suppressed(480),
                EventLine.refuse("2026-11-26T00:02:00Z", "com.acme.Other").host("inf-2", 9));

        assertEquals(483, s.violations());
        assertEquals(480, s.heldBack());
        assertEquals(Map.of("com.acme.Evil", 482L, "com.acme.Other", 1L), counts(s.classes()));
        assertEquals(Map.of("refuse", 483L), counts(s.actions()));
        assertEquals(Map.of("inf-1", 482L, "inf-2", 1L), counts(s.hosts()));
        assertEquals(Map.of("serial.allow", 483L), counts(s.rules()));
        assertEquals(Map.of("com.acme.serve.ModelStore.load(ModelStore.java:41)", 483L), counts(s.callSites()));
    }

    @Test
    void countsHeldBackEventsUnderTheirEntryPointSoEverySectionAddsUp() throws IOException {
        ViolationSummary s = summarise(
                EventLine.start("2026-11-26T00:00:00Z", "enforce"),
                EventLine.refuse("2026-11-26T00:00:01Z", "com.acme.Evil").suppressed(3),
                EventLine.heldAtShutdown("2026-11-26T06:00:00Z", "com.acme.Evil",
                        "com.acme.serve.ModelStore.load(ModelStore.java:41)", 12));

        assertEquals(16, s.violations());
        assertEquals(Map.of("java.io.ObjectInputStream.readObject", 16L), counts(s.entryPoints()));
        for (Tally t : List.of(s.rules(), s.classes(), s.entryPoints(), s.callSites(), s.hosts())) {
            assertEquals(s.violations(), t.rows().stream().mapToLong(Tally.Row::count).sum());
        }
    }

    @Test
    void countsViolationsByServiceIncludingTheShutdownSummaryOfItsProcess() throws IOException {
        ViolationSummary s = summarise(
                EventLine.start("2026-11-26T00:00:00Z", "enforce").service("scorer"),
                EventLine.refuse("2026-11-26T00:00:01Z", "com.acme.Evil").service("scorer"),
                EventLine.refuse("2026-11-26T00:00:02Z", "com.acme.Evil").host("inf-2", 9).service("ranker"),
                EventLine.heldAtShutdown("2026-11-26T06:00:00Z", "com.acme.Evil", "com.acme.App.main(App.java:1)", 7));

        assertEquals(Map.of("scorer", 8L, "ranker", 1L), counts(s.services()));
    }

    @Test
    void countsHeldBackEventsOfOlderLogsUnderAnEntryPointNotRecorded() throws IOException {
        ViolationSummary s = summarise(
                EventLine.start("2026-11-26T00:00:00Z", "enforce"),
                EventLine.refuse("2026-11-26T00:00:01Z", "com.acme.Evil"),
                EventLine.heldAtShutdown("2026-11-26T06:00:00Z",
                        "com.acme.Evil\u0000serial.allow\u0000com.acme.App.main(App.java:1)", 5));

        assertEquals(Map.of("java.io.ObjectInputStream.readObject", 1L, ViolationSummary.NOT_RECORDED, 5L),
                counts(s.entryPoints()));
    }

    @Test
    void attributesAShutdownSummaryToItsClassAndToTheModeOfItsProcess() throws IOException {
        ViolationSummary s = summarise(
                EventLine.start("2026-11-26T00:00:00Z", "audit"),
                EventLine.audit("2026-11-26T00:00:01Z", "com.acme.Tree"),
                EventLine.heldAtShutdown("2026-11-26T06:00:00Z", "com.acme.Tree",
                        "com.acme.serve.ModelStore.load(ModelStore.java:41)", 12));

        assertEquals(Map.of("audit", 13L, "start", 1L), counts(s.actions()));
        assertEquals(Map.of("com.acme.Tree", 13L), counts(s.classes()));
        assertEquals(Instant.parse("2026-11-26T06:00:00Z"), s.last());
    }

    @Test
    void attributesAModelGateShutdownSummaryToItsFile() throws IOException {
        ViolationSummary s = summarise(
                EventLine.start("2026-11-26T00:00:00Z", "enforce"),
                EventLine.model("2026-11-26T00:00:01Z", "refuse", "/models/evil.pt", "ab".repeat(32)),
                EventLine.heldAtShutdown("2026-11-26T06:00:00Z", "model\u0000/models/evil.pt\u0000pickle.import.dangerous", 4),
                EventLine.heldAtShutdown("2026-11-26T06:00:00Z", "model-allow\u0000/models/ok.pt" + "cd".repeat(32), 9));

        assertEquals(Map.of("refuse", 5L, "model-allow", 9L, "start", 1L), counts(s.actions()));
        assertEquals(Map.of("/models/evil.pt", 5L), counts(s.modelFiles()));
        assertEquals(Map.of("pickle.import.dangerous", 5L), counts(s.rules()));
        assertEquals(Map.of(), counts(s.classes()));
    }

    @Test
    void recordsFirstAndLastSeenPerValue() throws IOException {
        ViolationSummary s = summarise(
                EventLine.audit("2026-11-26T05:00:00Z", "com.acme.A"),
                EventLine.audit("2026-11-26T01:00:00Z", "com.acme.A"),
                EventLine.audit("2026-11-26T09:00:00Z", "com.acme.A"));

        Tally.Row row = s.classes().rows().get(0);
        assertEquals(Instant.parse("2026-11-26T01:00:00Z"), row.first());
        assertEquals(Instant.parse("2026-11-26T09:00:00Z"), row.last());
        assertEquals(Instant.parse("2026-11-26T01:00:00Z"), s.first());
    }

    @Test
    void flagsKnownGadgetsAndClassesNoClassPathHad() throws IOException {
        ViolationSummary s = summarise(
                EventLine.refuse("2026-11-26T00:00:00Z", "org.apache.commons.collections.keyvalue.TiedMapEntry"),
                EventLine.refuse("2026-11-26T00:00:00Z", "[Ljava.net.URL;"),
                EventLine.refuse("2026-11-26T00:00:00Z", "com.acme.Missing").notFound());

        assertNotNull(s.gadget("org.apache.commons.collections.keyvalue.TiedMapEntry"));
        assertTrue(s.gadget("[Ljava.net.URL;").reason().startsWith("URLDNS"));
        assertNull(s.gadget("com.acme.Missing"));
        assertTrue(s.notFound("com.acme.Missing"));
    }

    @Test
    void ranksTheMostFrequentFirst() throws IOException {
        ViolationSummary s = summarise(
                EventLine.audit("2026-11-26T00:00:00Z", "b.Two"),
                EventLine.audit("2026-11-26T00:00:00Z", "a.One"),
                EventLine.audit("2026-11-26T00:00:00Z", "b.Two"),
                EventLine.audit("2026-11-26T00:00:00Z", "c.Three").suppressed(5));

        assertEquals(List.of("c.Three", "b.Two"), s.classes().top(2).stream().map(Tally.Row::name).toList());
    }
}
