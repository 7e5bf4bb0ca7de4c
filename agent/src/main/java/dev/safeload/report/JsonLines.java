package dev.safeload.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Map;

/** Encodes an {@link Event} as one line of JSON (no raw newline can appear inside it). */
public final class JsonLines {

    private static final JsonFactory FACTORY = new JsonFactory();

    private JsonLines() {
    }

    /** The event as a single JSON object, without the trailing newline. */
    public static String encode(Map<String, Object> fields) {
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            for (Map.Entry<String, Object> field : fields.entrySet()) {
                g.writeFieldName(field.getKey());
                writeValue(g, field.getValue());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a log event", e);
        }
        return out.toString();
    }

    private static void writeValue(JsonGenerator g, Object value) throws IOException {
        if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (value instanceof Integer || value instanceof Long) {
            g.writeNumber(((Number) value).longValue());
        } else if (value instanceof Number n) {
            g.writeNumber(n.doubleValue());
        } else if (value instanceof Collection<?> items) {
            g.writeStartArray();
            for (Object item : items) {
                writeValue(g, item);
            }
            g.writeEndArray();
        } else if (value instanceof Map<?, ?> map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                writeValue(g, e.getValue());
            }
            g.writeEndObject();
        } else {
            g.writeString(String.valueOf(value));
        }
    }
}
