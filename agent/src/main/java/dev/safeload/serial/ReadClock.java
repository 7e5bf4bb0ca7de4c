package dev.safeload.serial;

/**
 * The CPU one top-level read has spent, against a budget of 0.75 s per megabyte read (0.75 s
 * at least): below the goal of 1 s, since the sampling lets a read run a little past it. Hash collisions cost each insertion a walk past every earlier key, so a
 * {@code HashSet} of colliding {@code BitSet}s costs the square of its size between checkpoints
 * that each look harmless; only the time shows it. Sampled every {@value #SAMPLE_EVERY}
 * checkpoints, or at the first checkpoint once {@link ReadTicker} shows 50 ms have passed, so
 * the allow path reads no clock. Time inside {@code resolveClass} (class
 * loading, a host's initialisers) is the host's, not the stream's, and is left out.
 *
 * <p>A sample reads the monotonic clock (about 25 ns) and reads the thread's CPU clock ({@link
 * ThreadCpuClock}: a read of /proc, 6 µs of CPU) only where it can matter: first once the read
 * has run 10 ms of wall time since its first sample ({@link #CPU_FROM_NANOS}) (so a read shorter than
 * that, most reads, never opens the file; the 20,000-object graph takes 2.4 ms and reading the
 * file at its first sample cost 0.25% of it), then once the wall time is past the budget: a
 * thread cannot spend more CPU than the time that passed, so a read whose wall time is within its
 * budget is within it in CPU too. The CPU spent before the clock was first read is not counted,
 * as the CPU before the first sample never was: at most two ticks (100 ms) and one checkpoint's
 * call, since a first sample that comes two ticks after the read's start reads the CPU at once,
 * against a budget of at least 0.75 s.
 *
 * <p>Document readers (XStream, Kryo, Hessian, XMLDecoder, SnakeYAML) cannot tell the bytes
 * they read; their budget is per object read instead ({@link #overBudgetNanos}).
 */
public final class ReadClock {

    public static final int SAMPLE_EVERY = 256;
    /** The least CPU budget of any read: 0.75 s. */
    public static final long BUDGET_FLOOR_NANOS = 750_000_000L;
    private static final long BUDGET_PER_MB = BUDGET_FLOOR_NANOS;

    /** Wall time, from a read's first sample, before its CPU clock is first read. */
    static final long CPU_FROM_NANOS = 10_000_000L;

    private boolean sampled;
    private int startTick;
    private long cpuAtStart = -1;
    private long wallAtStart;
    /** {@link #resolvingNanos} when {@link #cpuAtStart} was read: only what follows is taken off the CPU. */
    private long resolvingBeforeCpu;
    private long resolving;
    private long resolvingNanos;

    public ReadClock() {
    }

    /**
     * A top-level read starts, or started when {@link ReadTicker#now} was {@code startTick}: a
     * first sample that finds the ticker moved twice since reads the CPU clock at once, since the
     * read has run long enough (50 ms or more, or one costly call) that the CPU from here on must
     * count.
     */
    public void start(int startTick) {
        this.startTick = startTick;
        sampled = false;
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
        return overBudgetNanos(Math.max(BUDGET_PER_MB, (streamBytes >> 10) * BUDGET_PER_MB >> 10));
    }

    /** The CPU nanoseconds this read spent past {@code budget} nanoseconds, or -1 within it. */
    public long overBudgetNanos(long budget) {
        long now = System.nanoTime();
        if (!sampled) {
            // The first sample: the read's first checkpoints were cheap, unless two ticks passed
            // (one may pass in any read: 6% of the 20,000-object graph's, which need no CPU read).
            sampled = true;
            wallAtStart = now;
            if (ReadTicker.now() - startTick >= 2) {
                cpuAtStart = threadCpu();
                resolvingBeforeCpu = resolvingNanos;
            }
            return -1;
        }
        long wall = now - wallAtStart - resolvingNanos;
        if (cpuAtStart < 0) {
            if (wall > CPU_FROM_NANOS) {
                cpuAtStart = threadCpu(); // -1 where the CPU cannot be known: tried again at the next sample
                resolvingBeforeCpu = resolvingNanos;
            }
            return -1;
        }
        if (wall <= budget) {
            return -1; // CPU time never exceeds the time passed
        }
        long spent = threadCpu() - cpuAtStart - (resolvingNanos - resolvingBeforeCpu);
        return spent > budget ? spent : -1;
    }

    private static long threadCpu() {
        return ThreadCpuClock.now(); // not the ThreadMXBean itself: its first use costs a server's start 20 ms
    }
}
