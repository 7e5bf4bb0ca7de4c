package dev.safeload.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ViolationLogReaderTest {

    @TempDir
    Path dir;

    private final List<LogEvent> events = new ArrayList<>();
    private final List<String> malformed = new ArrayList<>();
    private final ViolationLogReader.Visitor collect = new ViolationLogReader.Visitor() {
        @Override
        public void event(LogEvent event) {
            events.add(event);
        }

        @Override
        public void malformed(Path file, long line, String reason) {
            malformed.add(file.getFileName() + ":" + line + ": " + reason);
        }
    };

    @Test
    void readsRolledGzipFilesBeforeTheActiveFileOfADirectory() throws IOException {
        Path logs = Files.createDirectory(dir.resolve("logs"));
        EventLine.write(logs.resolve("safeload-violations.jsonl"), EventLine.audit("2026-11-27T00:00:03Z", "c.Third"));
        EventLine.writeGzip(logs.resolve("safeload-violations.jsonl.2026-11-26.1.gz"),
                EventLine.audit("2026-11-26T23:00:00Z", "b.Second"));
        EventLine.writeGzip(logs.resolve("safeload-violations.jsonl.2026-11-26.0.gz"),
                EventLine.audit("2026-11-26T01:00:00Z", "a.First"));
        Files.writeString(logs.resolve("notes.txt"), "not a log\n");

        List<Path> files = ViolationLogReader.expand(List.of(logs));
        List<ViolationLogReader.FileStats> stats = ViolationLogReader.read(files, null, collect);

        assertEquals(List.of("safeload-violations.jsonl.2026-11-26.0.gz", "safeload-violations.jsonl.2026-11-26.1.gz",
                "safeload-violations.jsonl"), files.stream().map(p -> p.getFileName().toString()).toList());
        assertEquals(List.of("a.First", "b.Second", "c.Third"), events.stream().map(LogEvent::className).toList());
        assertEquals(List.of(true, true, false), stats.stream().map(ViolationLogReader.FileStats::gzip).toList());
    }

    @Test
    void readsTheActiveFileOfARolledSeriesWhateverItsName() throws IOException {
        Path logs = Files.createDirectory(dir.resolve("logs"));
        EventLine.write(logs.resolve("safeload.log"), EventLine.audit("2026-11-27T00:00:00Z", "a.Active"));
        EventLine.writeGzip(logs.resolve("safeload.log.2026-11-26.0.gz"), EventLine.audit("2026-11-26T00:00:00Z", "a.Old"));

        ViolationLogReader.read(ViolationLogReader.expand(List.of(logs)), null, collect);

        assertEquals(List.of("a.Old", "a.Active"), events.stream().map(LogEvent::className).toList());
    }

    @Test
    void sniffsGzipByContentNotByName() throws IOException {
        Path renamed = EventLine.writeGzip(dir.resolve("copied-from-prod.jsonl"), EventLine.audit("2026-11-26T00:00:00Z", "a.B"));

        ViolationLogReader.read(List.of(renamed), null, collect);

        assertEquals(1, events.size());
        assertEquals(List.of(), malformed);
    }

    @Test
    void countsLinesThatAreNotEventsAndKeepsReading() throws IOException {
        Path log = EventLine.write(dir.resolve("mixed.jsonl"),
                EventLine.audit("2026-11-26T00:00:00Z", "a.Before"),
                "Exception in thread \"main\" java.lang.OutOfMemoryError",
                "{\"@timestamp\":\"2026-11-26T00:00:01Z\",\"event.action\":\"audit\"",
                "[1,2,3]",
                "{\"event.action\":\"audit\",\"safeload.class\":\"a.NoTime\"}",
                "{\"@timestamp\":\"yesterday\",\"event.action\":\"audit\"}",
                "{\"@timestamp\":\"2026-11-26T00:00:02Z\",\"event.action\":\"audit\"} trailing",
                "",
                "\u0000\u0001\u00ff binary",
                EventLine.audit("2026-11-26T00:00:03Z", "a.After"));

        List<ViolationLogReader.FileStats> stats = ViolationLogReader.read(List.of(log), null, collect);

        assertEquals(List.of("a.Before", "a.After"), events.stream().map(LogEvent::className).toList());
        assertEquals(7, stats.get(0).malformed());
        assertEquals("mixed.jsonl:2: not JSON: Unrecognized token 'Exception': was expecting (JSON String, Number,"
                + " Array, Object or token 'null', 'true' or 'false')", malformed.get(0));
        assertTrue(malformed.get(1).startsWith("mixed.jsonl:3: not JSON: Unexpected end-of-input"), malformed.get(1));
        assertEquals("mixed.jsonl:4: not a JSON object", malformed.get(2));
        assertEquals("mixed.jsonl:5: no @timestamp", malformed.get(3));
        assertEquals("mixed.jsonl:6: @timestamp \"yesterday\" is not an ISO-8601 instant", malformed.get(4));
        assertTrue(malformed.get(5).startsWith("mixed.jsonl:7: "), malformed.get(5));
        assertTrue(malformed.get(6).startsWith("mixed.jsonl:9: not JSON"), malformed.get(6));
        assertNull(stats.get(0).error());
    }

    @Test
    void skipsAnOverlongLineWithoutHoldingItInMemory() throws IOException {
        char[] junk = new char[ViolationLogReader.MAX_LINE_CHARS + 10];
        Arrays.fill(junk, 'x');
        Path log = EventLine.write(dir.resolve("long.jsonl"), new String(junk), EventLine.audit("2026-11-26T00:00:00Z", "a.B"));

        ViolationLogReader.read(List.of(log), null, collect);

        assertEquals(List.of("long.jsonl:1: line longer than 1048576 characters"), malformed);
        assertEquals(1, events.size());
    }

    @Test
    void reportsATruncatedGzipFileWithTheLinesReadBeforeIt() throws IOException {
        Object[] lines = new Object[200];
        for (int i = 0; i < lines.length; i++) {
            lines[i] = EventLine.audit("2026-11-26T00:00:00Z", "a.C" + i);
        }
        Path whole = EventLine.writeGzip(dir.resolve("whole.gz"), lines);
        byte[] bytes = Files.readAllBytes(whole);
        Path cut = Files.write(dir.resolve("cut.jsonl.2026-11-26.0.gz"), Arrays.copyOf(bytes, bytes.length / 2));

        List<ViolationLogReader.FileStats> stats = ViolationLogReader.read(List.of(cut), null, collect);

        String error = stats.get(0).error();
        assertTrue(error != null && error.startsWith("truncated gzip data after line "), error);
        assertTrue(events.size() > 0 && events.size() < 200, "read " + events.size());
    }

    @Test
    void leavesOutEventsBeforeSinceAndCountsThem() throws IOException {
        Path log = EventLine.write(dir.resolve("a.jsonl"),
                EventLine.audit("2026-11-25T23:59:59Z", "a.Old"),
                EventLine.audit("2026-11-26T00:00:00Z", "a.Edge"),
                EventLine.audit("2026-11-26T10:00:00+02:00", "a.Offset"));

        List<ViolationLogReader.FileStats> stats =
                ViolationLogReader.read(List.of(log), Instant.parse("2026-11-26T00:00:00Z"), collect);

        assertEquals(List.of("a.Edge", "a.Offset"), events.stream().map(LogEvent::className).toList());
        assertEquals(1, stats.get(0).skipped());
    }

    @Test
    void namesTheInputThatDoesNotExist() {
        Path missing = dir.resolve("nope.jsonl");
        IOException e = assertThrows(IOException.class, () -> ViolationLogReader.expand(List.of(dir, missing)));
        assertEquals(missing + ": no such file or directory", e.getMessage());
    }

    @Test
    void keepsEveryFieldReportsAndLearningRead() throws IOException {
        Path log = EventLine.write(dir.resolve("a.jsonl"),
                EventLine.refuse("2026-11-26T00:00:00Z", "[Lcom.acme.Leaf;").suppressed(7).notFound()
                        .host("inf-9", 42).entryPoint("java.io.ObjectInputStream.readUnshared"),
                EventLine.model("2026-11-26T00:00:01Z", "model-allow", "/models/a.pt", "AB".repeat(32)));

        ViolationLogReader.read(List.of(log), null, collect);

        LogEvent e = events.get(0);
        assertEquals(Instant.parse("2026-11-26T00:00:00Z"), e.timestamp());
        assertEquals("refuse", e.action());
        assertEquals("serial.allow", e.rule());
        assertEquals("[Lcom.acme.Leaf;", e.className());
        assertEquals(false, e.classFound());
        assertEquals("inf-9", e.host());
        assertEquals("42", e.pid());
        assertEquals("java.io.ObjectInputStream.readUnshared", e.entryPoint());
        assertEquals(8, e.occurrences());
        assertEquals(1, e.line());
        LogEvent m = events.get(1);
        assertEquals("/models/a.pt", m.filePath());
        assertEquals("AB".repeat(32), m.sha256());
        assertEquals("pytorch", m.format());
        assertEquals("allow", m.verdict());
    }
}
