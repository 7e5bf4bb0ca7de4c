package dev.safeload.model.compress;

import dev.safeload.model.ModelScanner;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ModelSources;
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
 * A zip archive read the two ways loaders read zips: through the central directory at the end
 * (PyTorch, NumPy, Python's zipfile), and by walking local headers from the front (streaming
 * readers). Every entry of either view is visited once. CRC errors, flag bits and names that
 * differ between the views never stop the walk: the bytes are checked as they are.
 */
public final class ZipIndex {

    private static final int EOCD = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_EOCD = 0x06064b50;
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

    private final List<Entry> central;
    private final long firstLocal;
    /** Why the central directory could not be read to the end, or null. */
    private final String centralProblem;

    private ZipIndex(List<Entry> central, long firstLocal, String centralProblem) {
        this.central = central;
        this.firstLocal = firstLocal;
        this.centralProblem = centralProblem;
    }

    /** The central directory's entries (empty if there is none). */
    public List<Entry> central() {
        return central;
    }

    /** Why the central directory could not be read as its end record describes it, or null. */
    public String centralProblem() {
        return centralProblem;
    }

    /** Whether the source is a zip: it has a central directory, or starts with a local header. */
    public static boolean isZip(ModelSource source, byte[] head) throws IOException {
        return startsWithLocal(head) || findEocd(source) >= 0;
    }

    /** Entry names from the central directory, or from the first local headers when there is none. */
    public static ZipIndex read(ModelSource source) throws IOException {
        long eocd = findEocd(source);
        List<Entry> entries = new ArrayList<>();
        long first = Long.MAX_VALUE;
        String centralProblem = null;
        if (eocd >= 0) {
            byte[] e = ModelSources.readAt(source, eocd, 22);
            long count = u16(e, 10);
            long cdSize = u32(e, 12);
            long cdOffset = u32(e, 16);
            long cdEnd = eocd;
            // PyTorch always writes the zip64 records; read them whenever they are there.
            byte[] loc = eocd >= 76 ? ModelSources.readAt(source, eocd - 20, 20) : new byte[0];
            if (loc.length == 20 && s32(loc, 0) == ZIP64_LOCATOR) {
                byte[] z = ModelSources.readAt(source, eocd - 76, 56);
                if (z.length == 56 && s32(z, 0) == ZIP64_EOCD) {
                    count = u64(z, 32);
                    cdSize = u64(z, 40);
                    cdOffset = u64(z, 48);
                    cdEnd = eocd - 76;
                }
            }
            // Data before the archive (a polyglot): offsets are shifted as Python's zipfile shifts them.
            long shift = Math.max(0, cdEnd - cdSize - cdOffset);
            long pos = cdOffset + shift;
            for (long i = 0; i < count && i < 10_000_000; i++) {
                byte[] h = ModelSources.readAt(source, pos, 46);
                if (h.length < 46 || s32(h, 0) != CENTRAL) {
                    // A reader that skips the bad header could find entries this one did not.
                    centralProblem = "the end record lists " + count + " entries, but only " + i
                            + " central directory headers could be read";
                    break;
                }
                int nameLen = u16(h, 28);
                int extraLen = u16(h, 30);
                int commentLen = u16(h, 32);
                byte[] nameAndExtra = ModelSources.readAt(source, pos + 46, nameLen + extraLen);
                String name = new String(nameAndExtra, 0, Math.min(nameLen, nameAndExtra.length), StandardCharsets.UTF_8);
                long csize = u32(h, 20);
                long usize = u32(h, 24);
                long local = u32(h, 42);
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
                first = Math.min(first, local);
                byte[] lh = ModelSources.readAt(source, local, 30);
                long dataOffset = -1;
                String localName = null;
                if (lh.length == 30 && s32(lh, 0) == LOCAL) {
                    int ln = u16(lh, 26);
                    dataOffset = local + 30 + ln + u16(lh, 28);
                    String lname = new String(ModelSources.readAt(source, local + 30, ln), StandardCharsets.UTF_8);
                    localName = lname.equals(name) ? null : lname;
                }
                entries.add(new Entry(name, localName, u16(h, 8), u16(h, 10), csize, usize, dataOffset, true, local));
                pos += 46 + nameLen + extraLen + commentLen;
            }
            if (centralProblem == null && pos != cdOffset + shift + cdSize) {
                // Python's zipfile reads headers until the size is used up, Java's ZipFile checks
                // both: where count and size disagree, they see other entries than this reader.
                centralProblem = "the end record gives the central directory " + cdSize + " bytes and "
                        + count + " entries, but the entries take " + (pos - cdOffset - shift) + " bytes";
            }
        }
        byte[] head = ModelSources.readAt(source, 0, 4);
        if (startsWithLocal(head)) {
            first = 0;
        }
        return new ZipIndex(entries, first == Long.MAX_VALUE ? -1 : first, centralProblem);
    }

    /**
     * Visits every central-directory entry, then every entry a streaming reader finds from the
     * first local header that the central directory does not list (or lists differently).
     */
    public void visit(ModelSource zip, ModelScanner.Budget budget, Visitor visitor) throws IOException {
        if (centralProblem != null) {
            visitor.entry(new Entry("(central directory)", null, 0, 0, 0, 0, -1, true, -1), null, centralProblem);
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
        for (int guard = 0; pos >= 0 && pos + 30 <= size && guard < budget.limits().maxEntries(); guard++) {
            byte[] h = ModelSources.readAt(zip, pos, 30);
            if (s32(h, 0) != LOCAL) {
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
        // Decoded leniently, a name that is not UTF-8 holds U+FFFD. Python's zipfile reads it as
        // cp437 (or refuses it if flagged UTF-8), Java's ZipFile refuses the archive, PyTorch's
        // reader matches the raw bytes: which entry a loader gets is anyone's guess.
        if (e.name().indexOf('\uFFFD') >= 0 || e.localName() != null && e.localName().indexOf('\uFFFD') >= 0) {
            return "its name is not UTF-8, so readers disagree on what it is called";
        }
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

    /** Offset of the end-of-central-directory record, or -1. */
    private static long findEocd(ModelSource source) throws IOException {
        long size = source.size();
        if (size < 22) {
            return -1;
        }
        int tailLen = (int) Math.min(size, 65535 + 22);
        long tailStart = size - tailLen;
        byte[] tail = ModelSources.readAt(source, tailStart, tailLen);
        for (int i = tail.length - 22; i >= 0; i--) {
            if (tail[i] == 'P' && tail[i + 1] == 'K' && tail[i + 2] == 5 && tail[i + 3] == 6
                    && i + 22 + u16(tail, i + 20) <= tail.length) {
                return tailStart + i;
            }
        }
        return -1;
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
