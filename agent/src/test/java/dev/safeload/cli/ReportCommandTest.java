package dev.safeload.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.safeload.ops.EventLine;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportCommandTest {

    @TempDir
    Path dir;

    Path logs;

    @BeforeEach
    void writeARotatedLogDirectory() throws Exception {
        logs = Files.createDirectory(dir.resolve("logs"));
        EventLine.writeGzip(logs.resolve("safeload-violations.jsonl.2026-11-25.0.gz"),
                EventLine.start("2026-11-25T08:00:00Z", "enforce"),
                EventLine.refuse("2026-11-25T08:00:05Z", "org.apache.commons.collections.keyvalue.TiedMapEntry")
                        .callSite("com.acme.serve.SessionCodec.decode(SessionCodec.java:23)").host("edge-1", 77),
                EventLine.refuse("2026-11-25T08:00:06Z", "org.apache.commons.collections.keyvalue.TiedMapEntry")
                        .callSite("com.acme.serve.SessionCodec.decode(SessionCodec.java:23)").host("edge-1", 77)
                        .suppressed(40));
        EventLine.write(logs.resolve("safeload-violations.jsonl"),
                EventLine.refuse("2026-11-26T23:00:00Z", "com.acme.model.Tree"),
                "{\"@timestamp\":\"2026-11-26T23:00:01Z\",\"event.action\":",
                EventLine.refuse("2026-11-27T01:00:00Z", "com.acme.Probe").notFound().host("edge-1", 77)
                        .entryPoint("java.io.ObjectInputStream.readUnshared"));
    }

    private CommandRun report(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ReportCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                Clock.fixed(Instant.parse("2026-11-27T03:00:00Z"), ZoneOffset.UTC));
        return new CommandRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void summarisesRotatedGzipAndActiveLogsAsText() {
        CommandRun run = report(logs.toString());

        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("files:       2 (1 gzip), 6 lines, 5 events, 1 malformed"), run.out());
        assertTrue(run.out().contains("violations:  44 (40 of them held back"), run.out());
        assertTrue(run.out().contains("first seen:  2026-11-25T08:00:05Z"), run.out());
        assertTrue(run.out().contains("last seen:   2026-11-27T01:00:00Z"), run.out());
        assertTrue(run.out().contains(row(44, "2026-11-25T08:00:05Z", "2026-11-27T01:00:00Z", "refuse")), run.out());
        assertTrue(run.out().contains(row(1, "2026-11-25T08:00:00Z", "2026-11-25T08:00:00Z", "start")), run.out());
        assertTrue(run.out().contains(row(42, "2026-11-25T08:00:05Z", "2026-11-25T08:00:06Z",
                "org.apache.commons.collections.keyvalue.TiedMapEntry  [known gadget: CommonsCollections5, 6, 7")), run.out());
        assertTrue(run.out().contains("  com.acme.Probe  [not on the class path: a probe?]\n"), run.out());
        assertTrue(run.out().contains(row(43, "2026-11-25T08:00:05Z", "2026-11-27T01:00:00Z", "edge-1")), run.out());
        assertTrue(run.out().contains(row(1, "2026-11-27T01:00:00Z", "2026-11-27T01:00:00Z",
                "java.io.ObjectInputStream.readUnshared")), run.out());
        assertTrue(run.out().contains("safeload-violations.jsonl line 2: not JSON: Unexpected end-of-input"), run.out());
        assertTrue(run.err().contains("1 malformed line(s) skipped"), run.err());
    }

    private static String row(long count, String first, String last, String name) {
        return String.format("  %10d  %-20s  %-20s  %s", count, first, last, name);
    }

    @Test
    void writesOneJsonDocumentWithEveryCount() throws Exception {
        CommandRun run = report("--format", "json", logs.toString());

        assertEquals(0, run.status(), run.err());
        JsonNode doc = new ObjectMapper().readTree(run.out());
        assertEquals(44, doc.get("violations").asLong());
        assertEquals(40, doc.get("held_back").asLong());
        assertEquals(44, doc.at("/counts/action/refuse").asLong());
        assertEquals(42, doc.at("/counts/class/org.apache.commons.collections.keyvalue.TiedMapEntry").asLong());
        assertEquals(43, doc.at("/counts/host/edge-1").asLong());
        assertEquals("org.apache.commons.collections.keyvalue.TiedMapEntry", doc.at("/top/class/0/name").asText());
        assertTrue(doc.at("/top/class/0/known_gadget").asBoolean());
        assertEquals("2026-11-25T08:00:05Z", doc.at("/top/class/0/first_seen").asText());
        assertEquals("2026-11-25T08:00:06Z", doc.at("/top/class/0/last_seen").asText());
        assertEquals(1, doc.at("/malformed/count").asLong());
        assertEquals(2, doc.at("/malformed/examples/0/line").asLong());
        assertEquals(2, doc.get("files").size());
        assertTrue(doc.at("/files/0/gzip").asBoolean());
    }

    @Test
    void leavesOutEventsBeforeSince() throws Exception {
        CommandRun run = report("--format=json", "--since", "24h", logs.toString());

        JsonNode doc = new ObjectMapper().readTree(run.out());
        assertEquals("2026-11-26T03:00:00Z", doc.get("since").asText());
        assertEquals(2, doc.get("violations").asLong());
        assertFalse(doc.at("/counts/class").has("org.apache.commons.collections.keyvalue.TiedMapEntry"));
        assertEquals(3, doc.at("/files/0/before_since").asLong());
    }

    @Test
    void acceptsAnIsoInstantForSince() {
        CommandRun run = report("--since", "2026-11-27T00:00:00Z", logs.toString());

        assertTrue(run.out().contains("since:       2026-11-27T00:00:00Z (4 earlier events left out)"), run.out());
        assertTrue(run.out().contains("violations:  1 "), run.out());
    }

    @Test
    void namesTheMissingFileAndExitsTwo() {
        Path missing = dir.resolve("gone.jsonl");
        CommandRun run = report(logs.toString(), missing.toString());

        assertEquals(2, run.status());
        assertEquals("safeload report: " + missing + ": no such file or directory\n", run.err());
        assertEquals("", run.out());
    }

    @Test
    void rejectsBadOptionsWithUsage() {
        assertEquals(2, report("--format", "xml", logs.toString()).status());
        assertEquals(2, report("--since", "last tuesday", logs.toString()).status());
        assertEquals(2, report().status());
        CommandRun unknown = report("--colour", logs.toString());
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().startsWith("safeload report: unknown option --colour\nusage: report "), unknown.err());
    }

    @Test
    void printsWhatItReadAndExitsTwoWhenAGzipFileIsTruncated() throws Exception {
        Path whole = EventLine.writeGzip(dir.resolve("whole.gz"),
                EventLine.refuse("2026-11-26T00:00:00Z", "com.acme.A"), EventLine.refuse("2026-11-26T00:00:00Z", "com.acme.B"));
        byte[] bytes = Files.readAllBytes(whole);
        Path cut = Files.write(logs.resolve("safeload-violations.jsonl.2026-11-26.0.gz"),
                java.util.Arrays.copyOf(bytes, bytes.length - 12));

        CommandRun run = report(logs.toString());

        assertEquals(2, run.status());
        assertTrue(run.err().contains(cut + ": truncated gzip data after line "), run.err());
        assertTrue(run.out().contains("Unreadable: " + cut), run.out());
    }

    @Test
    void escapesControlCharactersFromTheLogBeforePrintingThem() throws Exception {
        EventLine.write(logs.resolve("safeload-violations.jsonl"),
                EventLine.refuse("2026-11-26T00:00:00Z", "com.evil.\u001b[2JClear\nFake"));

        CommandRun run = report(logs.toString());

        assertFalse(run.out().contains("\u001b"), run.out());
        assertTrue(run.out().contains("com.evil.\\u001b[2JClear\\u000aFake"), run.out());
    }

    @Test
    void isListedByMain() {
        CommandRun help = CommandRun.of("--help");
        assertTrue(help.out().contains("  report [options] LOG...   "), help.out());
        assertTrue(help.out().contains("  learn --out FILE [options] LOG... "), help.out());
        CommandRun own = CommandRun.of("report", "--help");
        assertEquals(0, own.status());
        assertTrue(own.out().startsWith("usage: report [--format text|json|html] [--since TIME] [--top N] LOG...\n"), own.out());
        assertTrue(CommandRun.of("learn", "--help").out().contains("--allow-dangerous"));
    }

    /** A second day of events with services, audits and a probe, so every table of the page has rows. */
    private void addAFleetDay() throws Exception {
        EventLine.write(logs.resolve("fleet.jsonl"),
                EventLine.start("2026-11-26T00:00:00Z", "audit").host("edge-2", 5).service("ranker"),
                EventLine.audit("2026-11-26T06:10:00Z", "com.acme.model.Tree").host("edge-2", 5).service("ranker")
                        .suppressed(7),
                EventLine.audit("2026-11-26T18:45:00Z", "java.net.URL").host("edge-2", 5).service("ranker"),
                EventLine.heldAtShutdown("2026-11-26T20:00:00Z", "java.net.URL",
                        "com.acme.serve.SessionCodec.decode(SessionCodec.java:23)", 3).host("edge-2", 5),
                EventLine.refuse("2026-11-26T21:00:00Z", "<script>alert(1)</script>").service("scorer \u00e9"));
    }

    private static java.util.Map<String, Long> htmlTable(Document page, String field) {
        java.util.Map<String, Long> rows = new java.util.LinkedHashMap<>();
        for (Element tr : page.select("table[data-table=" + field + "] tr:has(td)")) {
            rows.put(tr.selectFirst("span.value").text(), Long.parseLong(tr.selectFirst("td.count").text()));
        }
        return rows;
    }

    private static java.util.Map<String, Long> jsonTop(JsonNode doc, String field) {
        java.util.Map<String, Long> rows = new java.util.LinkedHashMap<>();
        doc.at("/top/" + field).forEach(r -> rows.put(r.get("name").asText(), r.get("count").asLong()));
        return rows;
    }

    private static java.util.Map<String, Long> jsonCounts(JsonNode doc, String field) {
        java.util.Map<String, Long> rows = new java.util.LinkedHashMap<>();
        doc.at("/counts/" + field).fields().forEachRemaining(f -> rows.put(f.getKey(), f.getValue().asLong()));
        return rows;
    }

    @Test
    void writesOneSelfContainedHtmlPageWhoseNumbersAreThoseOfTheJsonReport() throws Exception {
        addAFleetDay();
        CommandRun html = report("--format", "html", logs.toString());
        CommandRun json = report("--format", "json", logs.toString());
        assertEquals(0, html.status(), html.err());
        JsonNode doc = new ObjectMapper().readTree(json.out());

        Document page = Jsoup.parse(html.out());
        assertEquals("Safeload violation report", page.title());
        assertTrue(page.select("script, link, img, iframe, object, embed, [src]").isEmpty(), "no external resource");
        assertFalse(html.out().contains("url("), "no external font or image in the style sheet");
        assertTrue(html.out().chars().allMatch(c -> c < 0x80), "ASCII only, whatever the console's encoding");

        assertEquals(doc.get("violations").asLong(), Long.parseLong(page.selectFirst("[data-field=violations]").text()));
        assertEquals(doc.get("held_back").asLong(), Long.parseLong(page.selectFirst("[data-field=held_back]").text()));
        assertEquals(doc.get("events").asLong(), Long.parseLong(page.selectFirst("[data-field=events]").text()));
        assertEquals(doc.at("/counts/action/refuse").asLong(), Long.parseLong(page.selectFirst("[data-field=refuse]").text()));
        assertEquals(doc.at("/counts/action/audit").asLong(), Long.parseLong(page.selectFirst("[data-field=audit]").text()));
        for (String field : List.of("class", "call_site", "service", "host")) {
            assertEquals(jsonTop(doc, field), htmlTable(page, field), field);
        }
        for (String field : List.of("rule", "action", "entry_point")) {
            assertEquals(jsonCounts(doc, field), htmlTable(page, field), field);
        }
        assertEquals(java.util.Map.of("ranker", 12L, "scorer \u00e9", 1L), htmlTable(page, "service"));

        Element chart = page.selectFirst("svg");
        assertEquals(doc.at("/timeline/bucket_seconds").asLong(), Long.parseLong(chart.attr("data-bucket-seconds")));
        List<Element> bars = chart.select("g[data-start]");
        assertEquals(doc.at("/timeline/buckets").size(), bars.size());
        long sum = 0;
        for (int i = 0; i < bars.size(); i++) {
            JsonNode bucket = doc.at("/timeline/buckets").get(i);
            Element bar = bars.get(i);
            assertEquals(bucket.get("start").asText(), bar.attr("data-start"));
            assertEquals(bucket.get("refuse").asLong(), Long.parseLong(bar.attr("data-refuse")));
            assertEquals(bucket.get("audit").asLong(), Long.parseLong(bar.attr("data-audit")));
            assertEquals(bucket.get("other").asLong(), Long.parseLong(bar.attr("data-other")));
            sum += bucket.get("refuse").asLong() + bucket.get("audit").asLong() + bucket.get("other").asLong();
        }
        assertEquals(doc.get("violations").asLong(), sum, "every violation is in one bar");

        Element tiedMapEntry = page.select("table[data-table=class] tr:has(td)").stream()
                .filter(tr -> tr.text().contains("TiedMapEntry")).findFirst().orElseThrow();
        assertTrue(tiedMapEntry.selectFirst("span.tag.gadget").text().startsWith("known gadget: CommonsCollections5"));
        Element probe = page.select("table[data-table=class] tr:has(td)").stream()
                .filter(tr -> tr.text().contains("com.acme.Probe")).findFirst().orElseThrow();
        assertEquals("not on the class path: a probe?", probe.selectFirst("span.tag.probe").text());
        assertTrue(page.select("script").isEmpty() && html.out().contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
                "a class name from the log is text, never markup");
    }
}
