package dev.safeload.ops;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Refusals and audits per minute, summed into as few even buckets as a chart can show. Every
 * violation a report counts lands in exactly one bucket, so the buckets add up to its total.
 */
public final class Timeline {

    /** Bucket widths a chart may use, in seconds: a minute up to thirty days. */
    private static final long[] STEPS = {60, 300, 900, 3_600, 10_800, 21_600, 43_200, 86_400, 604_800, 2_592_000};

    /**
     * Violations counted in one bucket.
     *
     * @param other violations of a shutdown summary whose process never said its mode
     */
    public record Bucket(Instant start, long refusals, long audits, long other) {

        public long total() {
            return Tally.saturatedSum(Tally.saturatedSum(refusals, audits), other);
        }
    }

    /** Epoch minute to {refusals, audits, other}. */
    private final TreeMap<Long, long[]> minutes = new TreeMap<>();

    void add(String action, long occurrences, Instant when) {
        long[] counts = minutes.computeIfAbsent(Math.floorDiv(when.getEpochSecond(), 60), k -> new long[3]);
        int column = "refuse".equals(action) ? 0 : "audit".equals(action) ? 1 : 2;
        counts[column] = Tally.saturatedSum(counts[column], occurrences);
    }

    /** The narrowest bucket width, in seconds, that covers the whole span in at most {@code maxBuckets}. */
    public long bucketSeconds(int maxBuckets) {
        if (minutes.isEmpty()) {
            return STEPS[0];
        }
        long spanSeconds = (minutes.lastKey() - minutes.firstKey() + 1) * 60;
        for (long step : STEPS) {
            if (spanSeconds / step + 1 <= maxBuckets) {
                return step;
            }
        }
        return STEPS[STEPS.length - 1];
    }

    /** Consecutive buckets from the first violation to the last, empty ones included. */
    public List<Bucket> buckets(int maxBuckets) {
        List<Bucket> buckets = new ArrayList<>();
        if (minutes.isEmpty()) {
            return buckets;
        }
        long step = bucketSeconds(maxBuckets);
        long first = Math.floorDiv(minutes.firstKey() * 60, step) * step;
        long last = minutes.lastKey() * 60;
        Map.Entry<Long, long[]> next = minutes.firstEntry();
        for (long start = first; start <= last; start += step) {
            long[] sum = new long[3];
            while (next != null && next.getKey() * 60 < start + step) {
                for (int i = 0; i < 3; i++) {
                    sum[i] = Tally.saturatedSum(sum[i], next.getValue()[i]);
                }
                next = minutes.higherEntry(next.getKey());
            }
            buckets.add(new Bucket(Instant.ofEpochSecond(start), sum[0], sum[1], sum[2]));
        }
        return buckets;
    }
}
