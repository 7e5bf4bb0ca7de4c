package dev.safeload.ops;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** The report for people: a header, counts by action and rule, then the top offenders. */
public final class SummaryTextWriter {

    private SummaryTextWriter() {
    }

    public static void write(PrintStream out, ViolationSummary s, List<ViolationLogReader.FileStats> files,
                             Instant since, int top) {
        long lines = files.stream().mapToLong(ViolationLogReader.FileStats::lines).sum();
        long skipped = files.stream().mapToLong(ViolationLogReader.FileStats::skipped).sum();
        long gzip = files.stream().filter(ViolationLogReader.FileStats::gzip).count();
        out.println("Safeload violation report");
        out.printf("  files:       %d (%d gzip), %d lines, %d events, %d malformed%n",
                files.size(), gzip, lines, s.events(), s.malformed());
        if (since != null) {
            out.printf("  since:       %s (%d earlier events left out)%n", since, skipped);
        }
        out.printf("  violations:  %d (%d of them held back by the rate limit and counted from safeload.suppressed)%n",
                s.violations(), s.heldBack());
        out.printf("  first seen:  %s%n", seconds(s.first()));
        out.printf("  last seen:   %s%n", seconds(s.last()));

        table(out, "By action", s.actions(), Integer.MAX_VALUE, null);
        table(out, "By rule", s.rules(), Integer.MAX_VALUE, null);
        table(out, "By entry point", s.entryPoints(), Integer.MAX_VALUE, null);
        table(out, "Top classes", s.classes(), top, s);
        table(out, "Top call sites", s.callSites(), top, null);
        table(out, "Top hosts", s.hosts(), top, null);
        if (s.services().size() > 0) {
            table(out, "Top services", s.services(), top, null);
        }
        if (s.modelFiles().size() > 0) {
            table(out, "Top model files", s.modelFiles(), top, null);
        }

        for (ViolationLogReader.FileStats f : files) {
            if (f.error() != null) {
                out.println();
                out.println("Unreadable: " + Printable.text(f.file().toString()) + ": " + Printable.text(f.error()));
            }
        }
        if (s.malformed() > 0) {
            out.println();
            out.println("Malformed lines (" + s.malformed() + ")");
            for (ViolationSummary.Malformed m : s.malformedExamples()) {
                out.println("  " + Printable.text(m.file().toString()) + " line " + m.line() + ": "
                        + Printable.text(m.reason()));
            }
            if (s.malformed() > s.malformedExamples().size()) {
                out.println("  ... and " + (s.malformed() - s.malformedExamples().size()) + " more");
            }
        }
    }

    private static void table(PrintStream out, String title, Tally tally, int limit, ViolationSummary classes) {
        out.println();
        out.println(title + (tally.size() > limit ? " (" + limit + " of " + tally.size() + ")" : ""));
        if (tally.size() == 0) {
            out.println("  (none)");
            return;
        }
        out.printf("  %10s  %-20s  %s%n", "count", "first seen", "last seen");
        for (Tally.Row row : tally.top(limit)) {
            StringBuilder line = new StringBuilder(String.format("  %10d  %-20s  %-20s  %s", row.count(),
                    seconds(row.first()), seconds(row.last()), Printable.text(row.name())));
            if (classes != null) {
                GadgetCatalog.Match gadget = classes.gadget(row.name());
                if (gadget != null) {
                    line.append("  [known gadget: ").append(gadget.reason()).append(']');
                }
                if (classes.notFound(row.name())) {
                    line.append("  [not on the class path: a probe?]");
                }
            }
            out.println(line.toString().stripTrailing());
        }
    }

    /** The agent writes nanoseconds; to the second is enough to read and keeps columns aligned. */
    private static String seconds(Instant instant) {
        return instant == null ? "-" : instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
