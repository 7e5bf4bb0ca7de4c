package dev.safeload.model.torch;

import dev.safeload.model.ContentSniff;
import dev.safeload.model.Finding;
import dev.safeload.model.FormatCheck;
import dev.safeload.model.ModelScanner;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ModelSources;
import dev.safeload.model.ScanContext;
import dev.safeload.model.Severity;
import dev.safeload.model.pickle.PickleImports;
import dev.safeload.model.pickle.PickleInput;
import dev.safeload.model.pickle.PickleMachine;
import dev.safeload.model.pickle.PickleRun;
import dev.safeload.model.pickle.PyValue;
import dev.safeload.model.read.TarReader;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The oldest {@code torch.save} format (PyTorch before 0.4): a tar of {@code sys_info},
 * {@code pickle}, {@code storages} and {@code tensors}, the last two being pickles interleaved
 * with raw data. Each pickle is checked and the raw data is stepped over by its declared size.
 */
public final class TorchLegacyTarCheck implements FormatCheck, ContentSniff {

    private static final Set<String> MEMBERS = Set.of("sys_info", "pickle", "storages", "tensors");

    @Override
    public String format() {
        return "pytorch-legacy";
    }

    @Override
    public boolean sniff(byte[] head, long size) {
        if (head.length < 512 || !new String(head, 257, 5, StandardCharsets.ISO_8859_1).equals("ustar")) {
            return false;
        }
        int end = 0;
        while (end < 100 && head[end] != 0) {
            end++;
        }
        return MEMBERS.contains(new String(head, 0, end, StandardCharsets.UTF_8));
    }

    /**
     * torch.load tries tarfile.open first on any file that is not a zip, and tarfile takes any
     * first block whose checksum matches (no magic needed): a file that is also a pickle sequence,
     * an array or anything else is then read as a legacy tar if it holds a member torch reads.
     */
    @Override
    public boolean sniff(ModelSource source, byte[] head) throws IOException {
        if (sniff(head, source.size())) {
            return true;
        }
        if (head.length < 512 || !TarReader.tarfileChecksum(head)) {
            return false;
        }
        TarReader tar = new TarReader(source);
        for (int n = 0; n < 100_000; n++) {
            TarReader.Header h = tar.next();
            if (h == null || !h.checksumMatches()) {
                return false; // tarfile ends the archive at a zero or bad block after the first
            }
            char type = h.type();
            if (type == 'x' || type == 'X' || type == 'L' || type == 'g' || MEMBERS.contains(h.name())) {
                return true; // a torch member, or a header that may rename one: read it as a tar
            }
            long len = h.size();
            if (len < 0) {
                return true;
            }
            if (h.carriesData(h.name())) {
                tar.skipData(len);
            }
        }
        return false;
    }

