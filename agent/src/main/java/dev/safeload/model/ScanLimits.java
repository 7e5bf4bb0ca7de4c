package dev.safeload.model;

/**
 * Bounds on one top-level file, so that archive bombs and deep nesting become findings rather
 * than an exhausted disk, heap or stack.
 *
 * @param maxDepth deepest nesting of artifacts inside artifacts (a pickle in a zip in a gzip is 2)
 * @param maxExpandedBytes most bytes all decompression inside one file may produce together
 * @param maxEntries most archive entries checked in one file
 */
public record ScanLimits(int maxDepth, long maxExpandedBytes, int maxEntries) {

    /** Eight levels: real models nest two or three deep (gzip, zip, pickle). */
    public static final int DEFAULT_MAX_DEPTH = 8;
    /** 8 GiB: a large compressed checkpoint; beyond that a decompression bomb is likelier. */
    public static final long DEFAULT_MAX_EXPANDED_BYTES = 8L << 30;
    /** A TorchScript archive has hundreds of entries; a million is a zip bomb of entries. */
    public static final int DEFAULT_MAX_ENTRIES = 1_000_000;

    public static final ScanLimits DEFAULTS = new ScanLimits(DEFAULT_MAX_DEPTH, DEFAULT_MAX_EXPANDED_BYTES, DEFAULT_MAX_ENTRIES);
}
