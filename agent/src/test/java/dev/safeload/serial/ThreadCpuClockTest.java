package dev.safeload.serial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The /proc clock ReadClock uses is the ThreadMXBean's figure, read without java.lang.management. */
class ThreadCpuClockTest {

    @Test
    void schedstatCountsWhatTheBeanCounts() {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/thread-self/schedstat")), "no /proc/thread-self/schedstat");
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        long procBefore = ThreadCpuClock.fromSchedstat();
        long beanBefore = bean.getCurrentThreadCpuTime();
        long sink = 0;
        while (bean.getCurrentThreadCpuTime() - beanBefore < 200_000_000L) { // 0.2 s of this thread's CPU, however loaded the machine
            for (int i = 0; i < 100_000; i++) {
                sink += i * 31L ^ sink;
            }
        }
        long proc = ThreadCpuClock.fromSchedstat() - procBefore;
        long beanSpent = bean.getCurrentThreadCpuTime() - beanBefore;
        assertTrue(procBefore > 0 && sink != 1, "schedstat read: " + procBefore);
        // Both are the thread's CPU time; the file lags by one scheduler tick at most (10 ms at 100 Hz).
        assertTrue(Math.abs(proc - beanSpent) < 25_000_000L, "schedstat " + proc + " ns, bean " + beanSpent + " ns");
        assertTrue(ThreadCpuClock.now() >= procBefore);
    }

    @Test
    void aVirtualThreadHasNoCpuClock() throws Exception {
        Method start;
        try {
            start = Thread.class.getMethod("startVirtualThread", Runnable.class);
        } catch (NoSuchMethodException e) {
            Assumptions.abort("no virtual threads before JDK 21");
            return;
        }
        AtomicLong seen = new AtomicLong(0);
        Thread t = (Thread) start.invoke(null, (Runnable) () -> seen.set(ThreadCpuClock.now()));
        t.join();
        assertEquals(-1, seen.get());
        assertTrue(ThreadCpuClock.now() >= 0, "the platform thread, for contrast, has a clock");
    }
}
