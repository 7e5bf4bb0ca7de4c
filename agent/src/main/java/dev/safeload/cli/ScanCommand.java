package dev.safeload.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.safeload.config.ConfigException;
import dev.safeload.config.PolicyCompiler;
import dev.safeload.config.Settings;
import dev.safeload.model.Finding;
import dev.safeload.model.ModelPolicies;
import dev.safeload.model.ModelPolicy;
import dev.safeload.model.ModelScanner;
import dev.safeload.model.ScanResult;
import dev.safeload.model.Severity;
import dev.safeload.model.Verdict;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Predicate;

/** {@code scan}: checks model files and folders against the model policy and reports a verdict per file. */
final class ScanCommand {

    static final String USAGE = "scan [--policy FILE] [--format text|json|sarif] [--exclude GLOB]... "
            + "[--fail-on SEVERITY] PATH...";

    private static final String HELP = """
            Checks model files, and every file below a folder, by content. A file no check claims
            blocks, except the read-me, licence, .txt and .json files of a model folder whose
            content is checked to be plain text or one JSON document: those are skipped.
            Exit 0; 1 when a finding reaches --fail-on; 2 on a usage or I/O error.

              --policy FILE             the model policy of a policy file (default: built-in)
              --format text|json|sarif  text for people (default), one JSON document, or SARIF 2.1.0
              --exclude GLOB            leave out files of a folder whose path relative to it, or
                                        whose name, matches GLOB (e.g. '*.onnx_data', 'docs/**');
                                        repeatable
              --fail-on SEVERITY        exit 1 when any finding is at least SEVERITY: info, low,
                                        medium, high (default: the findings that block) or critical
            Progress goes to stderr every two seconds when stderr is a terminal.
            """;

    static final long PROGRESS_NANOS = 2_000_000_000L;

