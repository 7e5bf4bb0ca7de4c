package dev.safeload.report;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One decision of interest, as ordered fields named after the Elastic Common Schema where it
 * has a name (event.action, rule.name, ...) and under {@code safeload.*} otherwise. The
 * {@link Reporter} adds the fields every event carries (time, host, process, mode).
 */
public final class Event {

    private final Map<String, Object> fields = new LinkedHashMap<>();

    private Event() {
    }

    /** An event of {@code event.kind} with {@code event.action}. */
    public static Event of(String kind, String action) {
        Event e = new Event();
        e.fields.put("event.kind", kind);
        e.fields.put("event.action", action);
        return e;
    }

    /** Sets a field; a null value leaves the field out. */
    public Event put(String name, Object value) {
        if (value != null) {
            fields.put(name, value);
        }
        return this;
    }

    public Object get(String name) {
        return fields.get(name);
    }

    /** The fields in the order they were set. */
    public Map<String, Object> fields() {
        return fields;
    }
}