    @Override
    public List<Finding> check(ModelSource source, ScanContext context) throws IOException {
        List<Finding> findings = new ArrayList<>();
        PickleImports imports = PickleRun.imports(context);
        TarReader tar = new TarReader(source);
        TarReader.Extended extended = null;
        for (TarReader.Header h = tar.next(); h != null; h = tar.next()) {
            // A pax or GNU long-name header renames (and a pax header resizes) the member after it.
            String name = extended != null && extended.path() != null ? extended.path() : h.path();
            long len = extended != null && extended.size() >= 0 ? extended.size() : h.size();
            char type = h.type();
            extended = null;
            if (!tar.fits(h, len)) {
                findings.add(new Finding(TorchLegacyCheck.RULE_LAYOUT, Severity.HIGH, source.name() + "@" + h.position(),
                        "tar header of " + name + " is malformed or runs past the end of the file"));
                return findings;
            }
            if (type == 'x' || type == 'X' || type == 'L') {
                // 'X' is Solaris' pax header; tarfile reads it as 'x'.
                extended = tar.extended(h, len);
                if (extended.problem() != null) {
                    findings.add(new Finding(TorchLegacyCheck.RULE_LAYOUT, Severity.HIGH, source.name() + "@"
                            + h.position(), "tar header " + name + ": " + extended.problem()));
                    return findings;
                }
            } else if (type == 'K') {
                // GNU long link name: only links use it, and links named as members are refused below.
            } else if (type == 'g' || type == 'S') {
                // Global pax headers and GNU sparse files change how tarfile reads later members;
                // torch.save never writes them.
                findings.add(new Finding(TorchLegacyCheck.RULE_LAYOUT, Severity.HIGH, source.name() + "@" + h.position(),
                        "tar member " + name + " is a " + (type == 'g' ? "global pax header" : "GNU sparse file")
                                + ", which torch.save never writes and tarfile reads its own way"));
                return findings;
            } else if (!h.carriesData(name)) {
                // tarfile reads no data after links, devices, folders and FIFOs, whatever their size
                // says: the next header follows at once. Torch's members are read through
                // tar.extract/extractfile, which follow a link to another member (or out of the tar).
                if (MEMBERS.contains(name)) {
                    findings.add(new Finding(TorchLegacyCheck.RULE_LAYOUT, Severity.HIGH, source.name() + "@" + h.position(),
                            "tar member " + name + " is a link or special file (type '" + type
                                    + "'), which torch.save never writes; tarfile would follow it"));
                    return findings;
                }
                continue;
            } else {
                // Regular ('0', NUL), contiguous ('7') and unknown types all hold data that
                // tarfile.extractfile returns (getmember matches names exactly).
                ModelSource member = ModelSources.slice(source, h.dataStart(), len, source.name() + "!/" + name);
                checkMember(name, member, imports, context, findings);
            }
            tar.skipData(len);
        }
        return findings;
    }

    private static void checkMember(String name, ModelSource member, PickleImports imports, ScanContext context,
                                    List<Finding> findings) throws IOException {
        PickleMachine machine = new PickleMachine(imports, PickleMachine.Limits.DEFAULTS, findings);
        PickleInput in = new PickleInput(member, 0);
        try {
            switch (name) {
                case "sys_info", "pickle" -> {
                    if (!machine.run(in, member.name()).complete()) {
                        return;
                    }
                }
                case "storages" -> {
                    Long count = count(machine.run(in, member.name()));
                    for (long i = 0; count != null && i < count; i++) {
                        PickleMachine.Outcome o = machine.run(in, member.name());
                        int size = o.value() instanceof PyValue.Seq t ? TorchStorages.elementSize(t.get(2)) : -1;
                        if (size < 0) {
                            layout(member, in, "storage record without a known storage type", findings);
                            return;
                        }
                        in.skip(Math.multiplyExact(in.readLE(8), (long) size));
                    }
                    if (count == null || !machine.run(in, member.name()).complete()) {
                        layout(member, in, "storages member is not a count, records and views", findings);
                        return;
                    }
                }
                case "tensors" -> {
                    Long count = count(machine.run(in, member.name()));
                    for (long i = 0; count != null && i < count; i++) {
                        if (!machine.run(in, member.name()).complete()) {
                            return;
                        }
                        long ndim = (int) in.readLE(4);
                        in.skip(4);
                        in.skip(Math.addExact(Math.multiplyExact(ndim, 16L), 8));
                    }
                    if (count == null) {
                        layout(member, in, "tensors member does not start with a count", findings);
                        return;
                    }
                }
                default -> {
                    if (context instanceof ModelScanner s && s.recognizes(member)) {
                        findings.addAll(context.scanNested(member));
                    }
                    return;
                }
            }
        } catch (EOFException | ArithmeticException | IllegalArgumentException e) {
            layout(member, in, "ends inside its data (truncated or malformed)", findings);
            return;
        }
        if (in.remaining() > 0) {
            PickleRun.trailing(member, in, imports, findings);
        }
    }

    private static Long count(PickleMachine.Outcome o) {
        return o.complete() && o.value() instanceof Long n && n >= 0 ? n : null;
    }

    private static void layout(ModelSource member, PickleInput in, String message, List<Finding> findings) {
        findings.add(new Finding(TorchLegacyCheck.RULE_LAYOUT, Severity.HIGH, member.name() + "@" + in.position(), message));
    }

}
