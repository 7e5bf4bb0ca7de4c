package dev.safeload.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** What a {@link FormatCheck} may use besides its input: the policy, and the scanner itself. */
public interface ScanContext {

    /** The model policy in force. */
    ModelPolicy policy();

    /**
     * Scans content found inside the artifact (an archive entry, a decompressed stream, a
     * pickle after a NumPy header) as an artifact of its own, detected by content.
     */
    List<Finding> scanNested(ModelSource inner) throws IOException;

    /**
     * Records that the model being checked reads raw tensor bytes from {@code file} (its real
     * path), as an ONNX model reads its external data: in a folder scan that file is the model's
     * data, not content of unknown format.
     */
    default void readsDataFile(Path file) {
    }
}
