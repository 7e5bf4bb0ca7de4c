package dev.safeload.serial;

import java.util.concurrent.locks.LockSupport;

/**
 * A coarse clock the CPU budgets' checkpoints can read for the price of one volatile load: a
 * count a daemon thread raises every {@value #PERIOD_MILLIS} ms. Sampling every 256 checkpoints
 * alone let a read whose every checkpoint runs one costly call (a {@code ConcurrentSkipListMap}
 * of back-references alternating {@code 1} and a {@code BigDecimal} of scale 400,000, 68 ms a
 * comparison) spend 128 of them, 8.7 s, before its first sample: a checkpoint that sees the
 * count move since its read's last sample samples too. Reading {@code System.nanoTime} there
 * instead would cost 25 ns a checkpoint, a fifth of the 20,000-object graph's read.
 *
 * <p>The thread starts with the first read that loads this class, and wakes 50 times a second
 * (measured: BENCHMARKS.md, "Session 19"); it holds no lock and touches nothing else.
 */
public final class ReadTicker {

    static final long PERIOD_MILLIS = 20;

    private static volatile int ticks;

    static {
        new Ticker().start();
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
            long period = PERIOD_MILLIS * 1_000_000L;
            while (true) {
                LockSupport.parkNanos(period);
                ticks++; // one writer: no lost update
            }
        }
    }

    private ReadTicker() {
    }

    /** The count: a checkpoint that sees it differ from its read's last sample samples the clock. */
    public static int now() {
        return ticks;
    }
}
