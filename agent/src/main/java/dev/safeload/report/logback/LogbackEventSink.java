package dev.safeload.report.logback;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.util.FileSize;
import dev.safeload.report.EventSink;
import dev.safeload.report.LogSettings;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Writes event lines through the agent's own, relocated Logback. The context is built in code
 * and never auto-configured, so it reads no {@code logback.xml} and never touches the host's
 * logging. In the jar's boot pack with Logback ({@code dev.safeload.pack.Pack}): the reporter makes
 * it by name.
 */
public final class LogbackEventSink implements EventSink {

    private final LoggerContext context;
    private final Logger logger;

    /** One line per event: the message is already the JSON. */
    private static final class LineLayout extends LayoutBase<ILoggingEvent> {
        @Override
        public String doLayout(ILoggingEvent event) {
            return event.getMessage() + "\n";
        }
    }

    /**
     * A context whose archive clean-ups run one at a time. Logback (1.5.18 to 1.5.38) runs each
     * rollover's {@code maxHistory} clean-up on a pool of four threads, and every clean-up works
     * on the one {@code RollingCalendar} the rolling policy shares: two at once compute each
     * other's dates and delete today's archives as "historically stale". A cold JVM's first
     * clean-up (32 periods) overlapped the next rollovers' so, and lost 12,092 of 12,253 lines in
     * ReporterTest.
     */
    static final class OneCleanUpAtATime extends LoggerContext {

        private ExecutorService cleanUps;

        @Override
        public synchronized ExecutorService getAlternateExecutorService() {
            if (cleanUps == null) {
                ThreadPoolExecutor one = new ThreadPoolExecutor(1, 1, 100, TimeUnit.MILLISECONDS,
                        new LinkedBlockingQueue<>(), task -> {
                            Thread t = new Thread(task, "safeload-log-clean-up");
                            t.setDaemon(true);
                            return t;
                        });
                one.allowCoreThreadTimeOut(true);
                cleanUps = one;
            }
            return cleanUps;
        }
    }

    public LogbackEventSink(LogSettings settings, PrintStream console) {
        context = new OneCleanUpAtATime();
        context.setName("safeload");
        // Logback 1.5 needs an MDC adapter on every context it did not configure itself.
        context.setMDCAdapter(new LogbackMDCAdapter());
        context.getStatusManager().add(status -> {
            if (status.getLevel() == Status.ERROR) {
                console.println("safeload: violation log error: " + status.getMessage()
                        + (status.getThrowable() != null ? ": " + status.getThrowable() : ""));
            }
        });

        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        LineLayout layout = new LineLayout();
        layout.setContext(context);
        layout.start();
        encoder.setLayout(layout);
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();

        OutputStreamAppender<ILoggingEvent> appender;
        String destination = settings.destination();
        if (destination.equals("stdout") || destination.equals("stderr")) {
            ConsoleAppender<ILoggingEvent> stdio = new ConsoleAppender<>();
            stdio.setTarget(destination.equals("stdout") ? "System.out" : "System.err");
            appender = stdio;
        } else {
            RollingFileAppender<ILoggingEvent> file = new RollingFileAppender<>();
            file.setContext(context);
            file.setFile(destination);
            SizeAndTimeBasedRollingPolicy<ILoggingEvent> rolling = new SizeAndTimeBasedRollingPolicy<>();
            rolling.setContext(context);
            rolling.setParent(file);
            rolling.setFileNamePattern(destination + ".%d{yyyy-MM-dd}.%i.gz");
            rolling.setMaxFileSize(new FileSize(settings.maxFileSize()));
            rolling.setMaxHistory(settings.maxHistory());
            rolling.start();
            file.setRollingPolicy(rolling);
            file.setTriggeringPolicy(rolling);
            appender = file;
        }
        appender.setContext(context);
        appender.setName("safeload-violations");
        appender.setEncoder(encoder);
        appender.setImmediateFlush(true);
        appender.start();
        if (!appender.isStarted()) {
            throw new IllegalStateException("cannot open the violation log " + destination);
        }

        logger = context.getLogger("dev.safeload.violations");
        logger.setAdditive(false);
        logger.setLevel(Level.INFO);
        logger.addAppender((Appender<ILoggingEvent>) appender);
    }

    @Override
    public void write(String line) {
        logger.info(line);
    }

    @Override
    public void close() {
        context.stop();
    }
}
