package dev.safeload.model.read;

import dev.safeload.model.ModelSource;
import dev.safeload.model.ModelSources;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the two zip readers a victim uses find an archive's central directory: miniz (PyTorch's
 * {@code caffe2/serialize/inline_container}) and CPython's {@code zipfile} (NumPy's npz, Keras,
 * joblib-in-zip). Each view follows its reader's rule for the end record, the zip64 locator and
 * data before the archive; {@link #anomalies()} names every place the two differ or where the
 * records leave room for a third reading. Reads only the last 72 KiB of the file.
 */
public final class ZipEnd {

    static final int EOCD = 0x06054b50;
    static final int ZIP64_LOCATOR = 0x07064b50;
    static final int ZIP64_EOCD = 0x06064b50;
    private static final int EOCD_SIZE = 22;
    private static final int LOCATOR_SIZE = 20;
    private static final int ZIP64_EOCD_SIZE = 56;
    /** CPython: {@code maxCommentStart = filesize - (1 << 16) - sizeEndCentDir}. */
    private static final int CPYTHON_WINDOW = (1 << 16) + EOCD_SIZE;
    /** miniz scans back in 4 KiB chunks until it is 65535 + 22 bytes from the end, so it may look a chunk further. */
    private static final int MINIZ_CHUNK = 4096;
    /** The bytes at the end of a file that both readers search for an end record (a constant: using it loads nothing). */
    public static final int TAIL = CPYTHON_WINDOW + 2 * MINIZ_CHUNK;

    /**
     * One reader's view of the end records.
     *
     * @param reader "miniz" or "zipfile"
     * @param endRecord offset of the end-of-central-directory record it uses, or -1 if it finds none
     * @param zip64 whether it reads a zip64 end record
     * @param entries how many central-directory entries it expects
     * @param directorySize the central directory's declared size
     * @param directoryOffset the declared offset of the central directory
     * @param shift what it adds to every offset: zipfile's "concat" (data before the archive), 0 for miniz
     */
    public record View(String reader, long endRecord, boolean zip64, long entries, long directorySize,
                       long directoryOffset, long shift) {
        /** Where this reader starts reading the central directory. */
        public long directoryStart() {
            return directoryOffset + shift;
        }

        public boolean found() {
            return endRecord >= 0;
        }
    }

    private final View miniz;
    private final View zipfile;
    private final List<String> anomalies;

    private ZipEnd(View miniz, View zipfile, List<String> anomalies) {
        this.miniz = miniz;
        this.zipfile = zipfile;
        this.anomalies = List.copyOf(anomalies);
    }

    public View miniz() {
        return miniz;
    }

    public View zipfile() {
        return zipfile;
    }

    /** Whether either reader takes the file for a zip by its end records. */
    public boolean found() {
        return miniz.found() || zipfile.found();
    }

    /** Where the views differ, or the records admit another reading; empty for a well-formed archive. */
    public List<String> anomalies() {
        return anomalies;
    }

    /** Reads both views from the end of {@code source}. */
    public static ZipEnd read(ModelSource source) throws IOException {
        long size = source.size();
        int tailLen = (int) Math.min(size, TAIL);
        long tailStart = size - tailLen;
        byte[] tail = ModelSources.readAt(source, tailStart, tailLen);
        long m = minizEndRecord(tail, tailStart, size);
        long z = zipfileEndRecord(tail, tailStart, size);
        List<String> anomalies = new ArrayList<>();
        View miniz = view("miniz", source, m, size, anomalies);
        View zipfile = view("zipfile", source, z, size, anomalies);
        if (m != z) {
            anomalies.add("the end-of-central-directory record miniz (PyTorch) reads is at " + describe(m)
                    + ", the one Python's zipfile reads is at " + describe(z));
        }
        long eocd = m >= 0 ? m : z;
        if (eocd >= 0) {
            int comment = u16(tail, (int) (eocd - tailStart) + 20);
            if (eocd + EOCD_SIZE + comment != size) {
                anomalies.add("the end record at " + eocd + " declares a " + comment + "-byte comment but "
                        + (size - eocd - EOCD_SIZE) + " byte(s) follow it; readers that check the length pick another record or none");
            }
            for (int i = (int) (eocd - tailStart) - 1; i >= 0; i--) {
                if (s32(tail, i) == EOCD && i + EOCD_SIZE <= tail.length
                        && tailStart + i + EOCD_SIZE + u16(tail, i + 20) == size) {
                    anomalies.add("a second end record at " + (tailStart + i) + " whose comment reaches exactly to the end:"
                            + " readers that demand a fitting comment read that one instead");
                    break;
                }
            }
        }
        if (miniz.found() && zipfile.found() && m == z) {
            if (miniz.zip64() != zipfile.zip64() || miniz.directoryOffset() != zipfile.directoryOffset()
                    || miniz.directorySize() != zipfile.directorySize() || miniz.entries() != zipfile.entries()) {
                anomalies.add("miniz and zipfile read different zip64 end records (the locator points where zipfile does not look)");
            }
            if (zipfile.shift() != 0) {
                anomalies.add(zipfile.shift() > 0
                        ? zipfile.shift() + " byte(s) of data before the archive: zipfile shifts every offset by them, miniz does not"
                        : "the central directory's offset and size overrun its end record");
            }
        }
        return new ZipEnd(miniz, zipfile, anomalies);
    }

    /** miniz {@code mz_zip_reader_locate_header_sig}: the last signature with 22 bytes after it, scanning back in chunks. */
    private static long minizEndRecord(byte[] tail, long tailStart, long size) {
        if (size < EOCD_SIZE) {
            return -1;
        }
        long cur = Math.max(size - MINIZ_CHUNK, 0);
        while (true) {
            int n = (int) Math.min(MINIZ_CHUNK, size - cur);
            for (int i = n - 4; i >= 0; i--) {
                long at = cur + i;
                if (at < tailStart) {
                    return -1;
                }
                if (s32(tail, (int) (at - tailStart)) == EOCD && size - at >= EOCD_SIZE) {
                    return at;
                }
            }
            if (cur == 0 || size - cur >= 65535 + EOCD_SIZE) {
                return -1;
            }
            cur = Math.max(cur - (MINIZ_CHUNK - 3), 0);
        }
    }

    /**
     * CPython {@code zipfile._EndRecData}: a comment-less record in the last 22 bytes, else the
     * last signature in the last 64 KiB + 22 bytes (a signature with fewer than 22 bytes after it is "not a zip").
     */
    private static long zipfileEndRecord(byte[] tail, long tailStart, long size) {
        if (size < EOCD_SIZE) {
            return -1;
        }
        int last = (int) (size - EOCD_SIZE - tailStart);
        if (s32(tail, last) == EOCD && u16(tail, last + 20) == 0) {
            return size - EOCD_SIZE;
        }
        long from = Math.max(size - CPYTHON_WINDOW, 0);
        for (long at = size - 4; at >= from; at--) {
            if (s32(tail, (int) (at - tailStart)) == EOCD) {
                return size - at >= EOCD_SIZE ? at : -1;
            }
        }
        return -1;
    }

    private static View view(String reader, ModelSource source, long eocd, long size, List<String> anomalies)
            throws IOException {
        if (eocd < 0) {
            return new View(reader, -1, false, 0, 0, 0, 0);
        }
        byte[] e = ModelSources.readAt(source, eocd, EOCD_SIZE);
        long entries = u16(e, 10);
        long cdSize = u32(e, 12);
        long cdOffset = u32(e, 16);
        long recordsStart = eocd;
        boolean zip64 = false;
        boolean minizRule = reader.equals("miniz");
        if (eocd >= LOCATOR_SIZE + ZIP64_EOCD_SIZE) {
            byte[] loc = ModelSources.readAt(source, eocd - LOCATOR_SIZE, LOCATOR_SIZE);
            if (s32(loc, 0) == ZIP64_LOCATOR) {
                long diskWithRecord = u32(loc, 4);
                long declared = u64(loc, 8);
                long disks = u32(loc, 16);
                if (minizRule && diskWithRecord != 0 | disks > 1) {
                    anomalies.add("the zip64 locator names disk " + diskWithRecord + " of " + disks
                            + ": zipfile refuses a multi-disk archive, miniz reads on");
                }
                // miniz follows the locator's offset; zipfile assumes the record sits right before the locator.
                long at = minizRule ? declared : eocd - LOCATOR_SIZE - ZIP64_EOCD_SIZE;
                if (minizRule && declared != eocd - LOCATOR_SIZE - ZIP64_EOCD_SIZE) {
                    anomalies.add("the zip64 locator points at " + declared + ", but the zip64 end record zipfile reads is at "
                            + (eocd - LOCATOR_SIZE - ZIP64_EOCD_SIZE));
                }
                if (at >= 0 && at <= size - ZIP64_EOCD_SIZE) {
                    byte[] z = ModelSources.readAt(source, at, ZIP64_EOCD_SIZE);
                    if (s32(z, 0) == ZIP64_EOCD) {
                        zip64 = true;
                        long z64Entries = u64(z, 32);
                        long z64Size = u64(z, 40);
                        long z64Offset = u64(z, 48);
                        if (minizRule && (disagrees(entries, z64Entries, 0xffff) || disagrees(cdSize, z64Size, 0xffffffffL)
                                || disagrees(cdOffset, z64Offset, 0xffffffffL))) {
                            anomalies.add("the end record and its zip64 record give different central directories:"
                                    + " readers without zip64 read the other one");
                        }
                        entries = z64Entries;
                        cdSize = z64Size;
                        cdOffset = z64Offset;
                        recordsStart = at;
                    }
                }
                if (minizRule && !zip64) {
                    anomalies.add("a zip64 locator without a zip64 end record where it points");
                }
            }
        }
        // zipfile: concat = where the records start - size - offset (zip64: minus the two zip64 records).
        long shift = minizRule ? 0 : recordsStart - cdSize - cdOffset;
        return new View(reader, eocd, zip64, entries, cdSize, cdOffset, shift);
    }

    private static boolean disagrees(long classic, long zip64, long sentinel) {
        return classic != sentinel && classic != zip64;
    }

    private static String describe(long offset) {
        return offset < 0 ? "nowhere (not a zip to it)" : "offset " + offset;
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
