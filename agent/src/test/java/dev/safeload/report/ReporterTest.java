package dev.safeload.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReporterTest {

    @TempDir
    Path dir;

    private List<JsonNode> written(ServiceIdentity service, Event... events) throws Exception {
        Path log = dir.resolve("v.jsonl");
        Reporter reporter = new Reporter(new LogSettings(log.toString(), 1 << 20, 1, 100, service),
                new PrintStream(new ByteArrayOutputStream()));
        for (Event e : events) {
            reporter.write(e);
        }
        List<JsonNode> lines = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(log)) {
            lines.add(json.readTree(line));
        }
        return lines;
    }

    @Test
    void readsTheKernelHostNameAsFilesReadStringDoes() throws Exception {
        Path file = Path.of("/proc/sys/kernel/hostname");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(file), "Linux only");
        String name = Reporter.kernelHostName();
        assertEquals(Files.readString(file).strip(), name);
        assertFalse(name.isEmpty());
    }

    @Test
    void readsTheSamePidAsProcessHandle() {
        assertEquals(ProcessHandle.current().pid(), Reporter.pid());
    }

    @Test
    void logsLifecycleAtInfoAlertsAtWarnAndFailuresAtError() throws Exception {
        List<JsonNode> lines = written(ServiceIdentity.NONE,
                Event.of("event", "start"), Event.of("event", "policy-reload"), Event.of("alert", "refuse"),
                Event.of("alert", "audit"), Event.of("event", "policy-reload-failed").level("error"));

        assertEquals(List.of("info", "info", "warn", "warn", "error"),
                lines.stream().map(l -> l.path("log.level").asText()).toList());
    }

    @Test
    void namesTheServiceOnEveryEventWhenTheDeploymentSetsIt() throws Exception {
        List<JsonNode> lines = written(new ServiceIdentity("scorer", "2.4.1", "prod"),
                Event.of("event", "start"), Event.of("alert", "refuse"));

        for (JsonNode line : lines) {
            assertEquals("scorer", line.path("service.name").asText(), line::toString);
            assertEquals("2.4.1", line.path("service.version").asText(), line::toString);
            assertEquals("prod", line.path("service.environment").asText(), line::toString);
        }
    }

    @Test
    void leavesServiceFieldsOutWhenNothingSetsThem() throws Exception {
        JsonNode line = written(ServiceIdentity.NONE, Event.of("alert", "refuse")).get(0);

        assertFalse(line.has("service.name"), line::toString);
        assertFalse(line.has("service.environment"), line::toString);
    }

    /** Appends first, then Logback takes over on its own thread: every line written once, none lost. */
    @Test
    void handsTheLogOverToLogbackWithoutLosingOrRepeatingALine() throws Exception {
        Path log = dir.resolve("handover.jsonl");
        Reporter reporter = new Reporter(new LogSettings(log.toString(), 4096, 1, 100_000, ServiceIdentity.NONE),
                new PrintStream(new ByteArrayOutputStream()), 0, null);
        assertFalse(reporter.rolling());
        int n = 0;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!reporter.rolling() && System.nanoTime() < deadline) {
            reporter.write(Event.of("alert", "refuse").put("seq", n++));
        }
        assertTrue(reporter.rolling(), "Logback never took the log over");
        int beforeHandOver = n;
        for (int i = 0; i < 200; i++) {
            reporter.write(Event.of("alert", "refuse").put("seq", n++));
        }

        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            expected.add(i);
        }
        // Logback compresses a rolled file on a thread of its own, through a .tmp file it deletes
        // after: a listing made meanwhile can miss a file or see one twice, and a .gz read while
        // it is written is cut short. So read until every line is there exactly once, or time is up.
        List<Long> seen = everyLine();
        while (!expected.equals(seen) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            seen = everyLine();
        }
        if (!expected.equals(seen)) {
            // Not the two lists: 12,000 numbers cut short by the build's log say nothing.
            org.junit.jupiter.api.Assertions.fail("after " + beforeHandOver + " appended lines, of " + n + ": "
                    + difference(seen, n) + "; files: " + listing());
        }
    }

    /** The missing lines as ranges, and how many were read more than once. */
    private static String difference(List<Long> seen, int n) {
        int[] count = new int[n];
        for (long seq : seen) {
            if (seq >= 0 && seq < n) {
                count[(int) seq]++;
            }
        }
        StringBuilder missing = new StringBuilder();
        int twice = 0;
        for (int i = 0; i < n; i++) {
            twice += count[i] > 1 ? 1 : 0;
            if (count[i] == 0 && (i == 0 || count[i - 1] != 0)) {
                int end = i;
                while (end + 1 < n && count[end + 1] == 0) {
                    end++;
                }
                missing.append(missing.length() == 0 ? "" : ", ").append(i).append(end > i ? "-" + end : "");
            }
        }
        return seen.size() + " lines read, missing [" + missing + "], " + twice + " read more than once";
    }

    private String listing() throws java.io.IOException {
        List<String> files = new ArrayList<>();
        for (Path file : logFiles()) {
            files.add(file.getFileName() + " (" + Files.size(file) + " bytes)");
        }
        return String.join(", ", files);
    }

    /** Every line's seq in the log and its rolled files, sorted; an empty list when a file changed under the read. */
    private List<Long> everyLine() throws java.io.IOException {
        List<Long> seen = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        try {
            for (Path file : logFiles()) {
                String text;
                if (file.toString().endsWith(".gz")) {
                    try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(file))) {
                        text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                    }
                } else {
                    text = Files.readString(file);
                }
                for (String line : text.split("\n")) {
                    if (!line.isEmpty()) {
                        seen.add(json.readTree(line).path("seq").asLong());
                    }
                }
            }
        } catch (java.io.IOException changedUnderTheRead) {
            return List.of();
        }
        java.util.Collections.sort(seen);
        return seen;
    }

    private List<Path> logFiles() throws java.io.IOException {
        try (var listing = Files.list(dir)) {
            return listing.filter(p -> p.getFileName().toString().startsWith("handover.jsonl")).sorted().toList();
        }
    }
}
