package dev.safeload.model.read;

import dev.safeload.model.ModelSource;
import dev.safeload.model.ModelSources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Python's {@code tarfile} reading an archive one 512-byte header block at a time, as
 * {@code torch.load} does for the oldest PyTorch files: where each header is, what its fields
 * say, whether tarfile would take it as a header at all (its checksum test), and where the next
 * one starts. What a format makes of the members is its check's business.
 */
public final class TarReader {

    /** Hard and symbolic links, character and block devices, folders, FIFOs (tarfile's non-regular SUPPORTED_TYPES). */
    private static final String NO_DATA_TYPES = "123456";
    /** A pax or GNU long-name header's data read for its records; real ones are a few hundred bytes. */
    private static final int MAX_EXTENDED_BYTES = 1 << 20;

    /** One header block at {@code position}, its fields as tarfile's {@code TarInfo.frombuf} reads them. */
    public record Header(long position, byte[] block) {

        /** The 100-byte name field (without ustar's prefix). */
        public String name() {
            return cString(block, 0, 100);
        }

        /** ustar's 155-byte name prefix, empty if none. */
        public String prefix() {
            return cString(block, 345, 155);
        }

        /** The name tarfile gives the member: the prefix, if any, joined to the name. */
        public String path() {
            String prefix = prefix();
            return prefix.isEmpty() ? name() : prefix + "/" + name();
        }

        public char type() {
            return (char) block[156];
        }

        /** The size field (octal, or base-256 when its top bit is set); -1 if it is not a number. */
        public long size() {
            return number(block, 124, 12);
        }

        public long dataStart() {
            return position + 512;
        }

        /** tarfile's {@code TarInfo.frombuf} test: the checksum field matches the unsigned or signed byte sum. */
        public boolean checksumMatches() {
            return tarfileChecksum(block);
        }

        /**
         * Whether data follows this header: tarfile reads none after links, devices, folders and
         * FIFOs, whatever the size field says, and a regular file whose name ({@code path}, after
         * any pax or GNU long name) ends in "/" is an old-style folder.
         */
        public boolean carriesData(String path) {
            char type = type();
            return NO_DATA_TYPES.indexOf(type) < 0 && !(type == 0 && path.endsWith("/"));
        }
    }

    /**
     * What a pax extended header ({@code x}, Solaris' {@code X}) or a GNU long name ({@code L})
     * says about the member after it: its name (null if it sets none) and size (-1 if none), or
     * the problem that makes tarfile's reading of it uncertain (null if none).
     */
    public record Extended(String path, long size, String problem) {
    }

    private final ModelSource source;
    private final long size;
    private long position;

    public TarReader(ModelSource source) throws IOException {
        this.source = source;
        this.size = source.size();
    }

    /** Where the next header would start. */
    public long position() {
        return position;
    }

    /**
     * The header at the current position, moving past its block; null at the end of the archive:
     * a zero block, or less than a block left.
     */
    public Header next() throws IOException {
        if (position > size - 512) {
            return null;
        }
        byte[] block = ModelSources.readAt(source, position, 512);
        if (isZero(block)) {
            return null;
        }
        Header header = new Header(position, block);
        position += 512;
        return header;
    }

    /** Whether {@code length} bytes of data after {@code header} lie inside the file. */
    public boolean fits(Header header, long length) {
        return length >= 0 && length <= size - header.dataStart();
    }

    /** Steps over {@code length} bytes of member data, padded to whole blocks as tar pads it. */
    public void skipData(long length) {
        long blocks = length / 512 + (length % 512 == 0 ? 0 : 1);
        position = blocks > (Long.MAX_VALUE - position) / 512 ? Long.MAX_VALUE : position + blocks * 512;
    }

    /**
     * Reads an extended header whose data is {@code length} bytes as tarfile does: over the
     * data padded to whole blocks (tarfile reads the blocks, padding included). A GNU long name
     * is the text up to the first NUL; pax records are {@code "LEN keyword=value\n"}, each LEN
     * bytes long, of which {@code path} and {@code size} change how the next member is read.
     * CPython's versions frame records differently (3.12.6 and later check the length lands on
     * the newline and stop at the first NUL; earlier ones match a regular expression until it
     * fails), so a record either would read otherwise is a problem (anything after the records
     * but a NUL, too), and so are GNU sparse keywords, which change where the data lies.
     */
    public Extended extended(Header header, long length) throws IOException {
        long padded = length / 512 * 512 + (length % 512 == 0 ? 0 : 512);
        if (padded > MAX_EXTENDED_BYTES) {
            return new Extended(null, -1, "extended header of " + length + " bytes; real ones are a few hundred");
        }
        byte[] buf = ModelSources.readAt(source, header.dataStart(), (int) Math.min(padded, size - header.dataStart()));
        if (header.type() == 'L') {
            return new Extended(cString(buf, 0, buf.length), -1, null);
        }
        String path = null;
        long paxSize = -1;
        int pos = 0;
        while (pos < buf.length && buf[pos] != 0) {
            int digitsEnd = pos;
            while (digitsEnd < buf.length && buf[digitsEnd] >= '0' && buf[digitsEnd] <= '9') {
                digitsEnd++;
            }
            if (digitsEnd == pos || digitsEnd - pos > 9 || digitsEnd >= buf.length || buf[digitsEnd] != ' ') {
                // Earlier versions stop reading here, later ones refuse the archive.
                return new Extended(null, -1, "pax record at " + pos + " does not start with its length");
            }
            int recordLength = Integer.parseInt(new String(buf, pos, digitsEnd - pos, StandardCharsets.US_ASCII));
            int end = pos + recordLength - 1; // the newline that ends the record
            if (recordLength < 5 || end >= buf.length || end <= digitsEnd || buf[end] != '\n') {
                return new Extended(null, -1, "pax record at " + pos + " is not framed by its length and a newline");
            }
            int eq = digitsEnd + 1;
            while (eq < end && buf[eq] != '=') {
                eq++;
            }
            if (eq == digitsEnd + 1 || eq == end) {
                return new Extended(null, -1, "pax record at " + pos + " has no keyword=value");
            }
            String keyword = new String(buf, digitsEnd + 1, eq - digitsEnd - 1, StandardCharsets.UTF_8);
            String value = new String(buf, eq + 1, end - eq - 1, StandardCharsets.UTF_8);
            if (keyword.startsWith("GNU.sparse.")) {
                return new Extended(null, -1, "pax record " + keyword + " makes the next member a sparse file");
            }
            if (keyword.equals("path")) {
                path = value;
            } else if (keyword.equals("size")) {
                // Plain decimal digits only: tarfile's int() also takes signs, spaces and underscores,
                // and turns what it cannot read into 0, so anything else is a size the two may read apart.
                if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    return new Extended(null, -1, "pax size \"" + value + "\" is not a plain decimal number;"
                            + " tarfile reads such a size its own way (or as 0)");
                }
                paxSize = Long.parseLong(value);
            }
            pos = end + 1;
        }
        return new Extended(path, paxSize, null); // both readings stop at a NUL after the records
    }

    /** tarfile's {@code TarInfo.frombuf} test: the checksum field matches the unsigned or signed byte sum. */
    public static boolean tarfileChecksum(byte[] h) {
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

    private static long number(byte[] h, int off, int len) {
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
