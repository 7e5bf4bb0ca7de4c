package dev.safeload.ops;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * The report for people who would rather look than read: one self-contained HTML page (no
 * script, no external font, style sheet or image), with refusals and audits over time as
 * inline SVG, the top classes with their gadget tags, rules, call sites, services and the rest
 * of the tables of the text report. Every number comes from the same {@link ViolationSummary}
 * as {@code --format json}, and carries a {@code data-} attribute so a test can compare them.
 *
 * <p>Everything taken from a log is attacker text: it is made printable, then HTML-escaped.
 */
public final class SummaryHtmlWriter {

    private static final int CHART_WIDTH = 1040;
    private static final int CHART_HEIGHT = 220;
    private static final int AXIS = 48;

    private static final String STYLE = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
              margin:24px auto;max-width:1120px;color:#1f2328;background:#fff;line-height:1.4}
            h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;
              padding-bottom:4px}
            .muted{color:#656d76}.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
            .card{border:1px solid #d0d7de;border-radius:6px;padding:8px 14px;min-width:120px}
            .card b{display:block;font-size:22px}.card.alert b{color:#cf222e}
            table{border-collapse:collapse;width:100%;font-size:14px}
            th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}
            th{background:#f6f8fa}td.count{text-align:right;width:90px;font-variant-numeric:tabular-nums}
            td.when{white-space:nowrap;width:170px;color:#656d76;font-size:12px}
            td.name{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
            .bar{height:6px;background:#cf222e;border-radius:3px;margin-top:3px;opacity:.7}
            .tag{display:inline-block;font-family:system-ui,sans-serif;font-size:12px;border-radius:10px;
              padding:0 8px;margin:2px 4px 0 0}
            .tag.gadget{background:#ffebe9;color:#a40e26;border:1px solid #ff818266}
            .tag.probe{background:#fff8c5;color:#7d4e00;border:1px solid #d4a72c66}
            .legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 14px;vertical-align:-1px}
            svg text{font-size:11px;fill:#656d76}
            """;

    private SummaryHtmlWriter() {
    }

    public static void write(PrintStream out, ViolationSummary s, List<ViolationLogReader.FileStats> files,
                             Instant since, int top) {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>Safeload violation report</title>\n<style>\n").append(STYLE).append("</style>\n")
                .append("</head>\n<body>\n<h1>Safeload violation report</h1>\n");
        long lines = files.stream().mapToLong(ViolationLogReader.FileStats::lines).sum();
        h.append("<p class=\"muted\">").append(files.size()).append(" file(s), ").append(lines).append(" lines, ")
                .append(s.malformed()).append(" malformed")
                .append(since != null ? "; events since " + escape(since.toString()) : "")
                .append(". Counts include the events the rate limit held back.</p>\n");

        h.append("<div class=\"cards\">\n");
        card(h, "violations", "violations", s.violations(), true);
        card(h, "refused", "refuse", s.actions().count("refuse"), false);
        card(h, "audited", "audit", s.actions().count("audit"), false);
        card(h, "held back by the rate limit", "held_back", s.heldBack(), false);
        card(h, "events read", "events", s.events(), false);
        h.append("<div class=\"card\"><span class=\"muted\">first / last seen</span><b style=\"font-size:14px\">")
                .append(when(s.first())).append("<br>").append(when(s.last())).append("</b></div>\n</div>\n");

        h.append("<h2>Refusals and audits over time</h2>\n");
        chart(h, s.timeline());

        table(h, "Top classes", "class", s.classes(), top, s);
        table(h, "By rule", "rule", s.rules(), Integer.MAX_VALUE, null);
        table(h, "Top call sites", "call_site", s.callSites(), top, null);
        table(h, "Top services", "service", s.services(), top, null);
        table(h, "By action", "action", s.actions(), Integer.MAX_VALUE, null);
        table(h, "By entry point", "entry_point", s.entryPoints(), Integer.MAX_VALUE, null);
        table(h, "Top hosts", "host", s.hosts(), top, null);
        if (s.modelFiles().size() > 0) {
            table(h, "Top model files", "model_file", s.modelFiles(), top, null);
        }
        problems(h, s, files);
        h.append("<p class=\"muted\">Written by <code>safeload report --format html</code>.</p>\n</body>\n</html>\n");
        out.print(h);
        out.flush();
    }

    private static void card(StringBuilder h, String label, String field, long value, boolean alert) {
        h.append("<div class=\"card").append(alert && value > 0 ? " alert" : "").append("\"><span class=\"muted\">")
                .append(label).append("</span><b data-field=\"").append(field).append("\">").append(value)
                .append("</b></div>\n");
    }

    /** Stacked bars: refusals red, audits amber, violations of an unknown mode grey. */
    private static void chart(StringBuilder h, Timeline timeline) {
        List<Timeline.Bucket> buckets = timeline.buckets(SummaryJsonWriter.TIMELINE_BUCKETS);
        if (buckets.isEmpty()) {
            h.append("<p class=\"muted\">No refusals or audits.</p>\n");
            return;
        }
        long step = timeline.bucketSeconds(SummaryJsonWriter.TIMELINE_BUCKETS);
        long max = buckets.stream().mapToLong(Timeline.Bucket::total).max().orElse(1);
        double slot = (double) (CHART_WIDTH - AXIS) / buckets.size();
        double barWidth = Math.max(1, slot * 0.8);
        int plot = CHART_HEIGHT - 30;
        h.append("<p class=\"legend muted\">one bar per ").append(duration(step))
                .append("<span style=\"background:#cf222e\"></span>refused<span style=\"background:#d4a72c\"></span>")
                .append("audited (would have been refused)<span style=\"background:#8c959f\"></span>mode unknown</p>\n");
        h.append("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"refusals and audits over time\" ")
                .append("width=\"100%\" viewBox=\"0 0 ").append(CHART_WIDTH).append(' ').append(CHART_HEIGHT)
                .append("\" data-bucket-seconds=\"").append(step).append("\">\n");
        h.append("<line x1=\"").append(AXIS).append("\" y1=\"").append(plot).append("\" x2=\"").append(CHART_WIDTH)
                .append("\" y2=\"").append(plot).append("\" stroke=\"#d0d7de\"/>\n");
        h.append("<text x=\"").append(AXIS - 6).append("\" y=\"12\" text-anchor=\"end\">").append(max).append("</text>\n");
        h.append("<text x=\"").append(AXIS - 6).append("\" y=\"").append(plot).append("\" text-anchor=\"end\">0</text>\n");
        for (int i = 0; i < buckets.size(); i++) {
            Timeline.Bucket b = buckets.get(i);
            double x = AXIS + i * slot + (slot - barWidth) / 2;
            double y = plot;
            h.append("<g data-start=\"").append(b.start()).append("\" data-refuse=\"").append(b.refusals())
                    .append("\" data-audit=\"").append(b.audits()).append("\" data-other=\"").append(b.other())
                    .append("\"><title>").append(b.start().truncatedTo(ChronoUnit.SECONDS)).append(": ")
                    .append(b.refusals()).append(" refused, ").append(b.audits()).append(" audited")
                    .append(b.other() > 0 ? ", " + b.other() + " mode unknown" : "").append("</title>");
            long[] counts = {b.refusals(), b.audits(), b.other()};
            String[] colours = {"#cf222e", "#d4a72c", "#8c959f"};
            for (int c = 0; c < 3; c++) {
                if (counts[c] == 0) {
                    continue;
                }
                double height = Math.max(1, (plot - 16) * (double) counts[c] / max);
                y -= height;
                h.append("<rect x=\"").append(fmt(x)).append("\" y=\"").append(fmt(y)).append("\" width=\"")
                        .append(fmt(barWidth)).append("\" height=\"").append(fmt(height)).append("\" fill=\"")
                        .append(colours[c]).append("\"/>");
            }
            h.append("</g>\n");
        }
        int labels = Math.min(6, buckets.size());
        for (int l = 0; l < labels; l++) {
            int i = labels == 1 ? 0 : (int) Math.round((double) l * (buckets.size() - 1) / (labels - 1));
            double x = AXIS + i * slot + slot / 2;
            String anchor = l == 0 ? "start" : l == labels - 1 ? "end" : "middle";
            h.append("<text x=\"").append(fmt(l == 0 ? AXIS : l == labels - 1 ? CHART_WIDTH : x)).append("\" y=\"")
                    .append(plot + 18).append("\" text-anchor=\"").append(anchor).append("\">")
                    .append(label(buckets.get(i).start(), step)).append("</text>\n");
        }
        h.append("</svg>\n");
    }

    private static void table(StringBuilder h, String title, String field, Tally tally, int limit,
                              ViolationSummary classes) {
        h.append("<h2>").append(title);
        if (tally.size() > limit) {
            h.append(" <span class=\"muted\">(").append(limit).append(" of ").append(tally.size()).append(")</span>");
        }
        h.append("</h2>\n");
        if (tally.size() == 0) {
            h.append("<p class=\"muted\">(none)</p>\n");
            return;
        }
        List<Tally.Row> rows = tally.top(limit);
        long max = rows.get(0).count();
        h.append("<table data-table=\"").append(field).append("\">\n<tr><th>count</th><th>first seen</th>")
                .append("<th>last seen</th><th>").append(field.replace('_', ' ')).append("</th></tr>\n");
        for (Tally.Row row : rows) {
            h.append("<tr><td class=\"count\">").append(row.count()).append("</td><td class=\"when\">")
                    .append(when(row.first())).append("</td><td class=\"when\">").append(when(row.last()))
                    .append("</td><td class=\"name\"><span class=\"value\">").append(escape(Printable.text(row.name())))
                    .append("</span>");
            if (classes != null) {
                GadgetCatalog.Match gadget = classes.gadget(row.name());
                if (gadget != null) {
                    h.append("<br><span class=\"tag gadget\">known gadget: ").append(escape(gadget.reason()))
                            .append("</span>");
                }
                if (classes.notFound(row.name())) {
                    h.append("<br><span class=\"tag probe\">not on the class path: a probe?</span>");
                }
            }
            h.append("<div class=\"bar\" style=\"width:").append(fmt(Math.max(0.5, 100.0 * row.count() / max)))
                    .append("%\"></div></td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static void problems(StringBuilder h, ViolationSummary s, List<ViolationLogReader.FileStats> files) {
        boolean unreadable = files.stream().anyMatch(f -> f.error() != null);
        if (!unreadable && s.malformed() == 0) {
            return;
        }
        h.append("<h2>Lines and files not read</h2>\n<ul>\n");
        for (ViolationLogReader.FileStats f : files) {
            if (f.error() != null) {
                h.append("<li>").append(escape(Printable.text(f.file().toString()))).append(": ")
                        .append(escape(Printable.text(f.error()))).append("</li>\n");
            }
        }
        for (ViolationSummary.Malformed m : s.malformedExamples()) {
            h.append("<li>").append(escape(Printable.text(m.file().toString()))).append(" line ").append(m.line())
                    .append(": ").append(escape(Printable.text(m.reason()))).append("</li>\n");
        }
        if (s.malformed() > s.malformedExamples().size()) {
            h.append("<li>... and ").append(s.malformed() - s.malformedExamples().size()).append(" more</li>\n");
        }
        h.append("</ul>\n");
    }

    private static String when(Instant instant) {
        return instant == null ? "-" : instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String label(Instant start, long step) {
        String text = start.toString();
        return step >= 86_400 ? text.substring(0, 10) : text.substring(0, 16).replace('T', ' ');
    }

    private static String duration(long seconds) {
        Duration d = Duration.ofSeconds(seconds);
        return d.toDays() > 0 ? d.toDays() + (d.toDays() == 1 ? " day" : " days")
                : d.toHours() > 0 ? d.toHours() + (d.toHours() == 1 ? " hour" : " hours")
                : d.toMinutes() + (d.toMinutes() == 1 ? " minute" : " minutes");
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /**
     * Escapes for element text and quoted attribute values alike; non-ASCII as numeric
     * references, so the page reads the same whatever encoding the console wrote it in.
     */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(c -> {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (c > 0x7e) {
                        out.append("&#x").append(Integer.toHexString(c)).append(';');
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return out.toString();
    }
}
