package dev.safeload.serial;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * A coarse clock the CPU budgets' checkpoints can read for the price of one volatile load: a
 * count a daemon thread raises every {@value #PERIOD_MILLIS} ms. Sampling every 256 checkpoints
 * alone let a read whose every checkpoint runs one costly call (a {@code ConcurrentSkipListMap}
 * of back-references alternating {@code 1} and a {@code BigDecimal} of scale 400,000, 68 ms a
 * comparison) spend 128 of them, 8.7 s, before its first sample under session 18's agent (such a
 * scale is now refused, but any costly call per checkpoint would do): a checkpoint that sees the
 * count move since its read's last sample samples too. Reading {@code System.nanoTime} there
 * instead would cost 25 ns a checkpoint, a fifth of the 20,000-object graph's read.
 *
 * <p>The thread starts with the first read that loads this class and wakes 20 times a second
 * while reads run (a wake-up cost 70 µs of CPU on this machine's virtual cores: BENCHMARKS.md,
 * "Session 19"). Once no read has run across a tick for {@value #IDLE_AFTER} ticks it parks until
 * a read starts: an idle JVM pays nothing. It holds no lock and touches nothing else.
 */
public final class ReadTicker {

    static final long PERIOD_MILLIS = 50;
    static final long PERIOD_NANOS = PERIOD_MILLIS * 1_000_000L;
    /** Ticks without a read that ran across one, after which the thread parks: 5 s. */
    static final int IDLE_AFTER = 100;
    /** Set in {@link #ticks} while the thread is parked for good: the sign bit, so a reader tests {@code < 0}. */
    private static final int IDLE = Integer.MIN_VALUE;

    private static volatile int ticks;
    /** {@link #ticks} when a read last sampled at a tick, or woke the thread. */
    private static volatile int lastUse;

    private static final VarHandle TICKS;
    private static final Ticker TICKER;

    static {
        try {
            TICKS = MethodHandles.lookup().findStaticVarHandle(ReadTicker.class, "ticks", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        Ticker ticker = null;
        try {
            ticker = new Ticker();
            ticker.start();
        } catch (SecurityException | OutOfMemoryError e) {
            // A security manager that forbids threads, or none left: sampling by count alone, as before.
            ticker = null;
        }
        TICKER = ticker;
    }

    /** The thread: a class of its own, not a lambda, whose first use would spin a class up at start. */
    private static final class Ticker extends Thread {
        Ticker() {
            super(null, null, "safeload-read-ticker", 64 * 1024, false);
            setDaemon(true);
            setContextClassLoader(null);
            setPriority(Thread.MAX_PRIORITY); // it must wake while a read keeps the cores busy
        }

        @Override
        public void run() {
            while (true) {
                int now = ticks;
                if (now - lastUse > IDLE_AFTER && TICKS.compareAndSet(now, now | IDLE)) {
                    while (ticks < 0) {
                        LockSupport.park(); // until a read starts: wake()
                    }
                    continue;
                }
                LockSupport.parkNanos(PERIOD_NANOS);
                TICKS.getAndAdd(1);
            }
        }
    }

    private ReadTicker() {
    }

    /** The count: a checkpoint that sees it differ from its read's last sample samples the clock. */
    public static int now() {
        return ticks;
    }

    /**
     * A read starts: the count, as {@link #now}, and the thread woken if it was parked for good.
     * Costs what {@link #now} costs but once in 5 s of quiet.
     */
    public static int readStarts() {
        int now = ticks;
        return now < 0 ? wake(now) : now;
    }

    /**
     * A read sampled at a tick ({@code now}, what {@link #now} answered): it runs across ticks, so
     * the thread keeps ticking; woken if it parked while the read was inside one long call.
     */
    public static void used(int now) {
        if (now < 0) {
            wake(now);
        } else {
            lastUse = now;
        }
    }

    private static int wake(int idle) {
        int now = (idle & ~IDLE) + 1;
        if (TICKS.compareAndSet(idle, now)) {
            lastUse = now;
            LockSupport.unpark(TICKER); // null: a no-op, though a thread that never ran never parks the count
        }
        return ticks;
    }
}
