package dev.safeload.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SinceTest {

    private final Clock now = Clock.fixed(Instant.parse("2026-11-27T03:00:00Z"), ZoneOffset.UTC);

    @Test
    void readsDurationsBackFromNow() {
        assertEquals(Instant.parse("2026-11-26T03:00:00Z"), Since.parse("24h", now));
        assertEquals(Instant.parse("2026-11-20T03:00:00Z"), Since.parse("7d", now));
        assertEquals(Instant.parse("2026-11-27T02:30:00Z"), Since.parse("30m", now));
        assertEquals(Instant.parse("2026-11-13T03:00:00Z"), Since.parse("2w", now));
        assertEquals(Instant.parse("2026-11-25T15:00:00Z"), Since.parse("PT36H", now));
    }

    @Test
    void readsInstantsDatesAndOffsets() {
        assertEquals(Instant.parse("2026-11-26T12:00:00Z"), Since.parse("2026-11-26T12:00:00Z", now));
        assertEquals(Instant.parse("2026-11-26T10:00:00Z"), Since.parse("2026-11-26T12:00:00+02:00", now));
        assertEquals(Instant.parse("2026-11-26T00:00:00Z"), Since.parse("2026-11-26", now));
    }

    @Test
    void namesTheAcceptedFormsWhenItCannotRead() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Since.parse("yesterday", now));
        assertEquals("--since \"yesterday\": expected an instant such as 2026-11-27T00:00:00Z, a date such as"
                + " 2026-11-27, or a duration such as 30m, 24h or 7d", e.getMessage());
    }
}
