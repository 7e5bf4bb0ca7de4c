package dev.safeload.model;

import java.io.IOException;
import java.util.List;

/**
 * The check for one model format. Formats are recognised by content, never by file name:
 * {@link ModelScanner} offers the first bytes to every check's {@link #sniff} and runs each
 * that claims the file (a polyglot is checked as every format it is).
 */
public interface FormatCheck {

    /** The format's id in results and in {@code model.allowFormats}, e.g. {@code safetensors}. */
    String format();

    /**
     * Whether {@code head} (the first bytes of the artifact, at most 64 KiB, fewer if the file
     * is shorter) looks like this format.
     */
    boolean sniff(byte[] head, long size);

    /** Checks the artifact; never throws for malformed input, which is a finding instead. */
    List<Finding> check(ModelSource source, ScanContext context) throws IOException;
}
