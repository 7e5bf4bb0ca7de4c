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
     * says about the member after it: its name, its size (-1 when it sets none), or that its size
     * record is not a number tarfile and this reader would agree on.
     */
    public record Extended(String path, long size, boolean malformedSize) {
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
     * Reads the records of an extended header whose data is {@code length} bytes: a GNU long
     * name is the name itself; pax records are {@code "LEN key=value"} lines, of which
     * {@code path} and {@code size} change how the next member is read.
     */
    public Extended extended(Header header, long length) throws IOException {
        byte[] raw = ModelSources.readAt(source, header.dataStart(), (int) Math.min(length, MAX_EXTENDED_BYTES));
        if (header.type() == 'L') {
            return new Extended(cString(raw, 0, raw.length), -1, false);
        }
        String path = null;
        long paxSize = -1;
        boolean malformed = false;
        for (String rec : new String(raw, StandardCharsets.UTF_8).split("\n")) {
            int sp = rec.indexOf(' ');
            String kv = sp < 0 ? "" : rec.substring(sp + 1);
            if (kv.startsWith("path=")) {
                path = kv.substring(5);
            } else if (kv.startsWith("size=")) {
                // Plain decimal digits only: tarfile's int() also takes signs and underscores, and
                // turns what it cannot read into 0, so anything else is a size the two may disagree on.
                String digits = kv.substring(5).strip();
                if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    malformed = true;
                } else {
                    paxSize = Long.parseLong(digits);
                }
            }
        }
        return new Extended(path, paxSize, malformed);
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
