package dev.safeload.report.logback;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LogbackEventSinkTest {

    /** Whether a second task starts while the first still runs (the first waits up to {@code seconds} for it). */
    private static boolean overlaps(ExecutorService cleanUps, long seconds) throws Exception {
        CountDownLatch secondStarted = new CountDownLatch(1);
        Future<Boolean> first = cleanUps.submit(() -> secondStarted.await(seconds, TimeUnit.SECONDS));
        cleanUps.submit(secondStarted::countDown);
        return first.get(seconds + 10, TimeUnit.SECONDS);
    }

    /** Logback's clean-ups share one calendar: two at once deleted today's archives (ReporterTest). */
    @Test
    void runsTheArchiveCleanUpsOneAtATime() throws Exception {
        assertFalse(overlaps(new LogbackEventSink.OneCleanUpAtATime().getAlternateExecutorService(), 1));
    }

    /**
     * The twin: Logback's own context runs them side by side, which is what lost the lines. It
     * waits up to 10 s, for a loaded machine's new thread; the overlap ends the wait at once.
     */
    @Test
    void logbacksOwnContextRunsThemSideBySide() throws Exception {
        assertTrue(overlaps(new LoggerContext().getAlternateExecutorService(), 10));
    }
}
