package dev.safeload.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Scanning fixtures in memory, and asserting on the outcome. */
public final class Scans {

    private Scans() {
    }

    public static ScanResult scan(String name, byte[] bytes) {
        return scan(ModelPolicies.defaults(), name, bytes);
    }

    public static ScanResult scan(ModelPolicy policy, String name, byte[] bytes) {
        try {
            return new ModelScanner(policy).scan(ModelSource.of(name, bytes, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void assertAllowed(ScanResult r) {
        assertEquals(Verdict.ALLOW, r.verdict(), () -> "expected allow: " + r);
    }

    /** Blocked, with a finding of {@code rule} at {@code severity} or worse. */
    public static void assertBlocked(ScanResult r, String rule, Severity atLeast) {
        assertEquals(Verdict.BLOCK, r.verdict(), () -> "expected block: " + r);
        assertTrue(r.findings().stream().anyMatch(f -> f.rule().equals(rule) && f.severity().compareTo(atLeast) >= 0),
                () -> "expected a " + atLeast + "+ finding " + rule + " in " + r.findings());
    }
}
