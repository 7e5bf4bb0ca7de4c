package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.Payloads;
import dev.safeload.it.support.ViolationLog;
import dev.safeload.it.victim.ModelVictim;
import dev.safeload.it.victim.Victim;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The files in {@code docs/siem/} against what a real agent writes: every field of every event
 * of a set of runs (refusals, audits, rate-limit summaries, model-gate refusals and allows, the
 * service identity) is mapped by the index template with a type its values fit, and the Kibana
 * dashboard uses only mapped fields on the indices the template and the docs name.
 */
class SiemFilesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SIEM = Path.of("../docs/siem");

    /** Field name to the JSON value kinds seen for it across all events written. */
    private static final Map<String, Set<String>> WRITTEN = new TreeMap<>();
    private static final List<JsonNode> EVENTS = new ArrayList<>();
    private static final Map<String, List<JsonNode>> RUNS = new TreeMap<>();

    @BeforeAll
    static void runTheAgent() throws Exception {
        Path dir = Files.createTempDirectory("safeload-siem-");
        Path payload = dir.resolve("payload.ser");
        Files.write(payload, Payloads.serialize(Payloads.commonsCollections3(dir.resolve("pwned").toString())));
        Path benign = dir.resolve("benign.ser");
        Files.write(benign, Payloads.serialize(new java.util.ArrayList<>(List.of("a", "b"))));

        // Enforce, the service from the OpenTelemetry variables, one line a minute: refusals and a summary.
        collect(dir, "enforce", ForkedJvm.on(Jdks.current()).env("OTEL_SERVICE_NAME", "scorer")
                .env("OTEL_RESOURCE_ATTRIBUTES", "service.version=2.4.1,deployment.environment.name=prod")
                .withAgent(log(dir, "enforce") + ",log.rateLimit=1"), Victim.class, "concurrent", payload.toString(), "1", "5");
        // Audit mode, the service from agent keys.
        collect(dir, "audit", ForkedJvm.on(Jdks.current()).withAgent(log(dir, "audit")
                + ",mode=audit,service.name=ranker,service.environment=staging"), Victim.class, "read", payload.toString());
        // The model gate: a refused and an allowed model file.
        collect(dir, "model-refuse", ForkedJvm.on(Jdks.current()).withAgent(log(dir, "model-refuse")),
                ModelVictim.class, "weka-file", payload.toString());
        collect(dir, "model-allow", ForkedJvm.on(Jdks.current()).withAgent(log(dir, "model-allow")),
                ModelVictim.class, "weka-file", benign.toString());

        for (String action : List.of("start", "refuse", "audit", "suppressed", "model-allow")) {
            assertFalse(ViolationLog.withAction(EVENTS, action).isEmpty(), () -> "no " + action + " event in " + EVENTS);
        }
        assertTrue(EVENTS.stream().anyMatch(e -> e.has("safeload.findings")), "no model-gate refusal");
        assertTrue(EVENTS.stream().anyMatch(e -> e.has("service.environment")), "no service identity");
    }

    private static String log(Path dir, String name) {
        return "log=" + dir.resolve(name + ".jsonl");
    }

    private static void collect(Path dir, String name, ForkedJvm jvm, Class<?> main, String... args) throws Exception {
        ForkedJvm.Result result = jvm.workDir(dir).runMain(main, args);
        List<JsonNode> events = ViolationLog.read(dir.resolve(name + ".jsonl"));
        assertFalse(events.isEmpty(), () -> name + " wrote no events:\n" + result);
        RUNS.put(name, events);
        for (JsonNode event : events) {
            EVENTS.add(event);
            for (Iterator<Map.Entry<String, JsonNode>> it = event.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                kinds(f.getKey(), f.getValue());
            }
        }
    }

    /** Records the kinds of {@code value} under {@code name}; arrays by their elements, objects by their fields. */
    private static void kinds(String name, JsonNode value) {
        if (value.isArray()) {
            value.forEach(element -> kinds(name, element));
        } else if (value.isObject()) {
            value.fields().forEachRemaining(f -> kinds(name + "." + f.getKey(), f.getValue()));
        } else {
            WRITTEN.computeIfAbsent(name, k -> new TreeSet<>()).add(
                    value.isIntegralNumber() ? "integer" : value.isBoolean() ? "boolean" : value.isTextual() ? "string" : "other");
        }
    }

    /** The template's fields, flat and dotted, to their mapping type. */
    private static Map<String, String> templateFields() throws Exception {
        JsonNode template = JSON.readTree(SIEM.resolve("safeload-index-template.json").toFile());
        Map<String, String> fields = new TreeMap<>();
        flatten("", template.path("template").path("mappings").path("properties"), fields);
        return fields;
    }

    private static void flatten(String prefix, JsonNode properties, Map<String, String> into) {
        properties.fields().forEachRemaining(f -> {
            String name = prefix + f.getKey();
            if (f.getValue().has("properties")) {
                flatten(name + ".", f.getValue().get("properties"), into);
            } else {
                into.put(name, f.getValue().path("type").asText());
            }
        });
    }

    @Test
    void templateMapsEveryFieldTheAgentWritesWithATypeItsValuesFit() throws Exception {
        Map<String, String> mapped = templateFields();
        for (Map.Entry<String, Set<String>> field : WRITTEN.entrySet()) {
            String type = mapped.get(field.getKey());
            assertNotNull(type, "the agent writes " + field.getKey() + " but docs/siem/safeload-index-template.json"
                    + " does not map it (add it to docs/siem/make-siem-files.py)");
            for (String kind : field.getValue()) {
                Set<String> fits = switch (kind) {
                    case "integer" -> Set.of("long");
                    case "boolean" -> Set.of("boolean");
                    case "string" -> Set.of("keyword", "text", "date");
                    default -> Set.of();
                };
                assertTrue(fits.contains(type), field.getKey() + " holds " + kind + " values, mapped as " + type);
            }
        }
        for (JsonNode event : EVENTS) {
            OffsetDateTime.parse(event.path("@timestamp").asText()); // the date mapping's default format
        }
    }

    @Test
    void namesTheServiceOnEveryEventFromOpenTelemetryVariablesOrAgentKeys() {
        for (JsonNode event : RUNS.get("enforce")) {
            assertEquals("scorer", event.path("service.name").asText(), event::toString);
            assertEquals("2.4.1", event.path("service.version").asText(), event::toString);
            assertEquals("prod", event.path("service.environment").asText(), event::toString);
        }
        for (JsonNode event : RUNS.get("audit")) {
            assertEquals("ranker", event.path("service.name").asText(), event::toString);
            assertEquals("staging", event.path("service.environment").asText(), event::toString);
            assertFalse(event.has("service.version"), event::toString);
        }
        assertFalse(RUNS.get("model-allow").get(0).has("service.name"), "nothing set, nothing written");
    }

    @Test
    void logsStartAndAllowedLoadsAtInfoAndRefusalsAuditsAndTheirSummaryAtWarn() {
        for (JsonNode event : EVENTS) {
            String action = event.path("event.action").asText();
            String expected = Set.of("refuse", "audit", "suppressed").contains(action) ? "warn" : "info";
            assertEquals(expected, event.path("log.level").asText(), event::toString);
        }
    }

    @Test
    void templateMapsOnlyFieldsTheAgentWritesOrTheReadmeDocuments() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        for (String field : templateFields().keySet()) {
            String documented = field.startsWith("safeload.findings.") ? "safeload.findings" : field;
            assertTrue(WRITTEN.containsKey(field) || readme.contains("`" + documented + "`"),
                    field + " is mapped but neither written in these runs nor documented in the README");
        }
    }

    @Test
    void dashboardUsesOnlyMappedFieldsOnTheIndicesTheTemplateAndFilebeatName() throws Exception {
        Map<String, String> mapped = templateFields();
        JsonNode template = JSON.readTree(SIEM.resolve("safeload-index-template.json").toFile());
        assertEquals("safeload-*", template.path("index_patterns").get(0).asText());
        String operations = Files.readString(Path.of("../docs/operations.md"));
        assertTrue(operations.contains("index: \"safeload-violations-%{+yyyy.MM.dd}\""), "Filebeat writes safeload-*");
        assertTrue(operations.contains("Logstash_Prefix     safeload-violations"), "Fluent Bit writes safeload-*");
        assertTrue(operations.contains("GET safeload-*/_search"), "the query reads what they write");

        Map<String, JsonNode> objects = new TreeMap<>();
        for (String line : Files.readAllLines(SIEM.resolve("safeload-kibana-dashboard.ndjson"))) {
            JsonNode object = JSON.readTree(line);
            objects.put(object.path("type").asText() + ":" + object.path("id").asText(), object);
        }
        JsonNode dataView = objects.get("index-pattern:safeload-violations");
        assertEquals("safeload-*", dataView.path("attributes").path("title").asText());
        assertEquals("@timestamp", dataView.path("attributes").path("timeFieldName").asText());

        JsonNode dashboard = objects.get("dashboard:safeload-violations-overview");
        JsonNode panels = JSON.readTree(dashboard.path("attributes").path("panelsJSON").asText());
        Set<String> fieldsShown = new TreeSet<>();
        for (JsonNode panel : panels) {
            String ref = panel.path("panelRefName").asText();
            JsonNode reference = null;
            for (JsonNode r : dashboard.path("references")) {
                if (r.path("name").asText().equals(ref)) {
                    reference = r;
                }
            }
            assertNotNull(reference, "panel " + ref + " has no reference");
            JsonNode vis = objects.get(reference.path("type").asText() + ":" + reference.path("id").asText());
            assertNotNull(vis, "the dashboard shows " + reference + ", which the file does not hold");
            assertEquals("safeload-violations", vis.path("references").get(0).path("id").asText());
            JsonNode state = JSON.readTree(vis.path("attributes").path("visState").asText());
            for (JsonNode agg : state.path("aggs")) {
                String field = agg.path("params").path("field").asText(null);
                if (field != null) {
                    assertTrue(mapped.containsKey(field), vis.path("id") + " aggregates on unmapped " + field);
                    assertFalse(mapped.get(field).equals("text"), vis.path("id") + " aggregates on text field " + field);
                    fieldsShown.add(field);
                }
            }
        }
        assertTrue(fieldsShown.containsAll(Set.of("@timestamp", "safeload.class", "safeload.call_site", "service.name")),
                "refusals over time, top classes, top call sites and by service: " + fieldsShown);
    }
}
