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
 * ThreadCpuClock}: a read of /proc, 6 µs of CPU) only where it can matter: at the first sample if
 * the ticker moved since the read started (a read that crossed a tick: 6% of the 20,000-object
 * graph's, 0.4 µs a read on average), otherwise once the read has run 10 ms of wall time since its
 * first sample ({@link #CPU_FROM_NANOS}), so most reads never open the file; then once the wall
 * time is past the budget: a thread cannot spend more CPU than the time that passed, so a read
 * whose wall time is within its budget is within it in CPU too.
 *
 * <p>The time before the CPU clock is first read is charged as CPU, since no clock read it: every
 * tick the ticker moved before the first sample but the last (50 ms the read surely ran), and the
 * wall time from the first sample on. That charges a read that was descheduled more than it
 * spent, by at most those ticks; it leaves uncounted at most the part of one tick before the first
 * sample and the call that ran across it (session 20's CI: a read refused at 976 ms of CPU counted
 * had spent 1,134, since up to two ticks and 32 costly calls went uncounted).
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
    private boolean cpuKnown;
    /** The CPU clock at the read's start, as charged: its first reading less the wall time before it. */
    private long cpuAtStart;
    private long wallAtStart;
    /** {@link #resolvingNanos} when {@link #cpuAtStart} was read: only what follows is taken off the CPU. */
    private long resolvingBeforeCpu;
    private long resolving;
    private long resolvingNanos;

    public ReadClock() {
    }

    /**
     * A top-level read starts, or started when {@link ReadTicker#now} was {@code startTick}: a
     * first sample that finds the ticker moved since reads the CPU clock at once, and charges the
     * ticks before it.
     */
    public void start(int startTick) {
        this.startTick = startTick;
        sampled = false;
        cpuKnown = false;
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
            // The first sample: the read ran at least every tick since its start but the last,
            // less the time it spent loading classes.
            sampled = true;
            int moved = (ReadTicker.now() & Integer.MAX_VALUE) - (startTick & Integer.MAX_VALUE);
            wallAtStart = now - Math.max(0, (moved - 1) * ReadTicker.PERIOD_NANOS - resolvingNanos);
            resolvingNanos = 0;
            if (moved > 0) {
                startCpu(now);
            }
            return -1;
        }
        long wall = now - wallAtStart - resolvingNanos;
        if (!cpuKnown) {
            if (wall > CPU_FROM_NANOS) {
                startCpu(now); // where the CPU cannot be known: tried again at the next sample
            }
            return -1;
        }
        if (wall <= budget) {
            return -1; // CPU time never exceeds the time passed
        }
        long spent = threadCpu() - cpuAtStart - (resolvingNanos - resolvingBeforeCpu);
        return spent > budget ? spent : -1;
    }

    /** Reads the CPU clock, the wall time counted so far charged as CPU spent: never more than the wall time. */
    private void startCpu(long now) {
        long cpu = threadCpu();
        if (cpu >= 0) {
            cpuKnown = true;
            cpuAtStart = cpu - (now - wallAtStart - resolvingNanos);
            resolvingBeforeCpu = resolvingNanos;
        }
    }

    private static long threadCpu() {
        return ThreadCpuClock.now(); // not the ThreadMXBean itself: its first use costs a server's start 20 ms
    }
}
