package dev.safeload.model;

import java.util.Locale;

/** Whether a model file may load. */
public enum Verdict {
    ALLOW, BLOCK;

    /** {@code allow} or {@code block}, as reports write it. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
