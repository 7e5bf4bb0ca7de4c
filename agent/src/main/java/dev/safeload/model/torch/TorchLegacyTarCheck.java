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
    /** Hard and symbolic links, character and block devices, folders, FIFOs (tarfile's non-regular SUPPORTED_TYPES). */
    private static final String NO_DATA_TYPES = "123456";

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
        if (head.length < 512 || !tarfileHeader(head)) {
            return false;
        }
        long size = source.size();
        for (long pos = 0, n = 0; pos + 512 <= size && n < 100_000; n++) {
            byte[] h = ModelSources.readAt(source, pos, 512);
            if (isZero(h) || !tarfileHeader(h)) {
                return false; // tarfile ends the archive at a zero or bad block after the first
            }
            char type = (char) h[156];
            if (type == 'x' || type == 'X' || type == 'L' || type == 'g' || MEMBERS.contains(cString(h, 0, 100))) {
                return true; // a torch member, or a header that may rename one: read it as a tar
            }
            long len = octal(h, 124, 12);
            if (len < 0) {
                return true;
            }
            pos += 512 + (NO_DATA_TYPES.indexOf(type) >= 0 || type == 0 && cString(h, 0, 100).endsWith("/") ? 0 : (len + 511) / 512 * 512);
        }
        return false;
    }

    /** tarfile's TarInfo.frombuf test: the checksum field matches the unsigned or signed byte sum. */
    static boolean tarfileHeader(byte[] h) {
        if (isZero(h)) {
            return false;
        }
        long stored;
        int first = h[148] & 0xff;
        if (first == 0x80 || first == 0xff) {
            // tarfile's nti: base-256, the rest big-endian; 0xff makes it negative.
            long v = 0;
            for (int i = 149; i < 156; i++) {
                v = (v << 8) | (h[i] & 0xff);
            }
            stored = first == 0x80 ? v : v - (1L << 56);
        } else {
            // int(text.strip() or "0", 8), which also takes a sign, a 0o prefix and underscores.
            String t = cString(h, 148, 8).strip().replace("_", "");
            boolean negative = t.startsWith("-");
            if (t.startsWith("-") || t.startsWith("+")) {
                t = t.substring(1);
            }
            if (t.startsWith("0o") || t.startsWith("0O")) {
                t = t.substring(2);
            }
            try {
                stored = t.isEmpty() ? 0 : Long.parseLong(t, 8) * (negative ? -1 : 1);
            } catch (NumberFormatException e) {
                return false;
            }
        }
        long unsigned = 256;
        long signed = 256;
        for (int i = 0; i < 512; i++) {
            if (i >= 148 && i < 156) {
                continue;
            }
            unsigned += h[i] & 0xff;
            signed += h[i];
        }
        return stored == unsigned || stored == signed;
    }

    @Override
    public List<Finding> check(ModelSource source, ScanContext context) throws IOException {
        List<Finding> findings = new ArrayList<>();
        PickleImports imports = PickleRun.imports(context);
        long pos = 0;
        String paxName = null;
        long paxSize = -1;
        long size = source.size();
        while (pos + 512 <= size) {
            byte[] h = ModelSources.readAt(source, pos, 512);
            if (isZero(h)) {
                break;
            }
            String name = paxName != null ? paxName : cString(h, 0, 100);
            String prefix = cString(h, 345, 155);
            if (paxName == null && !prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
            long len = paxSize >= 0 ? paxSize : octal(h, 124, 12);
            char type = (char) h[156];
            paxName = null;
            paxSize = -1;
            long data = pos + 512;
            if (len < 0 || data + len > size) {
                findings.add(new Finding(TorchLegacyCheck.RULE_LAYOUT, Severity.HIGH, source.name() + "@" + pos,
                        "tar header of " + name + " is malformed or runs past the end of the file"));
                return findings;
            }
            if (type == 'x' || type == 'X' || type == 'L') {
                // 'X' is Solaris' pax header; tarfile reads it as 'x'.
                byte[] raw = ModelSources.readAt(source, data, (int) Math.min(len, 1 << 20));
                String text = new String(raw, StandardCharsets.UTF_8);
                if (type == 'L') {
                    paxName = cString(raw, 0, raw.length);
                } else {
                    for (String rec : text.split("\n")) {
                        int sp = rec.indexOf(' ');
                        String kv = sp < 0 ? "" : rec.substring(sp + 1);
                        if (kv.startsWith("path=")) {
                            paxName = kv.substring(5);
                        } else if (kv.startsWith("size=")) {
                            // Plain decimal digits only: tarfile's int() also takes signs and underscores,
                            // and turns what it cannot read into 0, so anything else is a size the two
                            // may disagree on.
                            String digits = kv.substring(5).strip();
                            if (digits.isEmpty() || digits.length() > 18
                                    || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                                findings.add(new Finding(TorchLegacyCheck.RULE_LAYOUT, Severity.HIGH, source.name()
                                        + "@" + pos, "pax header " + name + " gives a size that is not a"
                                        + " plain decimal number; tarfile reads such a size its own way (or as 0)"));
                                return findings;
                            }
                            paxSize = Long.parseLong(digits);
                        }
                    }
                }
            } else if (type == 'K') {
                // GNU long link name: only links use it, and links named as members are refused below.
            } else if (type == 'g' || type == 'S') {
                // Global pax headers and GNU sparse files change how tarfile reads later members;
                // torch.save never writes them.
                findings.add(new Finding(TorchLegacyCheck.RULE_LAYOUT, Severity.HIGH, source.name() + "@" + pos,
                        "tar member " + name + " is a " + (type == 'g' ? "global pax header" : "GNU sparse file")
                                + ", which torch.save never writes and tarfile reads its own way"));
                return findings;
            } else if (NO_DATA_TYPES.indexOf(type) >= 0 || type == 0 && name.endsWith("/")) {
                // tarfile reads no data after links, devices, folders and FIFOs, whatever their size
                // says: the next header follows at once. Torch's members are read through
                // tar.extract/extractfile, which follow a link to another member (or out of the tar).
                if (MEMBERS.contains(name)) {
                    findings.add(new Finding(TorchLegacyCheck.RULE_LAYOUT, Severity.HIGH, source.name() + "@" + pos,
                            "tar member " + name + " is a link or special file (type '" + type
                                    + "'), which torch.save never writes; tarfile would follow it"));
                    return findings;
                }
                pos = data;
                continue;
            } else {
                // Regular ('0', NUL), contiguous ('7') and unknown types all hold data that
                // tarfile.extractfile returns (getmember matches names exactly).
                ModelSource member = ModelSources.slice(source, data, len, source.name() + "!/" + name);
                checkMember(name, member, imports, context, findings);
            }
            pos = data + ((len + 511) / 512) * 512;
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
                    if (context instanceof ModelScanner s && !s.sniff(member).isEmpty()) {
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

    private static boolean isZero(byte[] h) {
        for (byte b : h) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && end < b.length && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] h, int off, int len) {
        if ((h[off] & 0x80) != 0) {
            long v = h[off] & 0x7f;
            for (int i = 1; i < len; i++) {
                v = (v << 8) | (h[off + i] & 0xff);
            }
            return v;
        }
        String s = cString(h, off, len).strip();
        try {
            return s.isEmpty() ? 0 : Long.parseLong(s, 8);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
