package dev.safeload.ops;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a set of violation logs says, for a security team: occurrences by action, rule, class,
 * entry point, call site, host and model file, when each was first and last seen, and the lines
 * that were not events. Occurrences include the events the rate limiter held back
 * ({@code safeload.suppressed}), so the counts are what happened, not what was written.
 */
public final class ViolationSummary implements ViolationLogReader.Visitor {

    /** The entry point of held-back events in logs whose rate keys did not name it. */
    public static final String NOT_RECORDED = "(not recorded)";

    /** Malformed lines kept as examples; the rest are only counted. */
    static final int MALFORMED_EXAMPLES = 20;

    /** One line that was not an event. */
    public record Malformed(Path file, long line, String reason) {
    }

    private final GadgetCatalog gadgets;
    private final Tally actions = new Tally();
    private final Tally rules = new Tally();
    private final Tally classes = new Tally();
    private final Tally entryPoints = new Tally();
    private final Tally callSites = new Tally();
    private final Tally hosts = new Tally();
    private final Tally services = new Tally();
    private final Tally modelFiles = new Tally();
    private final Timeline timeline = new Timeline();
    private final Set<String> classesNotFound = new HashSet<>();
    private final Map<String, String> modeByProcess = new HashMap<>();
    private final Map<String, String> serviceByProcess = new HashMap<>();
    private final List<LogEvent> shutdownSummaries = new ArrayList<>();
    private final List<Malformed> malformedExamples = new ArrayList<>();
    private long events;
    private long violations;
    private long heldBack;
    private long malformed;
    private Instant first;
    private Instant last;
    private boolean finished;

    public ViolationSummary(GadgetCatalog gadgets) {
        this.gadgets = gadgets;
    }

    @Override
    public void event(LogEvent e) {
        events++;
        if (e.mode() != null && e.pid() != null) {
            modeByProcess.putIfAbsent(process(e), e.mode());
        }
        if (e.service() != null && e.pid() != null) {
            serviceByProcess.putIfAbsent(process(e), e.service());
        }
        if ("suppressed".equals(e.action())) {
            // A shutdown summary names neither mode nor action; the process's other lines do.
            shutdownSummaries.add(e);
            return;
        }
        heldBack = Tally.saturatedSum(heldBack, e.suppressed());
        actions.add(e.action(), e.occurrences(), e.timestamp());
        if (e.isViolation()) {
            countViolation(e.action(), e.className(), e.rule(), e.entryPoint(), e.callSite(), e.host(), e.service(),
                    e.filePath(), e.occurrences(), e.timestamp());
            if (Boolean.FALSE.equals(e.classFound()) && e.className() != null) {
                classesNotFound.add(e.className());
            }
        }
    }

    @Override
    public void malformed(Path file, long line, String reason) {
        malformed++;
        if (malformedExamples.size() < MALFORMED_EXAMPLES) {
            malformedExamples.add(new Malformed(file, line, reason));
        }
    }

    /** Attributes the counts of shutdown summaries; call once after the last line. */
    public ViolationSummary finish() {
        if (!finished) {
            finished = true;
            for (LogEvent e : shutdownSummaries) {
                heldBack = Tally.saturatedSum(heldBack, e.suppressed());
                // Rate keys: class NUL rule NUL call site [NUL entry point] (serial), model NUL file
                // NUL rule [NUL entry point] (model gate refusals), model-allow NUL file+digest
                // (model loads allowed). Logs from before the entry point was in the key count
                // their summaries under NOT_RECORDED, so every section adds up to the same total.
                String[] key = e.rateKey() == null ? new String[0] : e.rateKey().split("\u0000", -1);
                if (key.length > 0 && key[0].equals("model-allow")) {
                    actions.add("model-allow", e.suppressed(), e.timestamp());
                    continue;
                }
                String mode = modeByProcess.get(process(e));
                String action = "enforce".equals(mode) ? "refuse" : "audit".equals(mode) ? "audit" : "suppressed";
                actions.add(action, e.suppressed(), e.timestamp());
                String entryPoint = key.length == 4 ? key[3] : NOT_RECORDED;
                String service = e.service() != null ? e.service() : serviceByProcess.get(process(e));
                if ((key.length == 3 || key.length == 4) && key[0].equals("model") && !key[1].startsWith("serial.")) {
                    countViolation(action, null, key[2], entryPoint, null, e.host(), service, key[1], e.suppressed(),
                            e.timestamp());
                } else if (key.length == 3 || key.length == 4) {
                    String className = key[0].equals("(limits)") ? null : key[0];
                    countViolation(action, className, key[1], entryPoint, key[2], e.host(), service, null,
                            e.suppressed(), e.timestamp());
                }
            }
        }
        return this;
    }

    private void countViolation(String action, String className, String rule, String entryPoint, String callSite,
                                String host, String service, String modelFile, long occurrences, Instant when) {
        if (occurrences <= 0) {
            return;
        }
        violations = Tally.saturatedSum(violations, occurrences);
        rules.add(rule, occurrences, when);
        classes.add(className, occurrences, when);
        entryPoints.add(entryPoint, occurrences, when);
        callSites.add(callSite, occurrences, when);
        hosts.add(host, occurrences, when);
        services.add(service, occurrences, when);
        modelFiles.add(modelFile, occurrences, when);
        timeline.add(action, occurrences, when);
        if (first == null || when.isBefore(first)) {
            first = when;
        }
        if (last == null || when.isAfter(last)) {
            last = when;
        }
    }

    private static String process(LogEvent e) {
        return e.host() + "\u0000" + e.pid();
    }

    /** Event lines read (after {@code --since}). */
    public long events() {
        return events;
    }

    /** Refusals and would-be refusals, including those held back by the rate limiter. */
    public long violations() {
        return violations;
    }

    /** Events the rate limiter held back, already included in the counts. */
    public long heldBack() {
        return heldBack;
    }

    public long malformed() {
        return malformed;
    }

    public List<Malformed> malformedExamples() {
        return malformedExamples;
    }

    /** First and last violation, or null when there was none. */
    public Instant first() {
        return first;
    }

    public Instant last() {
        return last;
    }

    public Tally actions() {
        return actions;
    }

    public Tally rules() {
        return rules;
    }

    public Tally classes() {
        return classes;
    }

    public Tally entryPoints() {
        return entryPoints;
    }

    public Tally callSites() {
        return callSites;
    }

    public Tally hosts() {
        return hosts;
    }

    /** {@code service.name} of the violations whose process named one. */
    public Tally services() {
        return services;
    }

    /** Violations over time, by action. */
    public Timeline timeline() {
        return timeline;
    }

    public Tally modelFiles() {
        return modelFiles;
    }

    /** Whether some event said the stream named {@code className} but no class path has it (a probe). */
    public boolean notFound(String className) {
        return classesNotFound.contains(className);
    }

    /** The gadget-catalogue entry for a logged class name (array names by their component), or null. */
    public GadgetCatalog.Match gadget(String loggedClassName) {
        String component = ClassNames.component(loggedClassName);
        return component == null ? null : gadgets.match(component);
    }
}
