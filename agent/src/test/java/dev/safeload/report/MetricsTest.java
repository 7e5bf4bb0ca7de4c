package dev.safeload.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Model loads count as streams and documents do: listed under the same names, adding up. */
class MetricsTest {

    @Test
    void modelLoadsAreListedAsCheckedAndAddToTheSameNamesCount() {
        String entry = "test.MetricsTest.load";
        assertFalse(Metrics.snapshot().containsKey("checked " + entry));
        Metrics.modelChecked(entry);
        Metrics.modelChecked(entry);
        assertEquals(2L, Metrics.snapshot().get("checked " + entry));
        Metrics.checked(entry);
        Map<String, Long> counters = Metrics.snapshot();
        assertEquals(3L, counters.get("checked " + entry), counters::toString);
    }
}
