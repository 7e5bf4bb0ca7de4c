package dev.safeload.serial;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The read ticker: it ticks while reads run, parks once none has run across a tick for 5 s, and
 * the next read wakes it. Waits on the real thread, so it takes about 6 s.
 */
class ReadTickerTest {

    @Test
    void parksWhenNoReadRunsAndTheNextReadWakesIt() throws Exception {
        int first = ReadTicker.readStarts();
        assertTrue(first >= 0, "a read that starts finds the ticker running: " + first);
        Thread.sleep(3 * ReadTicker.PERIOD_MILLIS);
        assertTrue(ReadTicker.now() > first, "it ticks: " + first + " then " + ReadTicker.now());

        long deadline = System.nanoTime() + 10_000_000_000L;
        while (ReadTicker.now() >= 0 && System.nanoTime() < deadline) {
            Thread.sleep(ReadTicker.PERIOD_MILLIS);
        }
        int idle = ReadTicker.now();
        assertTrue(idle < 0, "no read ran across a tick for 10 s, and it still ticks: " + idle);
        Thread.sleep(3 * ReadTicker.PERIOD_MILLIS);
        assertTrue(ReadTicker.now() == idle, "parked, it does not tick");

        int woken = ReadTicker.readStarts();
        assertTrue(woken >= 0, "the read that starts wakes it: " + woken);
        Thread.sleep(3 * ReadTicker.PERIOD_MILLIS);
        assertTrue(ReadTicker.now() > woken, "it ticks again: " + woken + " then " + ReadTicker.now());
    }

    @Test
    void aReadThatSamplesAtATickKeepsItTicking() throws Exception {
        int now = ReadTicker.readStarts();
        long end = System.nanoTime() + (ReadTicker.IDLE_AFTER + 20) * ReadTicker.PERIOD_MILLIS * 1_000_000L;
        while (System.nanoTime() < end) {
            Thread.sleep(ReadTicker.PERIOD_MILLIS);
            int tick = ReadTicker.now();
            assertTrue(tick >= 0, "it parked while a read sampled at every tick: " + tick);
            if (tick != now) {
                ReadTicker.used(tick);
                now = tick;
            }
        }
    }
}
