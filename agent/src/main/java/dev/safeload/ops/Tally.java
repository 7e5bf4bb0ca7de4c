package dev.safeload.ops;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Occurrences per value of one field, with when each value was first and last seen. */
public final class Tally {

    /** One value: how often, first and last seen. */
    public static final class Row {
        private final String name;
        private long count;
        private Instant first;
        private Instant last;

        private Row(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }

        public long count() {
            return count;
        }

        public Instant first() {
            return first;
        }

        public Instant last() {
            return last;
        }
    }

    private static final Comparator<Row> MOST_FIRST =
            Comparator.comparingLong(Row::count).reversed().thenComparing(Row::name);

    private final Map<String, Row> rows = new HashMap<>();

    /** Counts {@code occurrences} of {@code value} at {@code when}; a null value is not counted. */
    void add(String value, long occurrences, Instant when) {
        if (value == null) {
            return;
        }
        Row row = rows.computeIfAbsent(value, Row::new);
        row.count = saturatedSum(row.count, occurrences);
        if (row.first == null || when.isBefore(row.first)) {
            row.first = when;
        }
        if (row.last == null || when.isAfter(row.last)) {
            row.last = when;
        }
    }

    /** Every value, most frequent first, ties by name. */
    public List<Row> rows() {
        List<Row> sorted = new ArrayList<>(rows.values());
        sorted.sort(MOST_FIRST);
        return sorted;
    }

    /** The {@code limit} most frequent values. */
    public List<Row> top(int limit) {
        List<Row> sorted = rows();
        return sorted.subList(0, Math.min(limit, sorted.size()));
    }

    /** How often {@code value} occurred; 0 if never. */
    public long count(String value) {
        Row row = rows.get(value);
        return row == null ? 0 : row.count;
    }

    public int size() {
        return rows.size();
    }

    /** A sum that stops at Long.MAX_VALUE: held-back counts come from the log and may be absurd. */
    static long saturatedSum(long a, long b) {
        long sum = a + b;
        return sum < a ? Long.MAX_VALUE : sum;
    }
}
