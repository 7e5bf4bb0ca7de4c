package dev.safeload.model.compress;

import dev.safeload.model.Finding;
import dev.safeload.model.ModelScanner;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ModelSources;
import dev.safeload.model.Severity;
import dev.safeload.model.read.ZipEnd;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * A zip archive as its readers see it: the central directory as miniz (PyTorch) and CPython's
 * zipfile each find it ({@link ZipEnd}), and the local headers walked from the front (streaming
 * readers). Every entry of any view is visited once; wherever the views can differ (end records,
 * entry count, names, overlaps, local headers) is an {@link #anomalies() anomaly} that
 * {@link #visit} reports as {@value #RULE_AMBIGUOUS} before any entry. CRC errors never stop the
 * walk: the bytes are checked as they are.
 */
public final class ZipIndex {

    private static final int CENTRAL = 0x02014b50;
    private static final int LOCAL = 0x04034b50;
    private static final int DESCRIPTOR = 0x08074b50;

    /**
     * One entry.
     *
     * @param name its name in the central directory, or in the local header for local-only entries
     * @param localName the name in its local header, if that differs, else null
     * @param flags general-purpose flag bits (bit 0: encrypted)
     * @param method 0 stored, 8 deflated, others unsupported here
     * @param compressedSize bytes of data in the archive
     * @param dataOffset where the data starts, or -1 if no local header was found for it
     * @param inCentral whether the central directory lists it
     * @param localOffset where its local header starts
     */
    public record Entry(String name, String localName, int flags, int method, long compressedSize,
                        long size, long dataOffset, boolean inCentral, long localOffset) {
        public boolean encrypted() {
            return (flags & 1) != 0;
        }
    }

    /** Receives each entry with its content, or with null content and the reason it cannot be read. */
    public interface Visitor {
        void entry(Entry entry, ModelSource content, String problem) throws IOException;
    }

    /** The rule of findings for archives that two zip readers can read differently. */
    public static final String RULE_AMBIGUOUS = "zip.ambiguous";

    private final List<Entry> central;
    private final long firstLocal;
    private final List<String> anomalies;
    private final boolean zipfileOpens;

    private ZipIndex(List<Entry> central, long firstLocal, List<String> anomalies, boolean zipfileOpens) {
        this.central = central;
        this.zipfileOpens = zipfileOpens;
        this.firstLocal = firstLocal;
        this.anomalies = List.copyOf(anomalies);
    }

    /** Where miniz, zipfile and the streaming view of this archive differ; empty when they agree. */
    public List<String> anomalies() {
        return anomalies;
    }

    /** Whether CPython's zipfile finds an end record; without one it refuses the file ("File is not a zip file"). */
    public boolean zipfileOpens() {
        return zipfileOpens;
    }

    /** The central directory's entries (empty if there is none). */
    public List<Entry> central() {
        return central;
    }

    /** Whether the source is a zip: a zip reader finds an end record, or it starts with a local header. */
    public static boolean isZip(ModelSource source, byte[] head) throws IOException {
        return startsWithLocal(head) || ZipEnd.read(source).found();
    }

    /**
     * The central directory as miniz and Python's zipfile each read it (their union when they
     * differ), and every anomaly that lets two readers see different archives.
     */
    public static ZipIndex read(ModelSource source) throws IOException {
        ZipEnd end = ZipEnd.read(source);
        List<String> anomalies = new ArrayList<>(end.anomalies());
        List<Entry> entries = new ArrayList<>();
        long first = Long.MAX_VALUE;
        if (end.zipfile().found()) {
            entries.addAll(directory(source, end.zipfile(), anomalies));
        }
        if (end.miniz().found() && (!end.zipfile().found()
                || end.miniz().directoryStart() != end.zipfile().directoryStart()
                || end.miniz().entries() != end.zipfile().entries())) {
            List<Entry> more = directory(source, end.miniz(), anomalies);
            java.util.Set<Long> known = new java.util.HashSet<>();
            for (Entry e : entries) {
                known.add(e.localOffset());
            }
            for (Entry e : more) {
                if (known.add(e.localOffset())) {
                    entries.add(e);
                }
            }
        }
        for (Entry e : entries) {
            first = Math.min(first, e.localOffset());
        }
        byte[] head = ModelSources.readAt(source, 0, 4);
        if (startsWithLocal(head)) {
            first = 0;
        } else if (!entries.isEmpty()) {
            // torch.load takes a file for a zip only if it starts with a local header; else it unpickles it.
            note(anomalies, "the archive does not start with a local header: torch.load reads such a file as a pickle,"
                    + " zip readers as an archive");
        }
        entriesAgree(entries, end, anomalies);
        return new ZipIndex(entries, first == Long.MAX_VALUE ? -1 : first, anomalies, end.zipfile().found());
    }

    /** One reader's central directory: miniz reads {@code entries} records, zipfile reads records until their bytes fill the declared size. */
    private static List<Entry> directory(ModelSource source, ZipEnd.View view, List<String> anomalies) throws IOException {
        List<Entry> entries = new ArrayList<>();
        long shift = view.shift();
        long pos = view.directoryStart();
        long end = pos + view.directorySize();
        long count = 0;
        boolean byCount = view.reader().equals("miniz");
        if (pos < 0 || pos >= source.size()) {
            note(anomalies, view.reader() + " finds the central directory at " + pos + ", outside the file");
            return entries;
        }
        while (byCount ? count < view.entries() : pos < end) {
            if (count >= 10_000_000) {
                note(anomalies, "more than 10,000,000 central-directory entries; not read to the end");
                break;
            }
            byte[] h = ModelSources.readAt(source, pos, 46);
            if (h.length < 46 || s32(h, 0) != CENTRAL) {
                note(anomalies, view.reader() + " finds no central-directory record at " + pos + " (entry " + count
                        + "): the archive is broken for it");
                break;
            }
            count++;
            int nameLen = u16(h, 28);
            int extraLen = u16(h, 30);
            int commentLen = u16(h, 32);
            byte[] nameAndExtra = ModelSources.readAt(source, pos + 46, nameLen + extraLen);
            String name = new String(nameAndExtra, 0, Math.min(nameLen, nameAndExtra.length), StandardCharsets.UTF_8);
            long csize = u32(h, 20);
            long usize = u32(h, 24);
            long local = u32(h, 42);
            pythonNameAgrees(name, nameAndExtra, nameLen, u16(h, 8), anomalies);
            // Zip64 extra field: the 0xffffffff fields, in order usize, csize, offset.
            for (int x = nameLen; x + 4 <= nameAndExtra.length; ) {
                int id = u16(nameAndExtra, x);
                int len = u16(nameAndExtra, x + 2);
                if (id == 1) {
                    int p = x + 4;
                    if (usize == 0xffffffffL && p + 8 <= x + 4 + len) {
                        usize = u64(nameAndExtra, p);
                        p += 8;
                    }
                    if (csize == 0xffffffffL && p + 8 <= x + 4 + len) {
                        csize = u64(nameAndExtra, p);
                        p += 8;
                    }
                    if (local == 0xffffffffL && p + 8 <= x + 4 + len) {
                        local = u64(nameAndExtra, p);
                    }
                }
                x += 4 + len;
            }
            local += shift;
            byte[] lh = ModelSources.readAt(source, local, 30);
            long dataOffset = -1;
            String localName = null;
            if (lh.length == 30 && s32(lh, 0) == LOCAL) {
                int ln = u16(lh, 26);
                dataOffset = local + 30 + ln + u16(lh, 28);
                String lname = new String(ModelSources.readAt(source, local + 30, ln), StandardCharsets.UTF_8);
                localName = lname.equals(name) ? null : lname;
                // miniz and zipfile take method and sizes from the central directory, streaming
                // readers from the local header: the two must describe the same data.
                int localFlags = u16(lh, 6);
                long localSize = u32(lh, 18);
                boolean sizesLater = (localFlags & 8) != 0 || localSize == 0xffffffffL;
                if (u16(lh, 8) != u16(h, 10) || (localFlags & 1) != (u16(h, 8) & 1)
                        || (!sizesLater && localSize != csize)) {
                    note(anomalies, "entry \"" + name + "\": its local header gives another compression method, encryption"
                            + " or size than the central directory; streaming readers read other data than miniz and zipfile");
                }
            }
            entries.add(new Entry(name, localName, u16(h, 8), u16(h, 10), csize, usize, dataOffset, true, local));
            pos += 46 + nameLen + extraLen + commentLen;
        }
        if (pos != end || count != view.entries()) {
            note(anomalies, "the central directory's declared size (" + view.directorySize() + " bytes) and its "
                    + view.entries() + " declared entries disagree: miniz reads entries by count, zipfile by size");
        }
        return entries;
    }

    /**
     * Whether CPython's zipfile names this entry as miniz and streaming readers do. zipfile cuts a
     * name at its first NUL ({@code "config.json\0x"} is config.json to Keras), and since 3.12
     * prefers an Info-ZIP Unicode Path field (0x7075) whose CRC matches the stored name, which
     * 3.11, miniz and most scanners ignore: either way one entry has two names.
     */
    private static void pythonNameAgrees(String name, byte[] nameAndExtra, int nameLen, int flags, List<String> anomalies) {
        int nul = name.indexOf('\0');
        if (nul >= 0) {
            note(anomalies, "entry \"" + name.replace("\0", "\\0") + "\" has a NUL in its name: zipfile reads it as \""
                    + name.substring(0, nul) + "\", miniz and streaming readers by its full name");
        }
        if (nameLen > nameAndExtra.length) {
            return;
        }
        byte[] raw = java.util.Arrays.copyOf(nameAndExtra, nameLen);
        for (int x = nameLen; x + 4 <= nameAndExtra.length; ) {
            int id = u16(nameAndExtra, x);
            int len = u16(nameAndExtra, x + 2);
            if (id == 0x7075 && len >= 5 && x + 4 + len <= nameAndExtra.length && nameAndExtra[x + 4] == 1) {
                java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                crc.update(raw);
                byte[] unicode = java.util.Arrays.copyOfRange(nameAndExtra, x + 9, x + 4 + len);
                boolean asStored = java.util.Arrays.equals(unicode, raw) && (ascii(raw) || (flags & 0x800) != 0);
                if (u32(nameAndExtra, x + 5) == crc.getValue() && !asStored) {
                    note(anomalies, "entry \"" + name + "\" carries a Unicode Path field naming it \""
                            + new String(unicode, StandardCharsets.UTF_8) + "\": zipfile 3.12+ reads that name,"
                            + " zipfile 3.11 and miniz the stored one");
                }
            }
            x += 4 + len;
        }
    }

    private static boolean ascii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    /** Names and byte ranges: what lets one reader's "data.pkl" be other bytes than another's. */
    private static void entriesAgree(List<Entry> entries, ZipEnd end, List<String> anomalies) {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Entry e : entries) {
            if (!names.add(e.name())) {
                note(anomalies, "two entries are named \"" + e.name() + "\": zipfile takes the last, miniz either one");
                break;
            }
        }
        for (Entry e : entries) {
            if (e.localName() != null) {
                note(anomalies, "entry \"" + e.name() + "\" is named \"" + e.localName()
                        + "\" in its local header: zipfile refuses it, miniz and streaming readers each use another name");
                break;
            }
        }
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(java.util.Comparator.comparingLong(Entry::localOffset));
        long directory = end.zipfile().found() ? end.zipfile().directoryStart() : end.miniz().directoryStart();
        for (int i = 0; i < byOffset.size(); i++) {
            Entry e = byOffset.get(i);
            if (e.dataOffset() < 0) {
                continue;
            }
            long dataEnd = e.dataOffset() + e.compressedSize();
            long next = i + 1 < byOffset.size() ? byOffset.get(i + 1).localOffset() : directory;
            if (dataEnd > next || dataEnd < e.dataOffset()) {
                note(anomalies, "entry \"" + e.name() + "\" overlaps " + (i + 1 < byOffset.size()
                        ? "entry \"" + byOffset.get(i + 1).name() + "\"" : "the central directory")
                        + ": the same bytes are read as two things");
                break;
            }
        }
    }

    /**
     * Visits every central-directory entry, then every entry a streaming reader finds from the
     * first local header that the central directory does not list (or lists differently).
     */
    public void visit(ModelSource zip, ModelScanner.Budget budget, List<Finding> findings, Visitor visitor) throws IOException {
        // Ambiguity refuses the archive whatever its entries hold: one reader's view is not the victim's.
        for (String anomaly : anomalies) {
            findings.add(new Finding(RULE_AMBIGUOUS, Severity.HIGH, zip.name(), anomaly));
        }
        for (Entry e : central) {
            if (!budget.entry()) {
                visitor.entry(e, null, "more entries than the limit of " + budget.limits().maxEntries());
                return;
            }
            String problem = problem(e);
            if (problem != null) {
                visitor.entry(e, null, problem);
                continue;
            }
            if (e.dataOffset() < 0) {
                visitor.entry(e, null, "central directory points at no local header");
                continue;
            }
            try (ModelSource content = open(zip, e, budget)) {
                visitor.entry(e, content, null);
            } catch (ModelSources.TooLarge x) {
                visitor.entry(e, null, "expands past the file's expansion budget: a zip bomb, or too large to verify");
            } catch (IOException x) {
                visitor.entry(e, null, "cannot be read: " + x.getMessage());
            }
        }
        // The streaming view: walk local headers from the first one. Entries the central
        // directory already gave are stepped over by their known size; any other is checked.
        Map<Long, Entry> byOffset = new HashMap<>();
        for (Entry e : central) {
            byOffset.put(e.localOffset(), e);
        }
        long pos = firstLocal;
        long size = zip.size();
        // Known entries are stepped over; the guard counts them too, so a walk cut short by it is reported.
        long guardLimit = 2L * budget.limits().maxEntries() + 1;
        for (long guard = 0; pos >= 0 && pos + 30 <= size; guard++) {
            byte[] h = ModelSources.readAt(zip, pos, 30);
            if (s32(h, 0) != LOCAL) {
                return;
            }
            if (guard == guardLimit) {
                visitor.entry(new Entry("(local header at " + pos + ")", null, 0, 0, 0, 0, -1, false, pos), null,
                        "more local headers than " + guardLimit + "; the rest of the archive was not read");
                return;
            }
            int flags = u16(h, 6);
            int method = u16(h, 8);
            int nameLen = u16(h, 26);
            long dataStart = pos + 30 + nameLen + u16(h, 28);
            Entry known = byOffset.get(pos);
            long dataLength;
            if (known != null) {
                dataLength = known.compressedSize();
            } else {
                String name = new String(ModelSources.readAt(zip, pos + 30, nameLen), StandardCharsets.UTF_8);
                dataLength = (flags & 8) != 0 && u32(h, 18) == 0 ? streamedLength(zip, dataStart, method) : u32(h, 18);
                Entry e = new Entry(name, null, flags, method, Math.max(0, dataLength), u32(h, 22), dataStart, false, pos);
                if (!budget.entry()) {
                    visitor.entry(e, null, "more entries than the limit of " + budget.limits().maxEntries());
                    return;
                }
                String problem = dataLength < 0 ? "only in a local header, and where its data ends cannot be found" : problem(e);
                if (problem != null) {
                    visitor.entry(e, null, problem);
                    if (dataLength < 0) {
                        return;
                    }
                } else {
                    try (ModelSource content = open(zip, e, budget)) {
                        visitor.entry(e, content, null);
                    } catch (ModelSources.TooLarge x) {
                        visitor.entry(e, null, "expands past the file's expansion budget: a zip bomb, or too large to verify");
                    } catch (IOException x) {
                        visitor.entry(e, null, "cannot be read: " + x.getMessage());
                    }
                }
            }
            pos = afterData(zip, dataStart + dataLength, (flags & 8) != 0);
        }
    }

    /** Where the next header starts after data ending at {@code end}, skipping a data descriptor. */
    private static long afterData(ModelSource zip, long end, boolean descriptor) throws IOException {
        if (!descriptor) {
            return end;
        }
        byte[] d = ModelSources.readAt(zip, end, 28);
        int sig = d.length >= 4 && s32(d, 0) == DESCRIPTOR ? 4 : 0;
        for (int sizes : new int[] {8, 16}) {
            int next = sig + 4 + sizes;
            if (d.length >= next + 4 && (s32(d, next) == LOCAL || s32(d, next) == CENTRAL)) {
                return end + next;
            }
        }
        return -1;
    }

    /**
     * The length of data whose size only a trailing data descriptor gives: inflate to the end of
     * a deflate stream, or find the descriptor that matches a stored entry's length. -1 if neither works.
     */
    private static long streamedLength(ModelSource zip, long dataStart, int method) throws IOException {
        if (method == 8) {
            Inflater inflater = new Inflater(true);
            try {
                byte[] in = new byte[64 * 1024];
                byte[] out = new byte[64 * 1024];
                long read = 0;
                while (!inflater.finished()) {
                    if (inflater.needsInput()) {
                        int n = zip.read(dataStart + read, in, 0, in.length);
                        if (n <= 0) {
                            return -1;
                        }
                        read += n;
                        inflater.setInput(in, 0, n);
                    }
                    inflater.inflate(out);
                }
                return read - inflater.getRemaining();
            } catch (java.util.zip.DataFormatException e) {
                return -1;
            } finally {
                inflater.end();
            }
        }
        byte[] buf = new byte[64 * 1024];
        for (long at = dataStart; at < zip.size(); at += buf.length - 12) {
            int n = zip.read(at, buf, 0, buf.length);
            if (n <= 0) {
                return -1;
            }
            for (int i = 0; i + 12 <= n; i++) {
                if (s32(buf, i) == DESCRIPTOR && u32(buf, i + 8) == at + i - dataStart) {
                    return at + i - dataStart;
                }
            }
        }
        return -1;
    }

    private static String problem(Entry e) {
        if (e.encrypted()) {
            return "encrypted; its content cannot be checked";
        }
        if (e.method() != 0 && e.method() != 8) {
            return "compression method " + e.method() + " cannot be read here";
        }
        return null;
    }

    private static ModelSource open(ModelSource zip, Entry e, ModelScanner.Budget budget) throws IOException {
        String name = zip.name() + "!/" + e.name();
        long available = Math.max(0, Math.min(e.compressedSize(), zip.size() - e.dataOffset()));
        ModelSource data = ModelSources.slice(zip, e.dataOffset(), available, name);
        if (e.method() == 0) {
            return data;
        }
        try (InputStream in = new InflaterInputStream(ModelSources.stream(data, 0), new Inflater(true), 64 * 1024)) {
            ModelSource out = ModelSources.spool(in, budget.expandable(), name, zip.directory());
            budget.expanded(out.size());
            return out;
        }
    }

    private static boolean startsWithLocal(byte[] head) {
        return head.length >= 4 && s32(head, 0) == LOCAL;
    }

    /** Records an anomaly; a few are enough to refuse, so a crafted archive cannot make the list grow without end. */
    private static void note(List<String> anomalies, String anomaly) {
        if (anomalies.size() < 32) {
            anomalies.add(anomaly);
        }
    }

    static int u16(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
    }

    static int s32(byte[] b, int i) {
        return u16(b, i) | u16(b, i + 2) << 16;
    }

    static long u32(byte[] b, int i) {
        return s32(b, i) & 0xffffffffL;
    }

    static long u64(byte[] b, int i) {
        return u32(b, i) | u32(b, i + 4) << 32;
    }
}
