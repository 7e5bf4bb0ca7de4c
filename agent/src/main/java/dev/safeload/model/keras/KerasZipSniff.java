package dev.safeload.model.keras;

import java.nio.charset.StandardCharsets;

/**
 * Recognises a Keras 3 {@code .keras} archive from its first bytes. The zip magic alone is shared
 * with PyTorch checkpoints and NumPy {@code .npz} files, so the entry names decide: a Keras
 * archive has {@code config.json} and {@code metadata.json} at its root, and Keras writes them
 * first, so their local headers fall inside the head.
 */
final class KerasZipSniff {

    private static final int LOCAL_HEADER = 0x04034b50;
    private static final int CENTRAL_HEADER = 0x02014b50;

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
     * Which Keras root entry a zip entry is to Python's {@code zipfile}: {@code config.json},
     * {@code metadata.json} or null, by its central-directory name or, if that differs, its
     * local-header name (the reader refuses that archive as ambiguous; both names are judged).
     */
    static String kerasRole(String name, String localName) {
        String central = pythonName(name);
        if (isKerasRootEntry(central)) {
            return central;
        }
        String local = localName == null ? null : pythonName(localName);
        return local != null && isKerasRootEntry(local) ? local : null;
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
