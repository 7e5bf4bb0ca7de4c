package dev.safeload.cli;

import dev.safeload.ops.GadgetCatalog;
import dev.safeload.ops.Since;
import dev.safeload.ops.SummaryHtmlWriter;
import dev.safeload.ops.SummaryJsonWriter;
import dev.safeload.ops.SummaryTextWriter;
import dev.safeload.ops.ViolationLogReader;
import dev.safeload.ops.ViolationSummary;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** {@code report}: sums violation logs up for a security team, as text or as one JSON document. */
final class ReportCommand {

    static final String USAGE = "report [--format text|json|html] [--since TIME] [--top N] LOG...";

    private static final String HELP = """
            Sums violation logs up: counts by action, rule, class, entry point, call site, host and
            service, first and last seen, top offenders, refusals and audits over time. LOG is a
            file or a directory (its *.jsonl and *.gz files and the active file of each rolled
            series). Exit 0; 2 on a usage or I/O error.

              --format text|json|html
                                  text for people (default), one JSON document, or one
                                  self-contained HTML page (charts as inline SVG, no scripts):
                                  report --format html logs/ > report.html
              --since TIME        only events at or after TIME: 2026-11-27T00:00:00Z, 2026-11-27,
                                  or a duration back from now such as 30m, 24h, 7d
              --top N             rows in each top-offender list (default 10)
            """;

    private ReportCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, Clock.systemUTC());
    }

    static int run(String[] args, PrintStream out, PrintStream err, Clock clock) {
        if (List.of(args).contains("--help")) {
            out.println("usage: " + USAGE);
            out.print(HELP);
            return 0;
        }
        String format;
        Instant since;
        int top;
        List<Path> files;
        try {
            CommandArguments a = CommandArguments.parse(args, Set.of(), Set.of("--format", "--since", "--top"));
            format = a.value("--format", "text");
            if (!List.of("text", "json", "html").contains(format)) {
                throw new CommandArguments.UsageException("--format must be text, json or html, not \"" + format + "\"");
            }
            String sinceValue = a.value("--since", null);
            since = sinceValue == null ? null : Since.parse(sinceValue, clock);
            top = positive("--top", a.value("--top", "10"));
            if (a.operands().isEmpty()) {
                throw new CommandArguments.UsageException("name at least one log file or directory");
            }
            files = ViolationLogReader.expand(a.operands().stream().map(Path::of).toList());
        } catch (CommandArguments.UsageException | IllegalArgumentException e) {
            err.println("safeload report: " + e.getMessage());
            err.println("usage: " + USAGE);
            return 2;
        } catch (IOException e) {
            err.println("safeload report: " + e.getMessage());
            return 2;
        }

        ViolationSummary summary = new ViolationSummary(GadgetCatalog.builtIn());
        List<ViolationLogReader.FileStats> stats = ViolationLogReader.read(files, since, summary);
        summary.finish();
        try {
            if (format.equals("json")) {
                SummaryJsonWriter.write(out, summary, stats, since, top);
            } else if (format.equals("html")) {
                SummaryHtmlWriter.write(out, summary, stats, since, top);
            } else {
                SummaryTextWriter.write(out, summary, stats, since, top);
            }
        } catch (IOException e) {
            err.println("safeload report: cannot write the report: " + e.getMessage());
            return 2;
        }
        int status = 0;
        for (ViolationLogReader.FileStats f : stats) {
            if (f.error() != null) {
                err.println("safeload report: " + f.file() + ": " + f.error() + "; the report counts the lines before it");
                status = 2;
            }
        }
        if (summary.malformed() > 0) {
            err.println("safeload report: " + summary.malformed() + " malformed line(s) skipped; see the report");
        }
        return status;
    }

    static int positive(String option, String value) throws CommandArguments.UsageException {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new CommandArguments.UsageException(option + " must be a positive whole number, not \"" + value + "\"");
    }
}
