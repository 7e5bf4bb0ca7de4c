package dev.safeload.model;

import java.io.IOException;

/**
 * A {@link FormatCheck} whose format shows beyond the first bytes, such as a zip recognised by
 * its central directory at the end of the file (also how a pickle-and-zip polyglot is found).
 * {@link ModelScanner} calls this instead of {@link FormatCheck#sniff}.
 */
public interface ContentSniff {

    /** Whether {@code source} is this format; {@code head} is its first bytes, as for sniff. */
    boolean sniff(ModelSource source, byte[] head) throws IOException;
}
