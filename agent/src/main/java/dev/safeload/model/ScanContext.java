package dev.safeload.model;

import java.io.IOException;
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
}
