package dev.safeload.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Scans model files and folders: each file is offered to every {@link FormatCheck} by content
 * (never by name), every check that claims it runs, and the findings decide the verdict. Files
 * inside archives and compressed streams come back through {@link #scanNested} under the same
 * rules, within the depth and size bounds of {@link ScanLimits}.
 *
 * <p>A scanner is not thread-safe: use one per thread.
 */
public final class ModelScanner implements ScanContext {

    public static final String RULE_UNKNOWN_FORMAT = "model.format.unknown";
    public static final String RULE_FORMAT_DENIED = "model.format.denied";
    public static final String RULE_NESTING = "model.nesting";
    public static final String RULE_EXPANSION = "model.expansion";
    public static final String RULE_CHECK_ERROR = "model.check.error";
    public static final String RULE_SYMLINK = "model.symlink.escape";
    public static final String RULE_IO = "model.io";
    public static final String RULE_TRUSTED = "model.trusted";
    public static final String RULE_PINNED = "model.pinned";
    public static final String RULE_SKIPPED = "model.skipped";
    public static final String RULE_EXTERNAL_DATA = "model.external-data";

    /** Bytes offered to {@link FormatCheck#sniff}. */
    public static final int HEAD = 64 * 1024;

    private final ModelPolicy policy;
    private final List<FormatCheck> checks;
    private final ScanLimits limits;

    private Budget budget;
    private int depth;
    /** During a folder scan: files of the folder that a model scanned so far reads as tensor data. */
    private Set<Path> dataFiles;

    /** Per top-level file: what nested scans and decompression have used so far. */
    public static final class Budget {
        private final ScanLimits limits;
        private long expanded;
        private long entries;

        Budget(ScanLimits limits) {
            this.limits = limits;
        }

        /** Bytes decompression may still produce in this file. */
        public long expandable() {
            return Math.max(0, limits.maxExpandedBytes() - expanded);
        }

        /** Records {@code n} bytes produced by decompression. */
        public void expanded(long n) {
            expanded += n;
        }

        /** Counts one archive entry; false once there are more than the limit. */
        public boolean entry() {
            return ++entries <= limits.maxEntries();
        }

        public ScanLimits limits() {
            return limits;
        }
    }

    /** A scanner with every registered check ({@link FormatChecks#all()}) and default limits. */
    public ModelScanner(ModelPolicy policy) {
        this(policy, FormatChecks.all(), ScanLimits.DEFAULTS);
    }

    public ModelScanner(ModelPolicy policy, List<FormatCheck> checks, ScanLimits limits) {
        this.policy = policy;
        this.checks = List.copyOf(checks);
        this.limits = limits;
    }

    /** The budget of the file being scanned, for checks that decompress; a fresh one outside a scan. */
    public static Budget budget(ScanContext context) {
        if (context instanceof ModelScanner s && s.budget != null) {
            return s.budget;
        }
        return new Budget(ScanLimits.DEFAULTS);
    }

    @Override
    public ModelPolicy policy() {
        return policy;
    }

    /** Scans a file, or every file below a folder; see {@link #scan(Path, Consumer)}. */
    public List<ScanResult> scan(Path path) throws IOException {
        List<ScanResult> results = new ArrayList<>();
        scan(path, results::add);
        return results;
    }

    /**
     * Scans {@code path}: a file, or a folder walked recursively in name order. Symbolic links
     * inside a folder are not followed out of it: one that leads outside is a blocked result,
     * one that stays inside is checked where it points.
     *
     * @throws IOException if {@code path} itself cannot be read; trouble with one file of a
     *     folder is that file's {@code model.io} finding instead
     */
    public void scan(Path path, Consumer<ScanResult> sink) throws IOException {
        scan(path, relative -> false, sink);
    }

    /**
     * As {@link #scan(Path, Consumer)}, leaving out the files of a folder whose path relative to
     * it {@code excluded} accepts. A file named directly is always scanned.
     */
    public void scan(Path path, Predicate<Path> excluded, Consumer<ScanResult> sink) throws IOException {
        scan(path, excluded, sink, file -> { });
    }

    /**
     * As {@link #scan(Path, Predicate, Consumer)}, telling {@code progress} of each file of a
     * folder as soon as it is scanned (its result comes later, once the whole folder is read).
     */
    public void scan(Path path, Predicate<Path> excluded, Consumer<ScanResult> sink, Consumer<Path> progress)
            throws IOException {
        if (!Files.isDirectory(path)) {
            if (!Files.exists(path)) {
                throw new java.nio.file.NoSuchFileException(path.toString());
            }
            if (!Files.isRegularFile(path)) {
                throw new IOException(path + ": not a regular file");
            }
            try {
                sink.accept(skipCompanion(path, scanFile(path)));
            } catch (IOException e) {
                throw new IOException(path + ": " + reason(e), e);
            }
            return;
        }
        Path root = path.toRealPath();
        List<Path> files = new ArrayList<>();
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                files.add(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                files.add(file);
                return FileVisitResult.CONTINUE;
            }
        });
        files.sort(Comparator.comparing(Path::toString));
        // Results wait for the whole folder: a model's data file may sort before the model.
        List<Path> kept = new ArrayList<>(files.size());
        List<ScanResult> results = new ArrayList<>(files.size());
        dataFiles = new HashSet<>();
        try {
            for (Path file : files) {
                if (!excluded.test(path.relativize(file))) {
                    kept.add(file);
                    results.add(scanInTree(root, file));
                    progress.accept(file);
                }
            }
            for (int i = 0; i < kept.size(); i++) {
                sink.accept(attributeDataFile(kept.get(i), results.get(i)));
            }
        } finally {
            dataFiles = null;
        }
    }

    @Override
    public void readsDataFile(Path file) {
        if (dataFiles != null && depth == 0) {
            dataFiles.add(file);
        }
    }

    /**
     * A file no check claims, which a model of the same folder reads as raw tensor bytes (ONNX
     * external data), is that model's data: its loader reads it as numbers, never as code. A file
     * some check does claim keeps that verdict, so a pickle posing as tensor data is still judged.
     */
    private ScanResult attributeDataFile(Path file, ScanResult result) {
        boolean unknownOnly = result.formats().isEmpty() && !result.findings().isEmpty()
                && result.findings().stream().allMatch(f -> f.rule().equals(RULE_UNKNOWN_FORMAT));
        if (!unknownOnly) {
            return result;
        }
        try {
            if (!Files.isRegularFile(file) || !dataFiles.contains(file.toRealPath())) {
                return result;
            }
        } catch (IOException e) {
            return result;
        }
        return new ScanResult(result.path(), List.of(), Verdict.ALLOW, result.sha256(), List.of(new Finding(
                RULE_EXTERNAL_DATA, Severity.INFO, file.toString(), "external tensor data of a model in this"
                        + " folder; its loader reads these bytes as numbers, not as a model of its own")));
    }

    /**
     * {@code scanned} as a skipped result when no check claimed the file and it is a companion
     * file of a model folder ({@link CompanionFiles}); otherwise {@code scanned} unchanged.
     * Folder-level decisions about one file go here, after its own checks have run.
     */
    private static ScanResult skipCompanion(Path file, ScanResult scanned) {
        if (!scanned.formats().isEmpty() || scanned.findings().size() != 1
                || !scanned.findings().get(0).rule().equals(RULE_UNKNOWN_FORMAT)) {
            return scanned;
        }
        String why = CompanionFiles.skipReason(file);
        return why == null ? scanned : new ScanResult(scanned.path(), List.of(), Verdict.SKIPPED, scanned.sha256(),
                List.of(new Finding(RULE_SKIPPED, Severity.INFO, file.toString(), why)));
    }

    /** Why reading failed, in words: the JDK's file exceptions carry only the path as their message. */
    public static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private ScanResult scanInTree(Path root, Path file) {
        try {
            if (Files.isSymbolicLink(file)) {
                Path target;
                try {
                    target = file.toRealPath();
                } catch (IOException e) {
                    return problem(file, RULE_SYMLINK, Severity.HIGH, "symbolic link that leads nowhere");
                }
                if (!target.startsWith(root)) {
                    return problem(file, RULE_SYMLINK, Severity.HIGH, "symbolic link to " + target
                            + ", outside the scanned folder; a loader would read it, the scan does not");
                }
                if (Files.isDirectory(target)) {
                    return problem(file, "model.symlink.folder", Severity.INFO,
                            "symbolic link to a folder inside the scanned tree; its files are scanned there");
                }
            }
            if (!Files.isRegularFile(file)) {
                return problem(file, RULE_IO, Severity.HIGH, "not a regular file (a pipe or device); a loader"
                        + " would read whatever it yields, so it cannot be verified");
            }
            return skipCompanion(file, scanFile(file));
        } catch (IOException e) {
            return problem(file, RULE_IO, Severity.HIGH, "cannot read: " + reason(e));
        } catch (UncheckedIOException e) {
            return problem(file, RULE_IO, Severity.HIGH, "cannot read: " + reason(e.getCause()));
        }
    }

    private static ScanResult problem(Path file, String rule, Severity severity, String message) {
        Verdict v = severity.compareTo(Severity.HIGH) >= 0 ? Verdict.BLOCK : Verdict.ALLOW;
        return new ScanResult(file.toString(), List.of(), v, null,
                List.of(new Finding(rule, severity, file.toString(), message)));
    }

    /** Scans one file. */
    public ScanResult scanFile(Path file) throws IOException {
        Path absolute = file.toAbsolutePath().normalize();
        for (Path dir : policy.trustedDirs()) {
            if (absolute.startsWith(dir)) {
                return new ScanResult(file.toString(), List.of(), Verdict.ALLOW, null, List.of(
                        new Finding(RULE_TRUSTED, Severity.INFO, file.toString(), "in trusted folder " + dir + "; not checked")));
            }
        }
        try (ModelSource source = ModelSource.of(file)) {
            return scan(source);
        }
    }

    /**
     * Files up to this size are always digested, for reports and {@code learn}'s pins. Larger
     * ones only when {@code model.sha256} pins something: a digest reads the whole file, and a
     * verdict needs only the headers, so a 2 GiB model costs what a small one does.
     */
    public static final long ALWAYS_DIGEST_BELOW = 64L << 20;

    /** Scans one artifact, e.g. bytes a loader was handed. */
    public ScanResult scan(ModelSource source) throws IOException {
        String sha256 = policy.sha256Pins().isEmpty() && source.size() > ALWAYS_DIGEST_BELOW ? null : sha256(source);
        if (sha256 != null && policy.sha256Pins().contains(sha256)) {
            return new ScanResult(source.name(), List.of(), Verdict.ALLOW, sha256, List.of(
                    new Finding(RULE_PINNED, Severity.INFO, source.name(), "SHA-256 is pinned in model.sha256; not checked")));
        }
        budget = new Budget(limits);
        depth = 0;
        try {
            List<Finding> findings = new ArrayList<>();
            List<String> formats = check(source, findings);
            // Both zip views, or a pickle seen twice, may report the same thing once each.
            findings = new ArrayList<>(new LinkedHashSet<>(findings));
            findings = mostSevereFirst(findings);
            boolean block = false;
            for (Finding f : findings) { // a loop, not a stream: the first model load pays for every class it touches
                block |= f.severity().compareTo(Severity.HIGH) >= 0;
            }
            return new ScanResult(source.name(), formats, block ? Verdict.BLOCK : Verdict.ALLOW, sha256, findings);
        } finally {
            budget = null;
        }
    }

    /**
     * Most severe first, in the order found within one severity: what a stable sort by severity
     * gives, without the comparator's lambda classes on a server's first model load.
     */
    private static List<Finding> mostSevereFirst(List<Finding> findings) {
        List<Finding> sorted = new ArrayList<>(findings.size());
        Severity[] severities = Severity.values();
        for (int s = severities.length - 1; s >= 0; s--) {
            for (Finding f : findings) {
                if (f.severity() == severities[s]) {
                    sorted.add(f);
                }
            }
        }
        if (sorted.size() != findings.size()) {
            throw new NullPointerException("a finding without a severity"); // as the comparator threw: never dropped
        }
        return sorted;
    }

    @Override
    public List<Finding> scanNested(ModelSource inner) throws IOException {
        List<Finding> findings = new ArrayList<>();
        if (depth >= limits.maxDepth()) {
            findings.add(new Finding(RULE_NESTING, Severity.HIGH, inner.name(),
                    "nested more than " + limits.maxDepth() + " levels deep; not checked further"));
            return findings;
        }
        Budget saved = budget;
        if (budget == null) {
            budget = new Budget(limits);
        }
        depth++;
        try {
            check(inner, findings);
        } finally {
            depth--;
            budget = saved;
        }
        return findings;
    }

    /** Which registered checks claim {@code source}. */
    public List<FormatCheck> sniff(ModelSource source) throws IOException {
        return sniffAll(source).claimed();
    }

    /**
     * True when a registered check claims {@code source}, or when one could not tell because its
     * sniff failed on the content: a container then scans the member, and the failure is a finding.
     */
    public boolean recognizes(ModelSource source) throws IOException {
        Sniffed sniffed = sniffAll(source);
        return !sniffed.claimed().isEmpty() || !sniffed.failures().isEmpty();
    }

    /**
     * @param claimed the checks whose sniff said yes
     * @param failures one line per check whose sniff threw: the format and the error
     */
    private record Sniffed(List<FormatCheck> claimed, List<String> failures) {
    }

    private Sniffed sniffAll(ModelSource source) throws IOException {
        long size = source.size();
        byte[] head = ModelSources.readAt(source, 0, (int) Math.min(HEAD, size));
        List<FormatCheck> claimed = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (FormatCheck check : checks) {
            try {
                boolean yes = check instanceof ContentSniff cs ? cs.sniff(source, head) : check.sniff(head, size);
                if (yes) {
                    claimed.add(check);
                }
            } catch (IOException | RuntimeException e) {
                // A sniff that gives up cannot say the file is not of its format, and its loader
                // may well read it as one: the file is unverified, never silently another format.
                failures.add(check.format() + ": " + e);
            }
        }
        return new Sniffed(claimed, failures);
    }

    private List<String> check(ModelSource source, List<Finding> findings) throws IOException {
        long size = source.size();
        Sniffed sniffed = sniffAll(source);
        List<FormatCheck> claimed = sniffed.claimed();
        for (String failure : sniffed.failures()) {
            findings.add(new Finding(RULE_CHECK_ERROR, Severity.HIGH, source.name(),
                    "could not tell whether the file is " + failure + ", so the file is unverified"));
        }
        Set<String> formats = new LinkedHashSet<>();
        for (FormatCheck check : claimed) {
            formats.add(check.format());
            try {
                findings.addAll(check.check(source, this));
            } catch (IOException | RuntimeException e) {
                findings.add(new Finding(RULE_CHECK_ERROR, Severity.HIGH, source.name(),
                        check.format() + " check failed, so the file is unverified: " + e));
            } catch (StackOverflowError e) {
                findings.add(new Finding(RULE_CHECK_ERROR, Severity.HIGH, source.name(),
                        check.format() + " check ran out of stack: nesting too deep to verify"));
            } catch (LinkageError e) {
                // A library reached lazily for this content that the agent does not bundle (FUZZING.md finding 7):
                // the file is unverified, and the host's load call must get a refusal, not this error.
                findings.add(new Finding(RULE_CHECK_ERROR, Severity.HIGH, source.name(),
                        check.format() + " check failed, so the file is unverified: " + e));
            }
        }
        if (claimed.isEmpty() && sniffed.failures().isEmpty()) {
            byte[] head = ModelSources.readAt(source, 0, (int) Math.min(16, size));
            findings.add(new Finding(RULE_UNKNOWN_FORMAT, Severity.HIGH, source.name(), UnknownContent.describe(head, size)));
        }
        for (String format : formats) {
            if (!policy.allowFormats().contains(format)) {
                findings.add(new Finding(RULE_FORMAT_DENIED, Severity.HIGH, source.name(),
                        "format " + format + " is not in model.allowFormats"));
            }
        }
        return new ArrayList<>(formats);
    }

    private static String sha256(ModelSource source) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        byte[] buf = new byte[256 * 1024];
        long pos = 0;
        for (int n; (n = source.read(pos, buf, 0, buf.length)) > 0; ) {
            md.update(buf, 0, n);
            pos += n;
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
