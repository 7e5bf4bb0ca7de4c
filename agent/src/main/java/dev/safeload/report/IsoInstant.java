package dev.safeload.report;

import java.time.Instant;

/**
 * {@link Instant#toString()} written out for the log's {@code @timestamp}: the JDK's goes through
 * {@code DateTimeFormatter.ISO_INSTANT}, about 60 java.time classes on the host's start when the
 * first event (an ONNX model allowed at start) is logged. Same text, character for character
 * ({@code IsoInstantTest}); outside years 0 to 9999 it hands over to the JDK.
 */
final class IsoInstant {

    private static final long MIN_SECOND = -62_167_219_200L; // 0000-01-01T00:00:00Z
    private static final long MAX_SECOND = 253_402_300_799L; // 9999-12-31T23:59:59Z

    private IsoInstant() {
    }

    static String format(Instant instant) {
        long seconds = instant.getEpochSecond();
        int nano = instant.getNano();
        if (seconds < MIN_SECOND || seconds > MAX_SECOND) {
            return instant.toString();
        }
        long days = Math.floorDiv(seconds, 86_400L);
        int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
        // Civil date from days since the epoch (H. Hinnant's days_from_civil, inverted).
        long z = days + 719_468L;
        long era = Math.floorDiv(z, 146_097L);
        long doe = z - era * 146_097L;
        long yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        int day = (int) (doy - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        int year = (int) (yoe + era * 400 + (month <= 2 ? 1 : 0));
        StringBuilder b = new StringBuilder(30);
        pad(b, year, 4).append('-');
        pad(b, month, 2).append('-');
        pad(b, day, 2).append('T');
        pad(b, secondOfDay / 3600, 2).append(':');
        pad(b, secondOfDay / 60 % 60, 2).append(':');
        pad(b, secondOfDay % 60, 2);
        if (nano > 0) {
            b.append('.');
            if (nano % 1_000_000 == 0) {
                pad(b, nano / 1_000_000, 3);
            } else if (nano % 1_000 == 0) {
                pad(b, nano / 1_000, 6);
            } else {
                pad(b, nano, 9);
            }
        }
        return b.append('Z').toString();
    }

    private static StringBuilder pad(StringBuilder b, int value, int width) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) {
            b.append('0');
        }
        return b.append(digits);
    }
}
