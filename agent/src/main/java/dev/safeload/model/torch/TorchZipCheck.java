package dev.safeload.model.torch;

import dev.safeload.model.ContentSniff;
import dev.safeload.model.Finding;
import dev.safeload.model.FormatCheck;
import dev.safeload.model.ModelScanner;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ModelSources;
import dev.safeload.model.ScanContext;
import dev.safeload.model.Severity;
import dev.safeload.model.compress.ZipIndex;
import dev.safeload.model.numpy.NpyCheck;
import dev.safeload.model.pickle.PickleImports;
import dev.safeload.model.pickle.PickleInput;
import dev.safeload.model.pickle.PickleMachine;
import dev.safeload.model.pickle.PickleRun;
import dev.safeload.model.pickle.PickleSniffer;
import dev.safeload.policy.ClassPatterns;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A {@code torch.save} zip archive, or a {@code torch.jit.save} TorchScript archive (one with
 * {@code constants.pkl}, which {@code torch.load} hands to the TorchScript loader). Every entry
 * whose content is a pickle is checked, whatever its name, in both the central directory's and
 * the local headers' view of the zip; tensor storages are only probed for a hidden pickle.
 */
public final class TorchZipCheck implements FormatCheck, ContentSniff {

    public static final String RULE_ENTRY = "torch.zip.entry";

    private static final Pattern DATA_PKL = Pattern.compile("(^|.*/)data\\.pkl");
    private static final Pattern STORAGE = Pattern.compile("(^|.*/)(data|\\.data)/[^/]+");
    private static final Pattern PICKLE_NAME = Pattern.compile(".*(\\.pkl|\\.debug_pkl)");

    /**
     * Classes a TorchScript archive's pickles name: its own compiled classes, resolved from its
     * {@code code/} folder by the TorchScript loader rather than imported from Python, and the
     * list builders of {@code torch.jit._pickle}.
     */
    private static final ClassPatterns TORCHSCRIPT_GLOBALS = ClassPatterns.of(List.of("__torch__.**", "torch.jit._pickle.*"));

    /** Custom C++ classes: their __setstate__ runs a native library's code, which no check can see. */
    private static final ClassPatterns TORCHSCRIPT_NATIVE = ClassPatterns.of(List.of("__torch__.torch.classes.**"));

    /** Longest TorchScript source read whole; a longer one is a finding, never skipped. */
    private static final int MAX_CODE = 16 << 20;

    private final boolean torchScript;

    private TorchZipCheck(boolean torchScript) {
        this.torchScript = torchScript;
    }

    /** {@code torch.save} archives: a {@code data.pkl} and no {@code constants.pkl}. */
    public static TorchZipCheck pytorchZip() {
        return new TorchZipCheck(false);
    }

    /** {@code torch.jit.save} archives: with {@code constants.pkl}. */
    public static TorchZipCheck torchScript() {
        return new TorchZipCheck(true);
    }

