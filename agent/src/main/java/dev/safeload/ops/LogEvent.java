package dev.safeload.ops;

import java.nio.file.Path;
import java.time.Instant;

/**
 * One line of a violation log, reduced to the fields that reports and learning read. Every
 * string is as the log holds it, so it may carry whatever an attacker put in a stream (class
 * names above all); print it through {@link Printable}.
 *
 * @param timestamp {@code @timestamp}
 * @param kind {@code event.kind}: alert or event
 * @param action {@code event.action}: refuse, audit, start, suppressed, model-allow
 * @param rule {@code rule.name}, or null
 * @param host {@code host.name}, or null
 * @param pid {@code process.pid} as text, or null
 * @param mode {@code safeload.mode}, or null
 * @param entryPoint {@code safeload.entry_point}, or null
 * @param className {@code safeload.class} as written in the stream (arrays as {@code [L...;}), or null
 * @param classFound {@code safeload.class_found}, or null when the log does not say
 * @param callSite {@code safeload.call_site}, or null
 * @param suppressed {@code safeload.suppressed}: identical events held back before this one
 * @param rateKey {@code safeload.rate_key} of a shutdown summary: class, rule and call site joined by NUL
 * @param filePath {@code file.path} of a model-gate event, or null
 * @param sha256 {@code file.hash.sha256} of a model-gate event, or null
 * @param format {@code safeload.format} of a model-gate event, or null
 * @param verdict {@code safeload.verdict} of a model-gate event, or null
 * @param service {@code service.name}, or null
 * @param file the log file the line came from
 * @param line its line number, from 1
 * @param stream {@code safeload.stream}: which stream of which JVM a serial event came from, or null
 * @param member {@code safeload.member}: the method an XMLDecoder event names, or null
 */
public record LogEvent(Instant timestamp, String kind, String action, String rule, String host, String pid,
                       String mode, String entryPoint, String className, Boolean classFound, String callSite,
                       long suppressed, String rateKey, String filePath, String sha256, String format,
                       String verdict, String service, Path file, long line, String stream,
                       String member) {

    /** A refusal in enforce mode or a would-be refusal in audit mode. */
    public boolean isViolation() {
        return "refuse".equals(action) || "audit".equals(action);
    }

    /** How many events this line stands for: itself and those the rate limiter held back before it. */
    public long occurrences() {
        return suppressed >= Long.MAX_VALUE - 1 ? Long.MAX_VALUE : 1 + suppressed;
    }

    /** {@code file line N}, for messages. */
    public String where() {
        return file + " line " + line;
    }
}
