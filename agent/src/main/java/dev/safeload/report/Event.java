package dev.safeload.report;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One decision of interest, as ordered fields named after the Elastic Common Schema where it
 * has a name (event.action, rule.name, ...) and under {@code safeload.*} otherwise. The
 * {@link Reporter} adds the fields every event carries (time, host, process, mode).
 */
public final class Event {

    /** {@code log.level} of an alert (a refusal, or the refusal audit mode would have made). */
    public static final String ALERT_LEVEL = "warn";

    private final Map<String, Object> fields = new LinkedHashMap<>();
    private String level;

    private Event() {
    }

    /**
     * An event of {@code event.kind} with {@code event.action}. Alerts are logged at
     * {@code warn}, everything else (start, reload, allowed model loads) at {@code info}, so a
     * SIEM rule on {@code log.level} sees refusals and audits and nothing routine.
     */
    public static Event of(String kind, String action) {
        Event e = new Event();
        e.fields.put("event.kind", kind);
        e.fields.put("event.action", action);
        e.level = "alert".equals(kind) ? ALERT_LEVEL : "info";
        return e;
    }

    /** Overrides the {@code log.level} the kind implies: {@code error} for a failure the operator must fix. */
    public Event level(String logLevel) {
        this.level = logLevel;
        return this;
    }

    /** {@code log.level}: info, warn or error. */
    public String level() {
        return level;
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
