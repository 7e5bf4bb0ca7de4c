package dev.safeload.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
}
