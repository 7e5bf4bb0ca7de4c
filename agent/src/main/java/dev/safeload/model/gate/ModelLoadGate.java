package dev.safeload.model.gate;

import dev.safeload.model.Finding;
import dev.safeload.model.ModelScanner;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ScanResult;
import dev.safeload.model.Severity;
import dev.safeload.model.h2o.H2oMojoCheck;
import dev.safeload.policy.Mode;
import dev.safeload.policy.Policy;
import dev.safeload.report.CallSite;
import dev.safeload.report.Event;
import dev.safeload.report.Metrics;
import dev.safeload.report.Reporter;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.net.URI;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What model-loading hooks call before a library touches an artifact: it scans the file,
 * folder or bytes by content, logs the decision, and in enforce mode hands back the exception
 * the hook throws, of the library's own declared type, with a message starting
 * {@code safeload:}.
 */
public final class ModelLoadGate {

    private static volatile ModelLoadGate installed;

    private static final int CACHE_LIMIT = 1024;

    private final Reporter reporter;
    private volatile Policy policy;
    private final Map<FileKey, List<ScanResult>> cache = new ConcurrentHashMap<>();

    /** A file as it was when scanned: a changed file is a different key. */
    private record FileKey(Path path, long size, long modified) {

        // Written out: a record's generated equals/hashCode bootstrap java.lang.runtime.ObjectMethods,
        // about 90 method-handle classes on the first model load, which is usually the host's start.
        @Override
        public boolean equals(Object o) {
            return o instanceof FileKey k && path.equals(k.path) && size == k.size && modified == k.modified;
        }

        @Override
        public int hashCode() {
            return (path.hashCode() * 31 + Long.hashCode(size)) * 31 + Long.hashCode(modified);
        }
    }

    public ModelLoadGate(Policy policy, Reporter reporter) {
        this.reporter = reporter;
        policy(policy);
    }

    /** Makes {@code gate} the one the hooks call. */
    public static void install(ModelLoadGate gate) {
        installed = gate;
    }

    /** Replaces the policy; scans of changed policy start from an empty cache. */
    public void policy(Policy next) {
        this.policy = next;
        cache.clear();
    }

    /** A scanner for one load: it keeps per-scan state (budget, depth, data files) and loads run on many threads. */
    private ModelScanner scanner() {
        return new ModelScanner(policy.model());
    }

    /**
     * Checks an artifact a library is about to load.
     *
     * @param library the library, e.g. {@code onnxruntime}
     * @param entryPoint the hooked method, e.g. {@code ai.onnxruntime.OrtEnvironment.createSession}
     * @param artifact a path ({@code String}, {@code Path}, {@code File}, {@code file:} URL or URI),
     *     {@code byte[]} or {@code ByteBuffer}; other types are refused as unverifiable
     * @param hooked the hooked class, whose loader finds {@code exceptionType}
     * @param exceptionType the exception the hooked method declares, taking one String
     * @return the exception to throw, or null to let the load go on
     */
    public static Throwable check(String library, String entryPoint, Object artifact, Class<?> hooked,
                                  String exceptionType) {
        ModelLoadGate gate = installed;
        if (gate == null || gate.policy.mode() == Mode.OFF) {
            return null;
        }
        return gate.decide(library, entryPoint, artifact, hooked, exceptionType);
    }

    /**
     * A library is about to load native code (an ONNX Runtime custom-op library, a TensorFlow
     * op library): refused unless {@code model.allowNativeLibraries} is true.
     */
    public static Throwable checkNativeLibrary(String library, String entryPoint, Object path, Class<?> hooked,
                                               String exceptionType) {
        ModelLoadGate gate = installed;
        if (gate == null || gate.policy.mode() == Mode.OFF || gate.policy.allowNativeLibraries()) {
            return null;
        }
        Finding finding = new Finding("model.native-library", Severity.CRITICAL, String.valueOf(path),
                "loading native code into the process is refused (model.allowNativeLibraries=false)");
        return gate.refuseOrAudit(library, entryPoint, String.valueOf(path), null, "native-library",
                List.of(finding), hooked, exceptionType);
    }

