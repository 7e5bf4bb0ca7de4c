package dev.safeload.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
}
