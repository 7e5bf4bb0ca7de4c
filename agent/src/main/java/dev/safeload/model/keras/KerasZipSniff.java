package dev.safeload.model.keras;

import dev.safeload.model.ModelSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.zip.UnicodePathExtraField;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;

/**
 * Recognises a Keras 3 {@code .keras} archive from its first bytes. The zip magic alone is shared
 * with PyTorch checkpoints and NumPy {@code .npz} files, so the entry names decide: a Keras
 * archive has {@code config.json} and {@code metadata.json} at its root, and Keras writes them
 * first, so their local headers fall inside the head.
 */
final class KerasZipSniff {

    private static final int LOCAL_HEADER = 0x04034b50;
    private static final int CENTRAL_HEADER = 0x02014b50;
    private static final int END_OF_CENTRAL_DIRECTORY = 0x06054b50;

    private KerasZipSniff() {
    }

    static boolean looksLikeKerasArchive(byte[] head) {
        if (head.length < 30 || u32(head, 0) != LOCAL_HEADER) {
            return false;
        }
        // Scan for headers rather than hop by size: a data descriptor leaves sizes unknown.
        for (int i = 0; i + 30 <= head.length; i++) {
            if (head[i] != 'P' || head[i + 1] != 'K') {
                continue;
            }
            int signature = u32(head, i);
            int nameAt;
            int nameLength;
            if (signature == LOCAL_HEADER) {
                nameLength = u16(head, i + 26);
                nameAt = i + 30;
            } else if (signature == CENTRAL_HEADER && i + 46 <= head.length) {
                nameLength = u16(head, i + 28);
                nameAt = i + 46;
            } else {
                continue;
            }
            if (nameAt + nameLength <= head.length && isKerasRootEntry(pythonName(
                    new String(head, nameAt, nameLength, StandardCharsets.UTF_8)))) {
                return true;
            }
        }
        return false;
    }

    /**
     * A local header first, or an end-of-central-directory record in the file's last 64 KiB +
     * 22 bytes (a zip with a preamble, which Python's {@code zipfile} still opens).
     */
    static boolean mayBeZip(byte[] head, ModelSource source) throws IOException {
        if (head.length >= 4 && u32(head, 0) == LOCAL_HEADER) {
            return true;
        }
        long size = source.size();
        int tailLength = (int) Math.min(size, 0xFFFF + 22);
        byte[] tail = new byte[tailLength];
        int got = 0;
        while (got < tailLength) {
            int n = source.read(size - tailLength + got, tail, got, tailLength - got);
            if (n <= 0) {
                return false;
            }
            got += n;
        }
        for (int i = tailLength - 22; i >= 0; i--) {
            if (u32(tail, i) == END_OF_CENTRAL_DIRECTORY) {
                return true;
            }
        }
        return false;
    }

    /**
     * Which Keras root entry {@code entry} is to Python: {@code config.json}, {@code metadata.json}
     * or null. Both the raw name (what {@code zipfile} reads) and an Info-ZIP Unicode path (which
     * commons-compress would otherwise prefer) are tried, so neither can hide the other.
     */
    static String kerasRole(ZipArchiveEntry entry) {
        List<String> names = new ArrayList<>(2);
        names.add(pythonName(new String(entry.getRawName(), StandardCharsets.ISO_8859_1)));
        if (entry.getExtraField(UnicodePathExtraField.UPATH_ID) instanceof UnicodePathExtraField unicode
                && unicode.getUnicodeName() != null) {
            names.add(pythonName(new String(unicode.getUnicodeName(), StandardCharsets.UTF_8)));
        }
        for (String name : names) {
            if (isKerasRootEntry(name)) {
                return name;
            }
        }
        return null;
    }

    static boolean isKerasRootEntry(String name) {
        return name.equals("config.json") || name.equals("metadata.json");
    }

    /**
     * The name Python's {@code zipfile} sees: it cuts a name at its first NUL, so
     * {@code "config.json\0x"} is {@code config.json} to Keras and must be to us too.
     */
    static String pythonName(String name) {
        int nul = name.indexOf('\0');
        return nul >= 0 ? name.substring(0, nul) : name;
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
    }

    private static int u32(byte[] b, int at) {
        return u16(b, at) | u16(b, at + 2) << 16;
    }
}
