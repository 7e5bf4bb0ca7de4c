package dev.safeload.report;

import dev.safeload.pack.Pack;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns decisions into violation-log lines: one JSON object per line, rate-limited per
 * identical event. The log is opened on the first event, by plain appends; Logback, which rolls
 * the file, starts on a thread of its own at the first event written {@link #ROLLING_DELAY_NANOS}
 * or more after the agent started, and takes over from the appends. So a model server, whose
 * first event is the model it loads at start, never waits for a logger to start.
 */
public final class Reporter {

    public static final String ECS_VERSION = "8.11";

    private final LogSettings settings;
    private final PrintStream console;
    /** Made at the first rate-limited event: most JVMs report none, and premain makes the reporter. */
    private volatile RateLimiter limiter;
    /** How long after the agent started an event may start Logback (the rolling) off the host's path. */
    static final long ROLLING_DELAY_NANOS = 2_000_000_000L;

    private volatile HandOverSink sink;
    private final long startNanos = System.nanoTime();
    private final long rollingDelayNanos;
    private volatile boolean rollingStarted;
    /** The log's first line, made as the log opens: premain makes no event. */
    private java.util.function.Supplier<Event> firstLine;
    private volatile boolean summaryHookAdded;
    private String hostName;
    /** Read at the first line: ProcessHandle's class starts a thread pool of its own (some 25 classes). */
    private long pid = -1;
    private final Instrumentation inst;

    public Reporter(LogSettings settings, PrintStream console) {
        this(settings, console, ROLLING_DELAY_NANOS, null);
    }

    /** @param inst lets the hand-over define Logback in the boot loader (dev.safeload.pack.BootPack); or null */
    public Reporter(LogSettings settings, PrintStream console, Instrumentation inst) {
        this(settings, console, ROLLING_DELAY_NANOS, inst);
    }

    Reporter(LogSettings settings, PrintStream console, long rollingDelayNanos,
             Instrumentation inst) {
        this.settings = settings;
        this.console = console;
        this.rollingDelayNanos = rollingDelayNanos;
        this.inst = inst;
    }

    private RateLimiter limiter() {
        RateLimiter l = limiter;
        if (l == null) {
            synchronized (this) {
                l = limiter;
                if (l == null) {
                    l = new RateLimiter(settings.rateLimit(), new NanoClock());
                    limiter = l;
                }
            }
        }
        return l;
    }

    /**
     * Writes {@code event} unless identical events under {@code rateKey} have used up this
     * minute's allowance; then it is counted and reported with the next one that is written.
     *
     * @param humanLine a short line for stderr, or null for none
     */
    public void report(Event event, String rateKey, String humanLine) {
        RateLimiter.Admission admission = limiter().admit(rateKey);
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
        sink().write(encode(event));
        startRollingIfDue();
    }

    /**
     * This JVM's pid: on Linux the {@code /proc/self} link names it, which loads nothing; the
     * ProcessHandle class starts a thread pool of its own (some 25 classes), the fallback elsewhere.
     */
    static long pid() {
        try {
            return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/self")).toString());
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.current().pid();
        }
    }

    private String encode(Event event) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("@timestamp", IsoInstant.format(Instant.now()));
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
        if (pid < 0) {
            pid = pid();
        }
        line.put("process.pid", pid);
        line.put("process.thread.name", Thread.currentThread().getName());
        return JsonLines.encode(line);
    }

    /**
     * The event written as the log's first line when the log is opened, made then: a JVM that
     * exits before its log opens (about 2 s after the start, or at the first event) never makes it.
     */
    public synchronized void firstLine(java.util.function.Supplier<Event> event) {
        this.firstLine = event;
    }

    /** Opens the log now (writing the first line) instead of at the first event; Logback still waits for an event. */
    public void open() {
        sink();
    }

    /** Writes counts still held back; called at shutdown. */
    public void flushHeld() {
        RateLimiter made = limiter;
        if (made == null) {
            return; // no rate-limited event yet, so nothing held
        }
        for (RateLimiter.Pending p : made.drain()) {
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
        HandOverSink s = sink;
        if (s == null) {
            synchronized (this) {
                s = sink;
                if (s == null) {
                    EventSink first;
                    try {
                        first = new AppendEventSink(settings.destination());
                    } catch (RuntimeException e) {
                        // Nothing lost: if the file cannot be opened, the events go to stderr.
                        console.println("safeload: " + e.getMessage() + "; writing violation events to stderr instead");
                        first = new AppendEventSink("stderr");
                        rollingStarted = true; // nothing to roll
                    }
                    s = new HandOverSink(first);
                    sink = s;
                    if (firstLine != null) {
                        Event start = firstLine.get();
                        firstLine = null;
                        s.write(encode(start));
                    }
                }
            }
        }
        return s;
    }

    /**
     * Starts Logback on a thread of its own, once: a file log rolls daily and at its size limit,
     * which the plain appends do not do. Logback's start is some 120 classes (bench/startup.sh)
     * that have no business on the host's start.
     */
    private void startRollingIfDue() {
        if (rollingStarted || System.nanoTime() - startNanos < rollingDelayNanos) {
            return;
        }
        String destination = settings.destination();
        synchronized (this) {
            if (rollingStarted) {
                return;
            }
            rollingStarted = true;
        }
        if (destination.equals("stdout") || destination.equals("stderr")) {
            return;
        }
        Thread start = new Thread(new StartRolling(this), "safeload-log");
        start.setDaemon(true);
        start.start();
    }

    /** The sink that writes through Logback; in the jar's boot pack with Logback, so made by name. */
    static final String LOGBACK_SINK = "dev.safeload.report.logback.LogbackEventSink";

    /** Starts Logback and hands the log over to it. A class, not a lambda: none is spun for it. */
    private record StartRolling(Reporter reporter) implements Runnable {
        @Override
        public void run() {
            try {
                reporter.sink.handOver(Pack.bootInstance(reporter.inst, EventSink.class, LOGBACK_SINK,
                        new Class<?>[] {LogSettings.class, PrintStream.class}, reporter.settings, reporter.console));
            } catch (RuntimeException | LinkageError e) {
                reporter.console.println("safeload: cannot start rolling the violation log (" + e
                        + "); events are still appended to " + reporter.settings.destination());
            }
        }
    }

    /** {@code System::nanoTime} as a class: a method reference made at premain spins a class in the interpreter. */
    private static final class NanoClock implements java.util.function.LongSupplier {
        @Override
        public long getAsLong() {
            return System.nanoTime();
        }
    }

    /** Whether Logback has taken the log over; for tests. */
    boolean rolling() {
        HandOverSink s = sink;
        return s != null && s.current().getClass().getName().equals(LOGBACK_SINK);
    }

    private static final String KERNEL_HOST_NAME = "/proc/sys/kernel/hostname";

    /**
     * The kernel's host name, read through a {@link FileInputStream} (loaded at JVM start):
     * {@code Files.readString} opens a {@code FileChannel}, some 17 JDK classes at the first
     * event. A name that is not ASCII is read as before, so that bytes that are not UTF-8 still
     * fail (to the next source) rather than decode to replacement characters.
     */
    static String kernelHostName() throws IOException {
        byte[] bytes;
        try (FileInputStream in = new FileInputStream(KERNEL_HOST_NAME)) {
            bytes = in.readAllBytes();
        }
        for (byte b : bytes) {
            if (b < 0) {
                return Files.readString(Path.of(KERNEL_HOST_NAME)).strip();
            }
        }
        return new String(bytes, StandardCharsets.ISO_8859_1).strip();
    }

    private String hostName() {
        String h = hostName;
        if (h == null) {
            h = System.getenv("HOSTNAME");
            if (h == null || h.isBlank()) {
                try {
                    h = kernelHostName();
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
