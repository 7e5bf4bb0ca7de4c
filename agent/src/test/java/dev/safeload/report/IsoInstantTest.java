package dev.safeload.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IsoInstantTest {

    private static void same(Instant instant) {
        assertEquals(instant.toString(), IsoInstant.format(instant), () -> "seconds " + instant.getEpochSecond()
                + " nanos " + instant.getNano());
    }

    @Test
    void writesWhatInstantToStringWritesForEveryPrecisionAndTheYearsEdges() {
        same(Instant.now());
        same(Instant.EPOCH);
        same(Instant.ofEpochSecond(0, 1));
        same(Instant.ofEpochSecond(0, 1_000));
        same(Instant.ofEpochSecond(0, 1_000_000));
        same(Instant.ofEpochSecond(-1, 999_999_999));
        same(Instant.parse("2000-02-29T23:59:59.120Z"));
        same(Instant.parse("1900-03-01T00:00:00Z"));
        same(Instant.parse("0000-01-01T00:00:00Z"));
        same(Instant.parse("9999-12-31T23:59:59.999999999Z"));
        same(Instant.parse("+10000-01-01T00:00:00Z")); // handed to the JDK
        same(Instant.parse("-0001-12-31T23:59:59Z"));
        same(Instant.MAX);
        same(Instant.MIN);
    }

    @Test
    void writesWhatInstantToStringWritesForRandomInstantsOverTenThousandYears() {
        SplittableRandom random = new SplittableRandom(12);
        for (int i = 0; i < 200_000; i++) {
            long seconds = random.nextLong(-62_167_219_200L - 86_400, 253_402_300_799L + 86_400);
            int nano = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            same(Instant.ofEpochSecond(seconds, nano));
        }
    }
}
