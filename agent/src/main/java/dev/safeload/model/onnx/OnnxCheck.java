package dev.safeload.model.onnx;

import dev.safeload.model.Finding;
import dev.safeload.model.FormatCheck;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ScanContext;
import dev.safeload.model.Severity;
import dev.safeload.model.read.WireFormatException;
import dev.safeload.model.read.WireReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks ONNX models: no tensor may pull its bytes from outside the model's folder (absolute
 * paths, {@code ..}, symbolic links), the protobuf must be well formed, and operators from
 * custom domains, which need native code registered with the runtime, are reported.
 */
public final class OnnxCheck implements FormatCheck {

    /**
     * Domains whose operators ship with ONNX and ONNX Runtime. Anything else needs a custom-op
     * library, i.e. native code the server was set up to load.
     */
    static final Set<String> BUILT_IN_DOMAINS = Set.of("", "ai.onnx", "ai.onnx.ml", "ai.onnx.training",
            "ai.onnx.preview.training", "com.microsoft", "com.microsoft.nchwc", "com.microsoft.experimental");

    private static final int READ_BUFFER = 64 * 1024;

    public OnnxCheck() {
    }

    @Override
    public String format() {
        return "onnx";
    }

    @Override
    public boolean sniff(byte[] head, long size) {
        return OnnxSniff.looksLikeModel(head, size);
    }

    @Override
    public List<Finding> check(ModelSource source, ScanContext context) throws IOException {
        List<Finding> findings = new ArrayList<>();
        String name = source.name();
        long size = source.size();
        if (size > Integer.MAX_VALUE) {
            findings.add(new Finding("onnx.too-large", Severity.HIGH, name, "a " + size + "-byte protobuf is"
                    + " past the 2 GiB limit every ONNX reader has; weights that large belong in external data"));
            return findings;
        }
        WireReader in = new WireReader(source, READ_BUFFER);
        OnnxModelWalker walker = new OnnxModelWalker(in);
        try {
            walker.walkModel();
        } catch (WireFormatException e) { // the walker's own OnnxFormatException among them
            findings.add(new Finding("onnx.malformed", Severity.HIGH, name + "@" + in.position(),
                    "not a well-formed ModelProto: " + e.getMessage()));
        }
        externalData(walker, source.directory(), name, findings, context);
        customDomains(walker, name, findings);
        return findings;
    }

    private static void externalData(OnnxModelWalker walker, Path directory, String name, List<Finding> findings,
                                     ScanContext context) {
        for (OnnxModelWalker.ExternalTensor tensor : walker.externalTensors) {
            String where = name + "!" + tensor.where();
            String location = tensor.location();
            String quoted = "\"" + (location.length() > 200 ? location.substring(0, 200) + "..." : location)
                    .replace("\0", "\\0") + "\"";
            switch (ExternalDataLocation.judge(location, directory)) {
                case ESCAPES -> findings.add(new Finding("onnx.external-data.escape", Severity.CRITICAL, where,
                        "external data location " + quoted + " is absolute or climbs out of the model folder;"
                                + " loading would read that file into a tensor"));
                case SYMLINK_ESCAPES -> findings.add(new Finding("onnx.external-data.symlink", Severity.CRITICAL,
                        where, "external data location " + quoted
                                + " resolves through a symbolic link to outside the model folder"));
                case DANGLING_SYMLINK -> findings.add(new Finding("onnx.external-data.symlink", Severity.HIGH,
                        where, "external data location " + quoted
                                + " is a symbolic link to a missing target, which cannot be shown to stay inside"));
                case MEMORY_ADDRESS -> findings.add(new Finding("onnx.external-data.memory-address",
                        Severity.CRITICAL, where, "external data location " + quoted + " is ONNX Runtime's"
                                + " in-memory marker: the runtime would read process memory at the address in"
                                + " offset"));
                case MALFORMED -> findings.add(new Finding("onnx.external-data.malformed", Severity.HIGH, where,
                        "external data location " + quoted + " is empty or not a usable path"));
                case MISSING -> findings.add(new Finding("onnx.external-data.missing", Severity.LOW, where,
                        "external data file " + quoted + " does not exist; the model will not load"));
                case INSIDE -> dataFile(directory, location, context);
            }
        }
        for (OnnxModelWalker.MissingLocation missing : walker.missingLocations) {
            findings.add(new Finding("onnx.external-data.malformed", Severity.HIGH, name + "!" + missing.where(),
                    "tensor stores its data externally but names no location"));
        }
    }

    /** Tells a folder scan which file of the folder holds this model's tensor bytes. */
    private static void dataFile(Path directory, String location, ScanContext context) {
        if (directory == null || context == null) {
            return;
        }
        try {
            context.readsDataFile(directory.resolve(location).toRealPath());
        } catch (IOException | RuntimeException e) {
            // Judged INSIDE, so it exists; a race with a deletion leaves nothing to attribute.
        }
    }

    private static void customDomains(OnnxModelWalker walker, String name, List<Finding> findings) {
        Set<String> domains = new LinkedHashSet<>(walker.importedDomains);
        domains.addAll(walker.usedOps.keySet());
        for (String domain : domains) {
            if (BUILT_IN_DOMAINS.contains(domain)) {
                continue;
            }
            Set<String> ops = walker.usedOps.getOrDefault(domain, Set.of());
            Set<String> functions = walker.localFunctions.getOrDefault(domain, Set.of());
            // Ops defined by functions inside the model expand to standard ops: no native code.
            List<String> needNative = ops.stream().filter(op -> !functions.contains(op)).toList();
            if (!functions.isEmpty() && needNative.isEmpty()) {
                continue;
            }
            String listed = needNative.isEmpty() ? "imported, no node uses it yet"
                    : "ops " + String.join(", ", needNative.subList(0, Math.min(5, needNative.size())))
                            + (needNative.size() > 5 ? ", ..." : "");
            findings.add(new Finding("onnx.custom-domain", Severity.MEDIUM, name + "!opset_import[" + domain + "]",
                    "operator domain \"" + domain + "\" (" + listed + ") is not built into ONNX or ONNX Runtime;"
                            + " it runs only if the server registers a custom-op library, which is native code"
                            + " outside this file"));
        }
    }
}