    /**
     * A library is about to load Java classes from an archive it was handed (JPMML's
     * {@code PMMLUtil.load(URL)} puts the URL on a new class loader and instantiates whatever
     * PMML class its service file names): that runs the archive's code, so it is refused unless
     * the archive is a local file inside a {@code model.trustedDirs} folder.
     */
    public static Throwable checkCodeArchive(String library, String entryPoint, Object archive, Class<?> hooked,
                                             String exceptionType) {
        ModelLoadGate gate = installed;
        if (gate == null || gate.policy.mode() == Mode.OFF) {
            return null;
        }
        Metrics.modelChecked(entryPoint);
        try {
            Path path = toPath(archive);
            if (path != null && Files.exists(path)) {
                Path real = path.toRealPath();
                for (Path dir : gate.policy.model().trustedDirs()) {
                    if (real.startsWith(Files.exists(dir) ? dir.toRealPath() : dir)) {
                        return null;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not a local file: refused below
        }
        Finding finding = new Finding("model.code-archive", Severity.CRITICAL, String.valueOf(archive),
                "loading Java classes from the archive runs its code in the process; refused unless it is in"
                        + " model.trustedDirs");
        return gate.refuseOrAudit(library, entryPoint, String.valueOf(archive), null, "code-archive", List.of(finding),
                hooked, exceptionType);
    }

    /**
     * DJL's {@code Criteria.loadModel}: checks every local model location the criteria name,
     * before DJL looks up an engine. Remote locations are checked when DJL loads their local copy.
     */
    public static Throwable checkDjlCriteria(Object criteria, Class<?> hooked) {
        ModelLoadGate gate = installed;
        if (gate == null || gate.policy.mode() == Mode.OFF) {
            return null;
        }
        String entry = "ai.djl.repository.zoo.Criteria.loadModel";
        List<URI> locations;
        try {
            locations = DjlCriteria.modelLocations(criteria);
        } catch (ReflectiveOperationException | RuntimeException e) {
            Finding finding = new Finding("model.unverifiable", Severity.HIGH, String.valueOf(criteria),
                    "cannot read the model location from the DJL criteria: " + e);
            return gate.refuseOrAudit("djl", entry, String.valueOf(criteria), null, "unknown", List.of(finding), hooked,
                    "ai.djl.MalformedModelException");
        }
        for (URI location : locations) {
            Throwable refusal = gate.decide("djl", entry, location, hooked, "ai.djl.MalformedModelException");
            if (refusal != null) {
                return refusal;
            }
        }
        return null;
    }

    /** Largest stream a user hook may hand over; a stream has to be read whole to be checked. */
    static final int MAX_STREAM_BYTES = Integer.MAX_VALUE - 8;

    /**
     * A user-declared hook ({@code model.hooks}): returns the refusal to throw, or the argument
     * the method should get, which for an {@code InputStream} is a fresh stream over the bytes
     * read for the check.
     */
    public static Object checkUserArgument(String hook, Object argument, Class<?> hooked) {
        return checkArgument("custom", hook, argument, hooked, null);
    }

    /**
     * A hooked method whose model may arrive as an {@code InputStream} as well as a path or bytes:
     * returns the refusal to throw, or the argument the method should get. A stream is read
     * whole for the check, and the method gets a fresh stream over those bytes followed by
     * whatever the original still holds.
     */
    public static Object checkArgument(String library, String entryPoint, Object argument, Class<?> hooked,
                                       String exceptionType) {
        ModelLoadGate gate = installed;
        if (gate == null || gate.policy.mode() == Mode.OFF) {
            return argument;
        }
        Object artifact = argument;
        Object forwarded = argument;
        if (argument instanceof java.io.InputStream in) {
            try {
                byte[] bytes = in.readNBytes(MAX_STREAM_BYTES);
                artifact = bytes;
                forwarded = new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(bytes), in);
            } catch (IOException e) {
                return exception(hooked, exceptionType, "safeload: cannot read the model stream passed to " + entryPoint
                        + ": " + e);
            }
        }
        Throwable refusal = gate.decide(library, entryPoint, artifact, hooked, exceptionType);
        return refusal != null ? refusal : forwarded;
    }

    /**
     * H2O: a MOJO zip, or an unpacked MOJO folder, which {@code FolderMojoReaderBackend} reads by
     * the names in its {@code model.ini}: that folder is judged as one model, not file by file.
     */
    public static Throwable checkH2oMojo(String entryPoint, Object artifact, Class<?> hooked) {
        ModelLoadGate gate = installed;
        if (gate == null || gate.policy.mode() == Mode.OFF) {
            return null;
        }
        Path folder;
        try {
            folder = artifact instanceof java.io.InputStream ? null : toPath(artifact);
        } catch (IOException | RuntimeException e) {
            folder = null; // decide() names the problem
        }
        if (folder == null || !H2oMojoCheck.isMojoFolder(folder)) {
            return gate.decide("h2o", entryPoint, artifact, hooked, "java.io.IOException");
        }
        Metrics.modelChecked(entryPoint);
        List<Finding> findings;
        try {
            findings = new ArrayList<>(H2oMojoCheck.checkFolder(folder));
        } catch (IOException | RuntimeException e) {
            findings = new ArrayList<>(List.of(new Finding("model.unverifiable", Severity.HIGH, folder.toString(),
                    "cannot verify the MOJO folder: " + e)));
        }
        if (!gate.policy.model().allowFormats().contains("h2o-mojo")) {
            findings.add(new Finding(ModelScanner.RULE_FORMAT_DENIED, Severity.HIGH, folder.toString(),
                    "format h2o-mojo is not in model.allowFormats"));
        }
        List<Finding> blocking = findings.stream().filter(f -> f.severity().compareTo(Severity.HIGH) >= 0).toList();
        if (!blocking.isEmpty()) {
            return gate.refuseOrAudit("h2o", entryPoint, folder.toString(), null, "h2o-mojo", blocking, hooked,
                    "java.io.IOException");
        }
        gate.allowed("h2o", entryPoint, List.of(new ScanResult(folder.toString(), List.of("h2o-mojo"),
                dev.safeload.model.Verdict.ALLOW, null, findings)));
        return null;
    }

    private Throwable decide(String library, String entryPoint, Object artifact, Class<?> hooked, String exceptionType) {
        Metrics.modelChecked(entryPoint);
        String name = describe(artifact);
        List<ScanResult> results;
        try {
            results = scan(artifact, library + " " + entryPoint);
        } catch (IOException | RuntimeException e) {
            // The JDK's file exceptions carry only the path, which the finding names already.
            String why = e instanceof IOException io ? ModelScanner.reason(io) : e.getMessage();
            Finding finding = new Finding("model.unverifiable", Severity.HIGH, name, "cannot verify the artifact: " + why);
            return refuseOrAudit(library, entryPoint, name, null, "unknown", List.of(finding), hooked, exceptionType);
        }
        if (results == null) {
            return null; // not local: the loader's own later load of the local copy is checked
        }
        List<Finding> blocking = new ArrayList<>();
        String digest = null;
        String format = "unknown";
        for (ScanResult r : results) {
            if (r.blocked()) {
                blocking.addAll(r.findings().stream().filter(f -> f.severity().compareTo(Severity.HIGH) >= 0).toList());
                if (blocking.isEmpty()) {
                    blocking.addAll(r.findings());
                }
                digest = r.sha256();
                format = r.format();
                name = r.path();
                break;
            }
        }
        if (!blocking.isEmpty()) {
            return refuseOrAudit(library, entryPoint, name, digest, format, blocking, hooked, exceptionType);
        }
        allowed(library, entryPoint, results);
        return null;
    }

    private void allowed(String library, String entryPoint, List<ScanResult> results) {
        for (ScanResult r : results) {
            if (r.verdict() == dev.safeload.model.Verdict.SKIPPED) {
                continue; // a read-me or JSON config beside the model: nothing was loaded from it
            }
            reporter.report(Event.of("event", "model-allow")
                    .put("message", "allowed model " + r.path() + " (" + r.format() + ") for " + library)
                    .put("event.outcome", "success")
                    .put("event.module", "safeload")
                    .put("event.dataset", "safeload.violations")
                    .put("file.path", r.path())
                    .put("file.hash.sha256", r.sha256())
                    .put("safeload.format", r.format())
                    .put("safeload.verdict", "allow")
                    .put("safeload.library", library)
                    .put("safeload.entry_point", entryPoint)
                    .put("safeload.mode", policy.mode().label()), "model-allow\u0000" + r.path() + r.sha256(), null);
        }
    }

    private Throwable refuseOrAudit(String library, String entryPoint, String name, String digest, String format,
                                    List<Finding> findings, Class<?> hooked, String exceptionType) {
        Policy p = policy;
        boolean enforce = p.mode() == Mode.ENFORCE;
        Finding first = findings.get(0);
        CallSite site = CallSite.capture("", entryPoint);
        Metrics.failed(enforce ? "refuse" : "audit", entryPoint, first.rule());
        List<Map<String, Object>> encoded = new ArrayList<>();
        for (Finding f : findings) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rule", f.rule());
            m.put("severity", f.severity().name().toLowerCase(java.util.Locale.ROOT));
            m.put("location", f.location());
            m.put("message", f.message());
            encoded.add(m);
        }
        String message = "safeload: " + (enforce ? "refused" : "would refuse") + " model " + name + " (" + format
                + ") by rule " + first.rule() + ": " + first.message();
        reporter.report(Event.of("alert", enforce ? "refuse" : "audit")
                .put("message", message)
                .put("event.category", List.of("intrusion_detection"))
                .put("event.type", List.of(enforce ? "denied" : "allowed"))
                .put("event.outcome", enforce ? "failure" : "success")
                .put("event.module", "safeload")
                .put("event.dataset", "safeload.violations")
                .put("rule.name", first.rule())
                .put("rule.ruleset", p.source())
                .put("file.path", name)
                .put("file.hash.sha256", digest)
                .put("safeload.format", format)
                .put("safeload.verdict", "block")
                .put("safeload.findings", encoded)
                .put("safeload.library", library)
                .put("safeload.mode", p.mode().label())
                .put("safeload.entry_point", entryPoint)
                .put("safeload.call_site", site.frame())
                .put("safeload.policy_digest", p.digest())
                .put("error.stack_trace", String.join("\n\tat ", site.stack())),
                "model\u0000" + name + '\u0000' + first.rule() + '\u0000' + entryPoint, enforce ? message : null);
        return enforce ? exception(hooked, exceptionType, message) : null;
    }

    /** Scan results, or null when the artifact is not local and is checked when it becomes local. */
    private List<ScanResult> scan(Object artifact, String origin) throws IOException {
        if (artifact instanceof byte[] bytes) {
            return List.of(scanner().scan(ModelSource.of("byte[" + bytes.length + "] passed to " + origin, bytes, null)));
        }
        if (artifact instanceof ByteBuffer buffer) {
            ByteBuffer view = buffer.duplicate(); // never move the caller's position
            byte[] bytes = new byte[view.remaining()];
            view.get(bytes);
            return List.of(scanner().scan(ModelSource.of("ByteBuffer[" + bytes.length + "] passed to " + origin, bytes, null)));
        }
        Path path = toPath(artifact);
        if (path == null) {
            return null;
        }
        BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
        FileKey key = new FileKey(path.toAbsolutePath().normalize(), attrs.size(), attrs.lastModifiedTime().toMillis());
        List<ScanResult> cached = attrs.isDirectory() ? null : cache.get(key);
        if (cached != null) {
            return cached;
        }
        List<ScanResult> results = attrs.isDirectory() ? scanner().scan(path) : List.of(scanner().scanFile(path));
        if (!attrs.isDirectory() && cache.size() < CACHE_LIMIT) {
            cache.put(key, results);
        }
        return results;
    }

    /** A local path for {@code artifact}, null for a remote URL or URI, or an exception if unknown. */
    static Path toPath(Object artifact) throws IOException {
        if (artifact instanceof Path p) {
            return p;
        }
        if (artifact instanceof File f) {
            return f.toPath();
        }
        if (artifact instanceof String s) {
            return s.startsWith("file:") ? Path.of(URI.create(s)) : Path.of(s);
        }
        try {
            URI uri = artifact instanceof URL url ? url.toURI() : artifact instanceof URI u ? u : null;
            if (uri != null) {
                return "file".equalsIgnoreCase(uri.getScheme()) ? Path.of(uri) : null;
            }
        } catch (java.net.URISyntaxException e) {
            throw new IOException("not a valid URL: " + artifact, e);
        }
        throw new IOException("cannot read a model from a " + (artifact == null ? "null" : artifact.getClass().getName()));
    }

    private static String describe(Object artifact) {
        if (artifact instanceof byte[] b) {
            return "byte[" + b.length + "]";
        }
        if (artifact instanceof ByteBuffer b) {
            return "ByteBuffer[" + b.remaining() + "]";
        }
        return String.valueOf(artifact);
    }

    /** The library's own exception with {@code message}, or a SecurityException if it has none. */
    static Throwable exception(Class<?> hooked, String exceptionType, String message) {
        if (exceptionType != null) {
            try {
                Class<?> type = Class.forName(exceptionType, false, hooked == null ? null : hooked.getClassLoader());
                Constructor<?> constructor = type.getConstructor(String.class);
                return (Throwable) constructor.newInstance(message);
            } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
                // fall through to the unchecked exception every caller can take
            }
        }
        return new SecurityException(message);
    }
}
