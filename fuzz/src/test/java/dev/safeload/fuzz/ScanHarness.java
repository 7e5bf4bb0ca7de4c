package dev.safeload.fuzz;

import dev.safeload.model.ContentSniff;
import dev.safeload.model.Finding;
import dev.safeload.model.FormatCheck;
import dev.safeload.model.FormatChecks;
import dev.safeload.model.ModelPolicies;
import dev.safeload.model.ModelPolicy;
import dev.safeload.model.ModelScanner;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ScanContext;
import dev.safeload.model.ScanLimits;
import dev.safeload.model.ScanResult;
import dev.safeload.model.Verdict;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Feeds fuzzed bytes to {@link ModelScanner#scan(ModelSource)}, the entry point of
 * {@code safeload scan} and of the model-load hooks (which hand it a {@code byte[]} exactly
 * like this), and holds it to its contract: a verdict, never an exception. The scanner turns a
 * check's RuntimeException into a blocking {@code model.check.error} finding, which keeps the
 * host safe but hides the bug; so every check runs behind a wrapper that records what it threw
 * and the harness fails the input on it.
 */
public final class ScanHarness {

    /** The policy the hooks use when none is configured. */
    public static final ModelPolicy POLICY = ModelPolicies.defaults();

    private ScanHarness() {
    }

    /** Scans {@code data} with every registered check; fails on an exception any check threw. */
    public static ScanResult scan(String name, byte[] data) {
        List<Throwable> thrown = new ArrayList<>();
        List<FormatCheck> checks = new ArrayList<>();
        for (FormatCheck check : FormatChecks.all()) {
            checks.add(check instanceof ContentSniff ? new ObservedContentCheck(check, thrown) : new ObservedCheck(check, thrown));
        }
        ModelScanner scanner = new ModelScanner(POLICY, checks, ScanLimits.DEFAULTS);
        ScanResult result;
        try {
            result = scanner.scan(ModelSource.of(name, data, null));
        } catch (IOException e) {
            throw new AssertionError("scan of bytes in memory threw " + e, e);
        }
        if (!thrown.isEmpty()) {
            AssertionError error = new AssertionError("a check threw instead of reporting a finding: " + thrown.get(0), thrown.get(0));
            thrown.stream().skip(1).forEach(error::addSuppressed);
            throw error;
        }
        if (result.verdict() == null) {
            throw new AssertionError("no verdict");
        }
        boolean high = result.findings().stream().anyMatch(f -> f.severity().compareTo(dev.safeload.model.Severity.HIGH) >= 0);
        if (high != (result.verdict() == Verdict.BLOCK)) {
            throw new AssertionError("verdict " + result.verdict() + " disagrees with findings " + result.findings());
        }
        return result;
    }

    /** Checks throw IOException for malformed content (a declared, blocking finding); anything else is a bug. */
    static boolean undeclared(Throwable t) {
        return !(t instanceof IOException) && !(t instanceof StackOverflowError);
    }

    private static class ObservedCheck implements FormatCheck {
        final FormatCheck delegate;
        final List<Throwable> thrown;

        ObservedCheck(FormatCheck delegate, List<Throwable> thrown) {
            this.delegate = delegate;
            this.thrown = thrown;
        }

        @Override
        public String format() {
            return delegate.format();
        }

        @Override
        public boolean sniff(byte[] head, long size) {
            try {
                return delegate.sniff(head, size);
            } catch (RuntimeException e) {
                thrown.add(new AssertionError(delegate.format() + " sniff", e));
                throw e;
            }
        }

        @Override
        public List<Finding> check(ModelSource source, ScanContext context) throws IOException {
            try {
                return delegate.check(source, context);
            } catch (IOException | RuntimeException | StackOverflowError e) {
                if (undeclared(e)) {
                    thrown.add(new AssertionError(delegate.format() + " check of " + source.name(), e));
                }
                throw e;
            }
        }
    }

    private static final class ObservedContentCheck extends ObservedCheck implements ContentSniff {
        ObservedContentCheck(FormatCheck delegate, List<Throwable> thrown) {
            super(delegate, thrown);
        }

        @Override
        public boolean sniff(ModelSource source, byte[] head) throws IOException {
            try {
                return ((ContentSniff) delegate).sniff(source, head);
            } catch (RuntimeException e) {
                thrown.add(new AssertionError(delegate.format() + " sniff", e));
                throw e;
            }
        }
    }
}
