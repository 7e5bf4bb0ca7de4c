package dev.safeload.serial;

/**
 * The CPU one top-level read has spent, against a budget of 0.75 s per megabyte read (0.75 s
 * at least): below the goal of 1 s, since the sampling lets a read run a little past it. Hash collisions cost each insertion a walk past every earlier key, so a
 * {@code HashSet} of colliding {@code BitSet}s costs the square of its size between checkpoints
 * that each look harmless; only the time shows it. Sampled every {@value #SAMPLE_EVERY}
 * checkpoints, so the allow path reads no clock. Time inside {@code resolveClass} (class
 * loading, a host's initialisers) is the host's, not the stream's, and is left out.
 *
 * <p>A sample reads the monotonic clock (about 25 ns) and reads the thread's CPU clock ({@link
 * ThreadCpuClock}: a read of /proc, a few µs) only once the wall time alone is past
 * the budget: a thread cannot spend more CPU than the time that passed, so a read whose wall
 * time is within its budget is within it in CPU too. A 20,000-object graph takes about 70
 * samples; reading the CPU clock at each cost 2% of the read.
 */
final class ReadClock {

    static final int SAMPLE_EVERY = 256;
    private static final long BUDGET_PER_MB = 750_000_000L;

    private long cpuAtStart = -1;
    private long wallAtStart;
    private long resolving;
    private long resolvingNanos;

    /** A top-level read starts. */
    void start() {
        cpuAtStart = -1;
        resolvingNanos = 0;
    }

    /** A class name was read: resolveClass runs next. */
    void resolveStarts() {
        resolving = System.nanoTime();
    }

    /** The class of the name read last reached the filter: resolveClass is done. */
    void resolveEnds() {
        if (resolving != 0) {
            resolvingNanos += System.nanoTime() - resolving;
            resolving = 0;
        }
    }

    /** The CPU nanoseconds this read spent past its budget at {@code streamBytes}, or -1 within it. */
    long overBudget(long streamBytes) {
        long now = System.nanoTime();
        if (cpuAtStart < 0) {
            // The first sample: the read's first checkpoints were cheap by construction.
            long cpu = threadCpu();
            if (cpu < 0) {
                return -1;
            }
            cpuAtStart = cpu;
            wallAtStart = now;
            return -1;
        }
        long budget = Math.max(BUDGET_PER_MB, (streamBytes >> 10) * BUDGET_PER_MB >> 10);
        if (now - wallAtStart - resolvingNanos <= budget) {
            return -1; // CPU time never exceeds the time passed
        }
        long spent = threadCpu() - cpuAtStart - resolvingNanos;
        return spent > budget ? spent : -1;
    }

    private static long threadCpu() {
        return ThreadCpuClock.now(); // not the ThreadMXBean itself: its first use costs a server's start 20 ms
    }
}
