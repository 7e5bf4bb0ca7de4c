package dev.safeload.report;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns decisions into violation-log lines: one JSON object per line, rate-limited per
 * identical event, written through a sink that is opened on the first event so an agent that
 * never refuses anything never starts a logger.
 */
public final class Reporter {

    public static final String ECS_VERSION = "8.11";

    private final LogSettings settings;
    private final PrintStream console;
    private final RateLimiter limiter;
    private volatile EventSink sink;
    private Event firstLine;
    private volatile boolean summaryHookAdded;
    private String hostName;
    private final long pid = ProcessHandle.current().pid();

    public Reporter(LogSettings settings, PrintStream console) {
        this.settings = settings;
        this.console = console;
        this.limiter = new RateLimiter(settings.rateLimit(), System::nanoTime);
    }

    /**
     * Writes {@code event} unless identical events under {@code rateKey} have used up this
     * minute's allowance; then it is counted and reported with the next one that is written.
     *
     * @param humanLine a short line for stderr, or null for none
     */
    public void report(Event event, String rateKey, String humanLine) {
        RateLimiter.Admission admission = limiter.admit(rateKey);
        if (!admission.write()) {
            addSummaryHook();
            return;
        }
        if (admission.heldBefore() > 0) {
            event.put("safeload.suppressed", admission.heldBefore());
        }
        write(event);
        if (humanLine != null) {
            console.println(humanLine);
        }
    }

    /** Writes {@code event} with no rate limit (lifecycle events). */
    public void write(Event event) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("@timestamp", Instant.now().toString());
        line.put("log.level", event.level());
        Object message = event.fields().get("message");
        if (message != null) {
            line.put("message", message);
        }
        line.put("ecs.version", ECS_VERSION);
        for (Map.Entry<String, Object> f : event.fields().entrySet()) {
            if (!f.getKey().equals("message")) {
                line.put(f.getKey(), f.getValue());
            }
        }
        line.put("host.name", hostName());
        settings.service().addTo(line);
        line.put("process.pid", pid);
        line.put("process.thread.name", Thread.currentThread().getName());
        sink().write(JsonLines.encode(line));
    }

    /** An event written as the log's first line when the log is opened. */
    public synchronized void firstLine(Event event) {
        this.firstLine = event;
    }

    /** Opens the log now (writing the first line) instead of at the first event. */
    public void open() {
        sink();
    }

    /** Writes counts still held back; called at shutdown. */
    public void flushHeld() {
        for (RateLimiter.Pending p : limiter.drain()) {
            write(Event.of("event", "suppressed").level(Event.ALERT_LEVEL)
                    .put("message", p.held() + " identical events were rate-limited and not written one by one")
                    .put("safeload.suppressed", p.held())
                    .put("safeload.rate_key", p.key()));
        }
    }

    private void addSummaryHook() {
        if (!summaryHookAdded) {
            synchronized (this) {
                if (!summaryHookAdded) {
                    summaryHookAdded = true;
                    Runtime.getRuntime().addShutdownHook(new Thread(this::flushHeld, "safeload-log-summary"));
                }
            }
        }
    }

    private EventSink sink() {
        EventSink s = sink;
        if (s == null) {
            synchronized (this) {
                s = sink;
                if (s == null) {
                    try {
                        s = new LogbackEventSink(settings, console);
                    } catch (RuntimeException e) {
                        // Nothing lost: if the file cannot be opened, the events go to stderr.
                        console.println("safeload: " + e.getMessage() + "; writing violation events to stderr instead");
                        s = new LogbackEventSink(new LogSettings("stderr", settings.maxFileSize(),
                                settings.maxHistory(), settings.rateLimit(), settings.service()), console);
                    }
                    sink = s;
                    if (firstLine != null) {
                        Event first = firstLine;
                        firstLine = null;
                        write(first);
                    }
                }
            }
        }
        return s;
    }

    private String hostName() {
        String h = hostName;
        if (h == null) {
            h = System.getenv("HOSTNAME");
            if (h == null || h.isBlank()) {
                try {
                    h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
                } catch (IOException | RuntimeException e) {
                    try {
                        h = InetAddress.getLocalHost().getHostName();
                    } catch (IOException ex) {
                        h = "unknown";
                    }
                }
            }
            hostName = h;
        }
        return h;
    }
}
