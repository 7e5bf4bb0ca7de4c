package dev.safeload.model.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Decides whether an ONNX {@code external_data} location stays inside the model's folder. The
 * runtime opens {@code folder/location} and reads {@code length} bytes at {@code offset} into a
 * tensor, so a location that leaves the folder turns a model into a file reader
 * (CVE-2022-25882 in onnx, and the same class in ONNX Runtime).
 */
final class ExternalDataLocation {

    /** The verdict on one location. */
    enum Verdict {
        /** Inside the folder (or no folder to check against, and lexically harmless). */
        INSIDE,
        /** Inside lexically, but the file is missing: the load will fail, nothing is read. */
        MISSING,
        /** Empty or containing NUL: no runtime reads it as written. */
        MALFORMED,
        /**
         * ONNX Runtime's {@code _ORT_MEM_ADDR_} location marker, which makes it read the tensor from
         * the process address in {@code offset}: meant for graphs ORT builds itself, never files.
         */
        MEMORY_ADDRESS,
        /** Absolute, or {@code ..} leaves the folder. */
        ESCAPES,
        /** Lexically inside, but a symbolic link on the way resolves outside the folder. */
        SYMLINK_ESCAPES,
        /** A symbolic link whose target does not exist, so where it leads cannot be checked. */
        DANGLING_SYMLINK,
    }

    private static final String ORT_MEMORY_ADDRESS = "_ORT_MEM_ADDR_";

    private ExternalDataLocation() {
    }

    /**
     * Judges {@code location} against {@code directory}; with no directory (bytes in memory) only
     * the lexical checks apply.
     */
    static Verdict judge(String location, Path directory) {
        if (location.isEmpty() || location.indexOf('\0') >= 0) {
            return Verdict.MALFORMED;
        }
        if (location.contains(ORT_MEMORY_ADDRESS)) {
            return Verdict.MEMORY_ADDRESS;
        }
        if (escapesLexically(location)) {
            return Verdict.ESCAPES;
        }
        if (directory == null) {
            return Verdict.INSIDE;
        }
        try {
            Path folder = directory.toRealPath();
            Path target = directory.resolve(location);
            if (!target.normalize().startsWith(directory.normalize())) {
                return Verdict.ESCAPES;
            }
            try {
                return target.toRealPath().startsWith(folder) ? Verdict.INSIDE : Verdict.SYMLINK_ESCAPES;
            } catch (NoSuchFileException e) {
                if (Files.isSymbolicLink(target)) {
                    return Verdict.DANGLING_SYMLINK;
                }
                // The file is missing; still refuse a parent folder that is a link out.
                Path existing = target.getParent();
                while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
                    existing = existing.getParent();
                }
                if (existing != null && !existing.toRealPath().startsWith(folder)) {
                    return Verdict.SYMLINK_ESCAPES;
                }
                return Verdict.MISSING;
            }
        } catch (InvalidPathException e) {
            return Verdict.MALFORMED;
        } catch (IOException e) {
            // A loop of links or an unreadable folder: where it leads cannot be shown to be inside.
            return Verdict.SYMLINK_ESCAPES;
        }
    }

    /**
     * Absolute in any platform's spelling ({@code /x}, {@code \x}, {@code C:x}, UNC), or a
     * {@code ..} that climbs above the folder. Both separators count: ONNX files move between
     * Windows and Linux, and the check must hold wherever the model is loaded.
     */
    static boolean escapesLexically(String location) {
        char first = location.charAt(0);
        if (first == '/' || first == '\\') {
            return true;
        }
        if (location.length() >= 2 && location.charAt(1) == ':' && Character.isLetter(first)) {
            return true;
        }
        int depth = 0;
        for (String part : location.split("[/\\\\]")) {
            if (part.equals("..")) {
                if (--depth < 0) {
                    return true;
                }
            } else if (!part.isEmpty() && !part.equals(".")) {
                depth++;
            }
        }
        return false;
    }
}
