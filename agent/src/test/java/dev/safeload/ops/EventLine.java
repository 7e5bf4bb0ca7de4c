package dev.safeload.ops;

import dev.safeload.report.JsonLines;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Builds violation-log lines the way the agent writes them (same field order, same encoder),
 * for tests that need logs without running an agent.
 */
public final class EventLine {

    private final Map<String, Object> fields = new LinkedHashMap<>();

    private EventLine(String timestamp, String kind, String action) {
        fields.put("@timestamp", timestamp);
        fields.put("log.level", "warn");
        fields.put("ecs.version", "8.11");
        fields.put("event.kind", kind);
        fields.put("event.action", action);
    }

    /** A would-be refusal in audit mode of {@code className} by rule serial.allow. */
    public static EventLine audit(String timestamp, String className) {
        return violation(timestamp, "audit", className);
    }

    /** A refusal in enforce mode of {@code className} by rule serial.allow. */
    public static EventLine refuse(String timestamp, String className) {
        return violation(timestamp, "refuse", className);
    }

    private static EventLine violation(String timestamp, String action, String className) {
        boolean enforce = action.equals("refuse");
        EventLine e = new EventLine(timestamp, "alert", action);
        e.fields.put("message", (enforce ? "refused " : "would refuse ") + className
                + " by rule serial.allow: not in the allowlist");
        e.fields.put("event.category", List.of("intrusion_detection"));
        e.fields.put("event.type", List.of(enforce ? "denied" : "allowed"));
        e.fields.put("event.outcome", enforce ? "failure" : "success");
        e.fields.put("event.module", "safeload");
        e.fields.put("event.dataset", "safeload.violations");
        e.fields.put("rule.name", "serial.allow");
        e.fields.put("rule.ruleset", "policy file /etc/safeload/policy.properties");
        e.fields.put("safeload.mode", enforce ? "enforce" : "audit");
        e.fields.put("safeload.entry_point", "java.io.ObjectInputStream.readObject");
        e.fields.put("safeload.class", className);
        e.fields.put("safeload.class_found", true);
        e.fields.put("safeload.call_site", "com.acme.serve.ModelStore.load(ModelStore.java:41)");
        e.fields.put("safeload.policy_rule", "not in the allowlist");
        e.fields.put("safeload.policy_digest", "826a6170fbc2e1d1c6b0d1e1a8f1b0c0d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7");
        e.fields.put("safeload.nested", false);
        e.fields.put("safeload.depth", 2L);
        e.fields.put("safeload.refs", 2L);
        e.fields.put("safeload.bytes", 142L);
        e.fields.put("error.stack_trace", "java.base/java.io.ObjectInputStream.filterCheck(ObjectInputStream.java:1378)"
                + "\n\tat java.base/java.io.ObjectInputStream.readObject(ObjectInputStream.java:509)"
                + "\n\tat com.acme.serve.ModelStore.load(ModelStore.java:41)");
        e.fields.put("host.name", "inf-1");
        e.fields.put("process.pid", 8167L);
        e.fields.put("process.thread.name", "HTTP-Dispatcher");
        return e;
    }

    /** The agent's start event. */
    public static EventLine start(String timestamp, String mode) {
        EventLine e = new EventLine(timestamp, "event", "start");
        e.fields.put("message", "safeload started in " + mode + " mode");
        e.fields.put("safeload.mode", mode);
        e.fields.put("host.name", "inf-1");
        e.fields.put("process.pid", 8167L);
        return e;
    }

    /** The summary the agent writes at shutdown for events the rate limiter still held. */
    public static EventLine heldAtShutdown(String timestamp, String className, String callSite, long held) {
        EventLine e = new EventLine(timestamp, "event", "suppressed");
        e.fields.put("message", held + " identical events were rate-limited and not written one by one");
        e.fields.put("safeload.suppressed", held);
        e.fields.put("safeload.rate_key", className + "\u0000serial.allow\u0000" + callSite
                + "\u0000java.io.ObjectInputStream.readObject");
        e.fields.put("host.name", "inf-1");
        e.fields.put("process.pid", 8167L);
        return e;
    }

    /** A model-gate event for one file. */
    public static EventLine model(String timestamp, String action, String path, String sha256) {
        EventLine e = new EventLine(timestamp, action.equals("model-allow") ? "event" : "alert", action);
        e.fields.put("message", action + " " + path);
        if (!action.equals("model-allow")) {
            e.fields.put("rule.name", "pickle.import.dangerous");
            e.fields.put("safeload.call_site", "com.acme.serve.TorchStore.load(TorchStore.java:30)");
        }
        e.fields.put("safeload.mode", action.equals("refuse") ? "enforce" : "audit");
        e.fields.put("file.path", path);
        e.fields.put("file.hash.sha256", sha256);
        e.fields.put("safeload.format", "pytorch");
        e.fields.put("safeload.verdict", action.equals("model-allow") ? "allow" : "block");
        e.fields.put("host.name", "inf-1");
        e.fields.put("process.pid", 8167L);
        return e;
    }

    /** The summary the agent writes at shutdown for any rate key, such as a model gate's. */
    public static EventLine heldAtShutdown(String timestamp, String rateKey, long held) {
        EventLine e = new EventLine(timestamp, "event", "suppressed");
        e.fields.put("message", held + " identical events were rate-limited and not written one by one");
        e.fields.put("safeload.suppressed", held);
        e.fields.put("safeload.rate_key", rateKey);
        e.fields.put("host.name", "inf-1");
        e.fields.put("process.pid", 8167L);
        return e;
    }

    public EventLine rule(String rule) {
        fields.put("rule.name", rule);
        return this;
    }

    /** The stream the event came from, as the agent names it in {@code safeload.stream}. */
    public EventLine stream(String stream) {
        fields.put("safeload.stream", stream);
        return this;
    }

    /** The method an XMLDecoder event names, {@code safeload.member}. */
    public EventLine member(String member) {
        fields.put("safeload.member", member);
        return this;
    }

    public EventLine callSite(String callSite) {
        fields.put("safeload.call_site", callSite);
        return this;
    }

    public EventLine host(String host, long pid) {
        fields.put("host.name", host);
        fields.put("process.pid", pid);
        return this;
    }

    public EventLine service(String name) {
        fields.put("service.name", name);
        return this;
    }

    public EventLine entryPoint(String entryPoint) {
        fields.put("safeload.entry_point", entryPoint);
        return this;
    }

    public EventLine notFound() {
        fields.put("safeload.class_found", false);
        return this;
    }

    public EventLine suppressed(long held) {
        fields.put("safeload.suppressed", held);
        return this;
    }

    public String json() {
        return JsonLines.encode(fields);
    }

    @Override
    public String toString() {
        return json();
    }

    /** Writes lines (EventLines or raw strings) to {@code file}, one per line. */
    public static Path write(Path file, Object... lines) throws IOException {
        Files.writeString(file, text(lines), StandardCharsets.UTF_8);
        return file;
    }

    /** Writes lines gzip-compressed, as the agent's rolling leaves them. */
    public static Path writeGzip(Path file, Object... lines) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(text(lines).getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }

    private static String text(Object... lines) {
        StringBuilder b = new StringBuilder();
        for (Object line : lines) {
            b.append(line).append('\n');
        }
        return b.toString();
    }
}
