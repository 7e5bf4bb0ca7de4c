package dev.safeload.ops;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;

/**
 * The report for machines: one JSON document. {@code counts} holds every value of every field,
 * most frequent first; {@code top} the leading {@code --top} rows with first and last seen.
 */
public final class SummaryJsonWriter {

    /** Non-ASCII escaped, so class names with bidi overrides cannot disguise themselves in a terminal. */
    private static final JsonFactory JSON = JsonFactory.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    /** Buckets of the timeline, in both the JSON and the HTML report. */
    public static final int TIMELINE_BUCKETS = 60;

    private SummaryJsonWriter() {
    }

    public static void write(OutputStream out, ViolationSummary s, List<ViolationLogReader.FileStats> files,
                             Instant since, int top) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(out).useDefaultPrettyPrinter()) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            g.writeStringField("since", since == null ? null : since.toString());
            g.writeArrayFieldStart("files");
            for (ViolationLogReader.FileStats f : files) {
                g.writeStartObject();
                g.writeStringField("path", f.file().toString());
                g.writeBooleanField("gzip", f.gzip());
                g.writeNumberField("lines", f.lines());
                g.writeNumberField("events", f.events());
                g.writeNumberField("malformed", f.malformed());
                g.writeNumberField("before_since", f.skipped());
                g.writeStringField("error", f.error());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeNumberField("events", s.events());
            g.writeNumberField("violations", s.violations());
            g.writeNumberField("held_back", s.heldBack());
            g.writeStringField("first_seen", s.first() == null ? null : s.first().toString());
            g.writeStringField("last_seen", s.last() == null ? null : s.last().toString());

            g.writeObjectFieldStart("counts");
            counts(g, "action", s.actions());
            counts(g, "rule", s.rules());
            counts(g, "class", s.classes());
            counts(g, "entry_point", s.entryPoints());
            counts(g, "call_site", s.callSites());
            counts(g, "host", s.hosts());
            counts(g, "service", s.services());
            counts(g, "model_file", s.modelFiles());
            g.writeEndObject();

            g.writeObjectFieldStart("top");
            rows(g, "class", s.classes(), top, s);
            rows(g, "call_site", s.callSites(), top, null);
            rows(g, "host", s.hosts(), top, null);
            rows(g, "service", s.services(), top, null);
            rows(g, "model_file", s.modelFiles(), top, null);
            g.writeEndObject();

            g.writeObjectFieldStart("timeline");
            g.writeNumberField("bucket_seconds", s.timeline().bucketSeconds(TIMELINE_BUCKETS));
            g.writeArrayFieldStart("buckets");
            for (Timeline.Bucket b : s.timeline().buckets(TIMELINE_BUCKETS)) {
                g.writeStartObject();
                g.writeStringField("start", b.start().toString());
                g.writeNumberField("refuse", b.refusals());
                g.writeNumberField("audit", b.audits());
                g.writeNumberField("other", b.other());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();

            g.writeObjectFieldStart("malformed");
            g.writeNumberField("count", s.malformed());
            g.writeArrayFieldStart("examples");
            for (ViolationSummary.Malformed m : s.malformedExamples()) {
                g.writeStartObject();
                g.writeStringField("file", m.file().toString());
                g.writeNumberField("line", m.line());
                g.writeStringField("reason", m.reason());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndObject();
        }
        out.write('\n');
        out.flush();
    }

    private static void counts(JsonGenerator g, String name, Tally tally) throws IOException {
        g.writeObjectFieldStart(name);
        for (Tally.Row row : tally.rows()) {
            g.writeNumberField(row.name(), row.count());
        }
        g.writeEndObject();
    }

    private static void rows(JsonGenerator g, String name, Tally tally, int limit, ViolationSummary classes)
            throws IOException {
        g.writeArrayFieldStart(name);
        for (Tally.Row row : tally.top(limit)) {
            g.writeStartObject();
            g.writeStringField("name", row.name());
            g.writeNumberField("count", row.count());
            g.writeStringField("first_seen", row.first().toString());
            g.writeStringField("last_seen", row.last().toString());
            if (classes != null) {
                GadgetCatalog.Match gadget = classes.gadget(row.name());
                g.writeBooleanField("known_gadget", gadget != null);
                if (gadget != null) {
                    g.writeStringField("gadget_reason", gadget.reason());
                }
                g.writeBooleanField("class_found", !classes.notFound(row.name()));
            }
            g.writeEndObject();
        }
        g.writeEndArray();
    }
}