    /**
     * A record name as PyTorchStreamReader finds it: mz_zip_reader_locate_file without
     * MZ_ZIP_FLAG_CASE_SENSITIVE folds ASCII case, so "code/__torch__/m.PY" is the source it
     * compiles and "DATA.PKL" the pickle it loads.
     */
    static String minizName(String name) {
        char[] c = null;
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch >= 'A' && ch <= 'Z') {
                if (c == null) {
                    c = name.toCharArray();
                }
                c[i] = (char) (ch + 32);
            }
        }
        return c == null ? name : new String(c);
    }

    @Override
    public String format() {
        return torchScript ? "torchscript" : "pytorch-zip";
    }

    @Override
    public boolean sniff(byte[] head, long size) {
        return false; // needs the central directory: see sniff(ModelSource, byte[])
    }

    @Override
    public boolean sniff(ModelSource source, byte[] head) throws IOException {
        if (!ZipIndex.isZip(source, head)) {
            return false;
        }
        List<String> names = new ArrayList<>();
        for (ZipIndex.Entry e : ZipIndex.read(source).central()) {
            names.add(e.name());
        }
        if (names.isEmpty() && head.length > 30) {
            int n = Math.min((head[26] & 0xff) | (head[27] & 0xff) << 8, head.length - 30);
            names.add(new String(head, 30, n, java.nio.charset.StandardCharsets.UTF_8));
        }
        boolean data = names.stream().anyMatch(n -> DATA_PKL.matcher(minizName(n)).matches());
        boolean constants = isTorchScript(names);
        return torchScript ? constants : data && !constants;
    }

    /**
     * torch.serialization's {@code _is_torchscript_zip}: {@code "constants.pkl" in
     * get_all_records()}, whose names are relative to the archive's folder, the part before the
     * first '/' of the first entry (PyTorchStreamReader). A constants.pkl anywhere else leaves
     * the archive to the plain unpickler, which gets no TorchScript allowances.
     */
    static boolean isTorchScript(List<String> names) {
        if (names.isEmpty()) {
            return false;
        }
        int slash = names.get(0).indexOf('/');
        return slash >= 0 && names.contains(names.get(0).substring(0, slash) + "/constants.pkl");
    }

    @Override
    public List<Finding> check(ModelSource source, ScanContext context) throws IOException {
        List<Finding> findings = new ArrayList<>();
        PickleImports base = PickleRun.imports(context);
        PickleImports imports = torchScript ? base.plusAllowed(TORCHSCRIPT_GLOBALS).plusDenied(TORCHSCRIPT_NATIVE, TorchScriptCode.coreClasses()) : base;
        ModelScanner.Budget budget = ModelScanner.budget(context);
        ZipIndex.read(source).visit(source, budget, findings, (entry, content, problem) -> {
            String where = source.name() + "!/" + entry.name();
            if (entry.localName() != null) {
                findings.add(new Finding(RULE_ENTRY, Severity.LOW, where, "local header names it \""
                        + entry.localName() + "\"; the same bytes are checked under both names"));
            }
            if (problem != null) {
                findings.add(new Finding(RULE_ENTRY, Severity.HIGH, where, problem));
                return;
            }
            if (torchScript && minizName(entry.name()).endsWith(".py")) {
                checkCode(content, findings);
                return;
            }
            checkEntry(entry, content, imports, context, findings);
        });
        return findings;
    }

    private static void checkCode(ModelSource content, List<Finding> findings) throws IOException {
        if (content.size() > MAX_CODE) {
            findings.add(new Finding(TorchScriptCode.RULE_OPERATOR, Severity.HIGH, content.name(),
                    "TorchScript source longer than " + MAX_CODE + " bytes; not read, so not verified"));
            return;
        }
        byte[] bytes = ModelSources.readAt(content, 0, (int) content.size());
        TorchScriptCode.check(new String(bytes, java.nio.charset.StandardCharsets.UTF_8), content.name(), findings);
    }

    private static void checkEntry(ZipIndex.Entry entry, ModelSource content, PickleImports imports,
                                   ScanContext context, List<Finding> findings) throws IOException {
        long size = content.size();
        byte[] head = ModelSources.readAt(content, 0, (int) Math.min(ModelScanner.HEAD, size));
        String name = minizName(entry.name());
        boolean namedPickle = PICKLE_NAME.matcher(name).matches()
                || (entry.localName() != null && PICKLE_NAME.matcher(minizName(entry.localName())).matches());
        if (STORAGE.matcher(name).matches() && !namedPickle) {
            // Raw tensor bytes: only a pickle hiding here matters, and only if it imports something.
            if (head.length > 1 && (head[0] & 0xff) == 0x80) {
                new PickleMachine(imports, PickleMachine.Limits.DEFAULTS, findings).lenient(true)
                        .run(new PickleInput(content, 0), content.name());
            }
            if (NpyCheck.objects().sniff(head, size) || NpyCheck.numeric().sniff(head, size)) {
                // np.load of this same zip is an NpzFile, which reads any member that starts with
                // the .npy magic as an array, whatever its name: an object array's pickle runs there.
                findings.addAll(NpyCheck.objects().check(content, context));
            }
            return;
        }
        if (PickleSniffer.looksLikePickle(head, size)) {
            PickleInput in = new PickleInput(content, 0);
            PickleMachine.Outcome o = new PickleMachine(imports, PickleMachine.Limits.DEFAULTS, findings).run(in, content.name());
            if (o.complete() && in.remaining() > 0) {
                PickleRun.trailing(content, in, imports, findings);
            }
            return;
        }
        if (namedPickle) {
            findings.add(new Finding(RULE_ENTRY, Severity.HIGH, content.name(),
                    "named like a pickle PyTorch loads, but its content is not a pickle"));
            return;
        }
        if (context instanceof ModelScanner scanner && scanner.recognizes(content)) {
            findings.addAll(context.scanNested(content));
        }
    }
}
