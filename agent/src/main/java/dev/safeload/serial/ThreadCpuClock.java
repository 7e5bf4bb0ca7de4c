package dev.safeload.serial;

import java.io.FileInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The CPU time of the calling thread, for {@link ReadClock}. On Linux it is the scheduler's own
 * figure for the thread, from {@code /proc/thread-self/schedstat}, read with classes every JVM has
 * loaded; elsewhere it is the platform ThreadMXBean's. That bean costs 47 java.lang.management
 * classes and about 20 ms at its first use, which the first read long enough to be sampled (a
 * server's model, at start) would pay (issue 12). The two are the same kernel figure, the
 * thread's CPU since it started, so a read may even start on one and end on the other; the file
 * lags by at most one scheduler tick (10 ms at 100 Hz), against a budget of 0.75 s.
 */
final class ThreadCpuClock {

    private static final String SCHEDSTAT = "/proc/thread-self/schedstat";

    /** Cleared for good once the file cannot be read (not Linux, no schedstat, a security manager). */
    private static volatile boolean procReadable = true;

    private ThreadCpuClock() {
    }

    /**
     * Nanoseconds of CPU the calling thread has used, or -1 where that cannot be known: on a
     * virtual thread (the file would count its carrier, and the bean gives -1 there too) or
     * where the bean does not measure it.
     */
    static long now() {
        if (isVirtual(Thread.currentThread())) {
            return -1;
        }
        if (procReadable) {
            long ns = fromSchedstat();
            if (ns >= 0) {
                return ns;
            }
            procReadable = false;
        }
        return Bean.now();
    }

    /** The first field of schedstat: time spent on the CPU, in nanoseconds; -1 if unreadable. */
    static long fromSchedstat() {
        byte[] buf = new byte[64];
        int n;
        try (FileInputStream in = new FileInputStream(SCHEDSTAT)) {
            n = in.read(buf);
        } catch (IOException | SecurityException e) {
            return -1;
        }
        long ns = 0;
        int i = 0;
        for (; i < n && i < 19 && buf[i] >= '0' && buf[i] <= '9'; i++) {
            ns = ns * 10 + (buf[i] - '0');
        }
        return i > 0 && i < n && buf[i] == ' ' ? ns : -1;
    }

    /** Thread.isVirtual() without the JDK 21 API: its classes are VirtualThread and BaseVirtualThread's others. */
    private static boolean isVirtual(Thread thread) {
        for (Class<?> c = thread.getClass(); c != Thread.class && c != null; c = c.getSuperclass()) {
            String name = c.getName();
            if (name.equals("java.lang.VirtualThread") || name.equals("java.lang.BaseVirtualThread")) {
                return true;
            }
        }
        return false;
    }

    /** The ThreadMXBean, in its own class so that java.lang.management loads only where it is used. */
    static final class Bean {
        private Bean() {
        }

        static long now() {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : -1;
        }
    }
}
