package dev.safeload.serial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The read clock charges the time before its CPU clock is first read as CPU: the ticks the read
 * surely ran before its first sample, and the wall time from that sample on. It never wakes the
 * ticker, which {@link ReadTickerTest} watches park.
 */
class ReadClockTest {

    private static final long BUDGET = 100_000_000L;

    private static int ticks() {
        return ReadTicker.now() & Integer.MAX_VALUE;
    }

    @Test
    void chargesTheTicksBeforeTheFirstSample() {
        ReadClock clock = new ReadClock();
        clock.start(ticks() - 5); // five ticks ago: four of them the read surely ran
        assertEquals(-1, clock.overBudgetNanos(BUDGET), "the first sample judges nothing");
        long spent = clock.overBudgetNanos(BUDGET);
        assertTrue(spent >= 4 * ReadTicker.PERIOD_NANOS, "charged: " + spent);
    }

    @Test
    void aReadSampledBeforeAnyTickIsChargedNothingBefore() {
        ReadClock clock = new ReadClock();
        clock.start(ticks());
        assertEquals(-1, clock.overBudgetNanos(BUDGET));
        assertEquals(-1, clock.overBudgetNanos(BUDGET), "a read of microseconds is within 100 ms");
    }

    @Test
    void chargesTheWallTimeFromTheFirstSampleWhenTheCpuClockIsReadLater() throws Exception {
        for (int attempt = 0; ; attempt++) {
            ReadClock clock = new ReadClock();
            int start = ticks();
            clock.start(start);
            assertEquals(-1, clock.overBudgetNanos(BUDGET));
            if (ticks() != start && attempt < 5) {
                continue; // a tick came between: the CPU clock was read at the first sample
            }
            Thread.sleep(30); // no CPU spent, 30 ms of wall time
            assertEquals(-1, clock.overBudgetNanos(BUDGET), "past 10 ms: the CPU clock is read, within 100 ms");
            long spent = clock.overBudgetNanos(20_000_000L);
            assertTrue(spent >= 30_000_000L, "the 30 ms before the CPU clock was read are charged: " + spent);
            return;
        }
    }
}
