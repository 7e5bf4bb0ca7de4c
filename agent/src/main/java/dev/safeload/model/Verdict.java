package dev.safeload.model;

import java.util.Locale;

/**
 * Whether a model file may load. {@link #SKIPPED} is a file of a model folder that is no model
 * (a read-me, a JSON config) and whose content was checked to be plain text or JSON.
 */
public enum Verdict {
    ALLOW, BLOCK, SKIPPED;

    /** {@code allow}, {@code block} or {@code skipped}, as reports write it. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
