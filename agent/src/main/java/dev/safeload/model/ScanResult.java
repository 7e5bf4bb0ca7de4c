package dev.safeload.model;

import java.util.List;

/**
 * The verdict on one file.
 *
 * @param path the file as given or found in the tree
 * @param formats the formats its content was recognised as (several for a polyglot); empty if none
 * @param verdict {@link Verdict#BLOCK} if any finding is HIGH or CRITICAL
 * @param sha256 hex SHA-256 of the whole file, or null when it was not read (trusted folder)
 * @param findings what the checks found, most severe first
 */
public record ScanResult(String path, List<String> formats, Verdict verdict, String sha256, List<Finding> findings) {

    public ScanResult {
        formats = List.copyOf(formats);
        findings = List.copyOf(findings);
    }

    /** The formats joined with {@code +}, or {@code unknown}. */
    public String format() {
        return formats.isEmpty() ? "unknown" : String.join("+", formats);
    }

    public boolean blocked() {
        return verdict == Verdict.BLOCK;
    }
}
