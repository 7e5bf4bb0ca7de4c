package dev.safeload.ops;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Turns one violation-log line into a {@link LogEvent}. It streams over the line and keeps only
 * the scalar fields it knows, so a 48-frame stack trace costs a skip, not a tree.
 */
final class LogLineParser {

    /** A line that is not one Safeload event; the reason is for people. */
    static final class MalformedLineException extends Exception {
        MalformedLineException(String reason) {
            super(reason, null, false, false);
        }
    }

    private static final JsonFactory JSON = new JsonFactory();

    private static final Set<String> FIELDS = Set.of("@timestamp", "event.kind", "event.action", "rule.name",
            "host.name", "process.pid", "safeload.mode", "safeload.entry_point", "safeload.class",
            "safeload.class_found", "safeload.call_site", "safeload.suppressed", "safeload.rate_key",
            "file.path", "file.hash.sha256", "safeload.format", "safeload.verdict", "safeload.stream",
            "service.name", "safeload.member");

    private LogLineParser() {
    }

    static LogEvent parse(String line, Path file, long lineNumber) throws MalformedLineException {
        Map<String, String> f = new HashMap<>();
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedLineException("not a JSON object");
            }
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value.isStructStart()) {
                    p.skipChildren();
                } else if (value != JsonToken.VALUE_NULL && FIELDS.contains(name)) {
                    f.put(name, p.getText());
                }
            }
            if (p.nextToken() != null) {
                throw new MalformedLineException("text after the JSON object");
            }
        } catch (JsonProcessingException e) {
            throw new MalformedLineException("not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new MalformedLineException("not JSON: " + e.getMessage());
        }
        String stamp = f.get("@timestamp");
        if (stamp == null) {
            throw new MalformedLineException("no @timestamp");
        }
        if (f.get("event.action") == null) {
            throw new MalformedLineException("no event.action");
        }
        return new LogEvent(instant(stamp), f.get("event.kind"), f.get("event.action"), f.get("rule.name"),
                f.get("host.name"), f.get("process.pid"), f.get("safeload.mode"), f.get("safeload.entry_point"),
                f.get("safeload.class"), bool(f.get("safeload.class_found")), f.get("safeload.call_site"),
                count(f.get("safeload.suppressed")), f.get("safeload.rate_key"), f.get("file.path"),
                f.get("file.hash.sha256"), f.get("safeload.format"), f.get("safeload.verdict"), f.get("service.name"), file,
                lineNumber, f.get("safeload.stream"), f.get("safeload.member"));
    }

    private static Instant instant(String text) throws MalformedLineException {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new MalformedLineException("@timestamp \"" + Printable.text(text) + "\" is not an ISO-8601 instant");
        }
    }

    private static Boolean bool(String text) {
        return text == null ? null : Boolean.valueOf(text);
    }

    /** A held-back count; one that is negative or not a whole number counts as none. */
    private static long count(String text) {
        if (text == null) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(text));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
