package dev.safeload.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimelineTest {

    @Test
    void usesMinuteBucketsForAShortBurstAndCountsEachActionInItsColumn() {
        Timeline t = new Timeline();
        t.add("refuse", 3, Instant.parse("2026-11-26T10:00:10Z"));
        t.add("audit", 2, Instant.parse("2026-11-26T10:00:50Z"));
        t.add("refuse", 1, Instant.parse("2026-11-26T10:02:00Z"));

        assertEquals(60, t.bucketSeconds(60));
        assertEquals(List.of(
                new Timeline.Bucket(Instant.parse("2026-11-26T10:00:00Z"), 3, 2, 0),
                new Timeline.Bucket(Instant.parse("2026-11-26T10:01:00Z"), 0, 0, 0),
                new Timeline.Bucket(Instant.parse("2026-11-26T10:02:00Z"), 1, 0, 0)), t.buckets(60));
    }

    @Test
    void widensBucketsToFitAMonthIntoAtMostTheLimitAndLosesNoEvent() {
        Timeline t = new Timeline();
        Instant start = Instant.parse("2026-11-01T00:00:00Z");
        long total = 0;
        for (int hour = 0; hour < 30 * 24; hour += 7) {
            t.add(hour % 2 == 0 ? "refuse" : "suppressed", hour + 1, start.plusSeconds(hour * 3600L + 59));
            total += hour + 1;
        }

        List<Timeline.Bucket> buckets = t.buckets(60);
        assertEquals(43_200, t.bucketSeconds(60), "twelve hours: a day would be wider than needed");
        assertEquals(60, buckets.size());
        assertEquals(total, buckets.stream().mapToLong(Timeline.Bucket::total).sum());
        assertEquals(0, buckets.stream().mapToLong(Timeline.Bucket::audits).sum());
    }
}
