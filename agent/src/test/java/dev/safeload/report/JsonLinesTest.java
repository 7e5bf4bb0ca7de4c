package dev.safeload.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.StringWriter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonLinesTest {

    @Test
    void encodesOneLineEvenWhenValuesHoldNewlinesAndQuotes() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("message", "a\nb \"c\"");
        fields.put("n", 3L);
        fields.put("ok", true);
        fields.put("list", List.of("x"));
        String line = JsonLines.encode(fields);
        assertFalse(line.contains("\n"));
        assertEquals("{\"message\":\"a\\nb \\\"c\\\"\",\"n\":3,\"ok\":true,\"list\":[\"x\"]}", line);
    }

    /** The hand-written encoder replaced Jackson's generator: the same bytes for what an event holds. */
    @Test
    void writesWhatJacksonWroteForControlCharactersUnicodeAndNumbers() throws Exception {
        StringBuilder every = new StringBuilder();
        for (char c = 0; c < 0x80; c++) {
            every.append(c);
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("ascii", every.toString());
        fields.put("unicode", "caf\u00e9 \u2028 \ud83d\ude00 \u00ff/");
        fields.put("int", 42);
        fields.put("long", -81_234_567_890L);
        fields.put("double", 0.7d);
        fields.put("big", 1.0e21d);
        fields.put("nan", Double.NaN);
        fields.put("nested", Map.of("k\"", List.of(1L, "two", false)));
        fields.put("null", null);

        StringWriter jackson = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(jackson)) {
            g.writeStartObject();
            g.writeStringField("ascii", every.toString());
            g.writeStringField("unicode", (String) fields.get("unicode"));
            g.writeNumberField("int", 42L);
            g.writeNumberField("long", -81_234_567_890L);
            g.writeNumberField("double", 0.7d);
            g.writeNumberField("big", 1.0e21d);
            g.writeNumberField("nan", Double.NaN);
            g.writeFieldName("nested");
            g.writeStartObject();
            g.writeFieldName("k\"");
            g.writeStartArray();
            g.writeNumber(1L);
            g.writeString("two");
            g.writeBoolean(false);
            g.writeEndArray();
            g.writeEndObject();
            g.writeStringField("null", "null");
            g.writeEndObject();
        }
        assertEquals(jackson.toString(), JsonLines.encode(fields));
    }
}