    private ScanCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, Terminal.stderrIsTerminal() ? PROGRESS_NANOS : -1);
    }

    /** @param progressNanos interval of progress lines on {@code err}, or negative for none */
    static int run(String[] args, PrintStream out, PrintStream err, long progressNanos) {
        String policyFile = null;
        String format = "text";
        Severity failOn = Severity.HIGH;
        List<PathMatcher> excludes = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String option = a.contains("=") && a.startsWith("--") ? a.substring(0, a.indexOf('=')) : a;
            if (a.equals("-h") || a.equals("--help")) {
                out.println("usage: " + USAGE);
                out.print(HELP);
                return 0;
            } else if (List.of("--policy", "--format", "--exclude", "--fail-on").contains(option)) {
                String value;
                if (!option.equals(a)) {
                    value = a.substring(option.length() + 1);
                } else if (i + 1 == args.length) {
                    return usage(err, a + " needs a value");
                } else {
                    value = args[++i];
                }
                switch (option) {
                    case "--policy" -> policyFile = value;
                    case "--format" -> format = value;
                    case "--exclude" -> {
                        try {
                            excludes.add(FileSystems.getDefault().getPathMatcher("glob:" + value));
                        } catch (IllegalArgumentException e) {
                            return usage(err, "--exclude " + value + ": not a glob: " + e.getMessage());
                        }
                    }
                    default -> {
                        failOn = severity(value);
                        if (failOn == null) {
                            return usage(err, "--fail-on must be info, low, medium, high or critical, not " + value);
                        }
                    }
                }
            } else if (a.equals("--")) {
                paths.addAll(List.of(args).subList(i + 1, args.length));
                break;
            } else if (a.startsWith("-") && a.length() > 1) {
                return usage(err, "unknown option " + a);
            } else {
                paths.add(a);
            }
        }
        if (!List.of("text", "json", "sarif").contains(format)) {
            return usage(err, "--format must be text, json or sarif, not " + format);
        }
        if (paths.isEmpty()) {
            return usage(err, "no PATH to scan");
        }
        ModelPolicy policy;
        try {
            policy = policyFile == null ? ModelPolicies.defaults() : readPolicy(Path.of(policyFile));
        } catch (ConfigException e) {
            err.println("safeload: invalid policy: " + e.getMessage());
            return 2;
        }

        ModelScanner scanner = new ModelScanner(policy);
        List<ScanResult> results = new ArrayList<>();
        boolean ioError = false;
        long[] lastProgress = {System.nanoTime()};
        Predicate<Path> excluded = relative -> excludes.stream().anyMatch(m -> m.matches(relative)
                || (relative.getFileName() != null && m.matches(relative.getFileName())));
        for (String p : paths) {
            boolean tree = Files.isDirectory(Path.of(p));
            try {
                long[] scanned = {0};
                scanner.scan(Path.of(p), excluded, results::add, file -> {
                    scanned[0]++;
                    long now = System.nanoTime();
                    if (tree && progressNanos >= 0 && now - lastProgress[0] >= progressNanos) {
                        lastProgress[0] = now;
                        err.println("safeload: scanned " + scanned[0] + " file(s) of " + p + ", at " + file);
                    }
                });
            } catch (NoSuchFileException e) {
                err.println("safeload: " + p + ": no such file or folder");
                ioError = true;
            } catch (IOException e) {
                // The scanner's message names the path and the reason.
                err.println("safeload: cannot scan: " + e.getMessage());
                ioError = true;
            } catch (RuntimeException e) {
                err.println("safeload: " + p + ": cannot scan: " + e);
                ioError = true;
            }
        }
        ioError |= results.stream().anyMatch(r -> r.findings().stream().anyMatch(f -> f.rule().equals(ModelScanner.RULE_IO)));
        try {
            switch (format) {
                case "json" -> out.println(indentedJson(json(results)));
                case "sarif" -> out.println(indentedJson(sarif(results)));
                default -> text(results, out);
            }
        } catch (IOException e) {
            err.println("safeload: cannot write the report: " + e.getMessage());
            return 2;
        }
        out.flush();
        if (ioError) {
            return 2;
        }
        Severity threshold = failOn;
        return results.stream().filter(r -> r.verdict() != Verdict.SKIPPED)
                .flatMap(r -> r.findings().stream())
                .anyMatch(f -> f.severity().compareTo(threshold) >= 0) ? 1 : 0;
    }

    private static Severity severity(String name) {
        for (Severity s : Severity.values()) {
            if (s.name().equalsIgnoreCase(name)) {
                return s;
            }
        }
        return null;
    }

    private static int usage(PrintStream err, String problem) {
        err.println("safeload scan: " + problem);
        err.println("usage: " + USAGE);
        return 2;
    }

    /**
     * The model policy of a policy file, read and checked exactly as the agent reads it (so an
     * error names the file, line and key, and the serial policy applies to Java-serialized
     * files), without the agent's -D and SAFELOAD_* sources: a scan in CI means the file.
     */
    static ModelPolicy readPolicy(Path file) throws ConfigException {
        return PolicyCompiler.compile(Settings.resolve("policy=" + file, new Properties(), Map.of())).model();
    }

    /**
     * The report tree (maps, lists, strings, numbers, booleans) as indented JSON, written with
     * jackson-core's streaming generator: the same text as an indenting ObjectMapper, without
     * bundling jackson-databind (about 900 classes) for one tree of plain values.
     */
    static String indentedJson(Object tree) throws IOException {
        StringWriter text = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(text).useDefaultPrettyPrinter()) {
            write(g, tree);
        }
        return text.toString();
    }

    private static void write(JsonGenerator g, Object value) throws IOException {
        if (value == null) {
            g.writeNull();
        } else if (value instanceof Map<?, ?> map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                g.writeFieldName((String) e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (value instanceof List<?> list) {
            g.writeStartArray();
            for (Object element : list) {
                write(g, element);
            }
            g.writeEndArray();
        } else if (value instanceof String s) {
            g.writeString(s);
        } else if (value instanceof Integer i) {
            g.writeNumber(i);
        } else if (value instanceof Long l) {
            g.writeNumber(l);
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else {
            throw new IllegalArgumentException("no JSON form for " + value.getClass().getName());
        }
    }

    private static void text(List<ScanResult> results, PrintStream out) {
        for (ScanResult r : results) {
            out.printf("%-5s  %s  [%s]%n", r.verdict().id().toUpperCase(Locale.ROOT), r.path(),
                    r.verdict() == Verdict.SKIPPED ? "not a model" : r.format());
            for (Finding f : r.findings()) {
                out.printf("         %-8s %s  %s%n", f.severity(), f.rule(), f.message());
                out.printf("                  at %s%n", f.location());
            }
        }
        long blocked = results.stream().filter(ScanResult::blocked).count();
        long skipped = skipped(results);
        out.printf("%d file(s): %d allowed, %d blocked, %d skipped%n", results.size(),
                results.size() - blocked - skipped, blocked, skipped);
    }

    static Map<String, Object> json(List<ScanResult> results) {
        List<Object> files = new ArrayList<>();
        Map<String, Long> bySeverity = new LinkedHashMap<>();
        for (Severity s : Severity.values()) {
            bySeverity.put(s.name().toLowerCase(Locale.ROOT), 0L);
        }
        for (ScanResult r : results) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", r.path());
            m.put("format", r.format());
            m.put("formats", r.formats());
            m.put("verdict", r.verdict().id());
            m.put("sha256", r.sha256());
            List<Object> findings = new ArrayList<>();
            for (Finding f : r.findings()) {
                Map<String, Object> fm = new LinkedHashMap<>();
                fm.put("rule", f.rule());
                fm.put("severity", f.severity().name().toLowerCase(Locale.ROOT));
                fm.put("location", f.location());
                fm.put("message", f.message());
                findings.add(fm);
                bySeverity.merge(f.severity().name().toLowerCase(Locale.ROOT), 1L, Long::sum);
            }
            m.put("findings", findings);
            files.add(m);
        }
        long blocked = results.stream().filter(ScanResult::blocked).count();
        long skipped = skipped(results);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("files", results.size());
        summary.put("allowed", results.size() - blocked - skipped);
        summary.put("blocked", blocked);
        summary.put("skipped", skipped);
        summary.put("findings", bySeverity);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("results", files);
        doc.put("summary", summary);
        return doc;
    }

    private static long skipped(List<ScanResult> results) {
        return results.stream().filter(r -> r.verdict() == Verdict.SKIPPED).count();
    }

    /**
     * SARIF 2.1.0, one result per finding, located at the file (archive entry and offset in the
     * message). Skipped files are left out: a read-me is not a code-scanning alert.
     */
    static Map<String, Object> sarif(List<ScanResult> results) {
        Map<String, Severity> ruleSeverity = new TreeMap<>();
        List<Object> sarifResults = new ArrayList<>();
        for (ScanResult r : results) {
            if (r.verdict() == Verdict.SKIPPED) {
                continue;
            }
            for (Finding f : r.findings()) {
                ruleSeverity.merge(f.rule(), f.severity(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
                Map<String, Object> res = new LinkedHashMap<>();
                res.put("ruleId", f.rule());
                res.put("level", level(f.severity()));
                res.put("message", Map.of("text", f.message() + " (at " + f.location() + "; verdict "
                        + r.verdict().id() + ")"));
                Map<String, Object> artifact = new LinkedHashMap<>();
                artifact.put("uri", uri(r.path()));
                // Model files have no lines; GitHub code scanning still requires a startLine.
                Map<String, Object> physical = new LinkedHashMap<>();
                physical.put("artifactLocation", artifact);
                physical.put("region", Map.of("startLine", 1));
                res.put("locations", List.of(Map.of("physicalLocation", physical)));
                res.put("partialFingerprints", Map.of("safeloadFinding/v1",
                        fingerprint(r.path() + '\n' + f.rule() + '\n' + f.location() + '\n' + f.message())));
                Map<String, Object> props = new LinkedHashMap<>();
                props.put("severity", f.severity().name().toLowerCase(Locale.ROOT));
                props.put("location", f.location());
                props.put("verdict", r.verdict().id());
                props.put("format", r.format());
                if (r.sha256() != null) {
                    props.put("sha256", r.sha256());
                }
                res.put("properties", props);
                sarifResults.add(res);
            }
        }
        List<Object> rules = new ArrayList<>();
        for (Map.Entry<String, Severity> e : ruleSeverity.entrySet()) {
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("id", e.getKey());
            rule.put("name", e.getKey());
            rule.put("shortDescription", Map.of("text", "Safeload model check " + e.getKey()));
            rule.put("defaultConfiguration", Map.of("level", level(e.getValue())));
            rule.put("properties", Map.of("security-severity", securitySeverity(e.getValue()),
                    "tags", List.of("security", "model")));
            rules.add(rule);
        }
        Map<String, Object> driver = new LinkedHashMap<>();
        driver.put("name", "safeload");
        driver.put("version", Main.version());
        driver.put("rules", rules);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("tool", Map.of("driver", driver));
        run.put("results", sarifResults);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        doc.put("version", "2.1.0");
        doc.put("runs", List.of(run));
        return doc;
    }

    private static String fingerprint(String text) {
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(hash, 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static String level(Severity s) {
        return switch (s) {
            case CRITICAL, HIGH -> "error";
            case MEDIUM -> "warning";
            default -> "note";
        };
    }

    private static String securitySeverity(Severity s) {
        return switch (s) {
            case CRITICAL -> "9.5";
            case HIGH -> "8.0";
            case MEDIUM -> "5.0";
            case LOW -> "3.0";
            default -> "0.0";
        };
    }

    private static String uri(String path) {
        Path p = Path.of(path);
        if (p.isAbsolute()) {
            return p.toUri().toString();
        }
        StringBuilder sb = new StringBuilder();
        for (Path part : p.normalize()) {
            if (sb.length() > 0) {
                sb.append('/');
            }
            sb.append(java.net.URLEncoder.encode(part.toString(), StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return sb.toString();
    }
}
