package dev.safeload.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses a {@code --since} value: an ISO-8601 instant or date, or a duration back from now. */
public final class Since {

    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,9})\\s*([smhdw])");

    private Since() {
    }

    /**
     * The instant {@code value} names: {@code 2026-11-27T00:00:00Z} or with an offset,
     * {@code 2026-11-27} (midnight UTC), or a duration before {@code clock}'s now such as
     * {@code 90m}, {@code 24h}, {@code 7d}, {@code 2w} or {@code PT36H}.
     *
     * @throws IllegalArgumentException with a message that shows the accepted forms
     */
    public static Instant parse(String value, Clock clock) {
        String v = value.strip();
        Matcher m = SHORT_DURATION.matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            };
            return clock.instant().minus(d);
        }
        try {
            if (v.startsWith("P") || v.startsWith("p")) {
                return clock.instant().minus(Duration.parse(v));
            }
            if (v.length() == 10) {
                return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException("--since \"" + Printable.text(value) + "\": expected an instant such as"
                    + " 2026-11-27T00:00:00Z, a date such as 2026-11-27, or a duration such as 30m, 24h or 7d");
        }
    }
}
