package dev.safeload.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

    @Test
    void writesUpToTheLimitThenCountsAndReportsTheCountOnTheNextWindow() {
        AtomicLong now = new AtomicLong();
        RateLimiter limiter = new RateLimiter(2, now::get);
        assertTrue(limiter.admit("k").write());
        assertTrue(limiter.admit("k").write());
        assertFalse(limiter.admit("k").write());
        assertFalse(limiter.admit("k").write());
        assertTrue(limiter.admit("other").write(), "keys are limited separately");
        now.addAndGet(61_000_000_000L);
        RateLimiter.Admission next = limiter.admit("k");
        assertTrue(next.write());
        assertEquals(2, next.heldBefore());
        assertEquals(0, limiter.drain().size());
    }

    @Test
    void drainsCountsNoLaterEventReported() {
        RateLimiter limiter = new RateLimiter(1, () -> 0);
        limiter.admit("k");
        limiter.admit("k");
        limiter.admit("k");
        assertEquals(2, limiter.drain().get(0).held());
        assertEquals(0, limiter.drain().size());
    }
}
