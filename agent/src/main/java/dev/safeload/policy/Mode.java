package dev.safeload.policy;

import java.util.Locale;

/** What the agent does with a check that fails. */
public enum Mode {
    /** Refuse what the policy forbids. */
    ENFORCE,
    /** Let everything through, and log what enforce would have refused. */
    AUDIT,
    /** Install nothing and check nothing. */
    OFF;

    /** Parses {@code enforce}, {@code audit} or {@code off}, ignoring case. */
    public static Mode parse(String text) {
        for (Mode mode : values()) {
            if (mode.name().equalsIgnoreCase(text.trim())) {
                return mode;
            }
        }
        throw new IllegalArgumentException("expected enforce, audit or off, got \"" + text + "\"");
    }

    /** The lower-case name used in options and logs. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
