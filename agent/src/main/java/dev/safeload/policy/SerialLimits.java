package dev.safeload.policy;

/**
 * Limits on one Java serialization stream, checked at every class, reference and array the
 * stream reads. Each is inclusive: a value equal to the limit passes.
 *
 * @param maxDepth deepest nesting of objects being read at once
 * @param maxRefs most object references (new objects and back-references) in one stream
 * @param maxBytes most bytes read from one stream
 * @param maxArray longest array (in elements) the stream may ask to allocate
 */
public record SerialLimits(long maxDepth, long maxRefs, long maxBytes, long maxArray) {

    /** Deep enough for decision trees and nested DTOs, shallow enough to stop nesting bombs early. */
    public static final long DEFAULT_MAX_DEPTH = 64;
    /** A million objects: far above an RPC payload, still a bound on a reference flood. */
    public static final long DEFAULT_MAX_REFS = 1_000_000;
    /** 1 GiB: room for large Java-serialized models; streams past it are almost surely hostile. */
    public static final long DEFAULT_MAX_BYTES = 1L << 30;
    /** Ten million elements: an 80 MB double[]; larger claims are refused before allocation. */
    public static final long DEFAULT_MAX_ARRAY = 10_000_000;

    /**
     * The largest {@code BigDecimal} scale, either way, a read may build: past it, comparing the
     * number with one of another scale, or turning it into an integer, multiplies by ten to the
     * difference in one call no checkpoint interrupts (1 against 1 at scale 2,000,000, 830 KB, is
     * one comparison of 1.1 s). Jackson bounds the same conversion at 100,000
     * ({@code MAX_BIGINT_SCALE_MAGNITUDE}); a scale that large costs 8 ms. Under {@code serial.maxWork}.
     */
    public static final int MAX_DECIMAL_SCALE = 100_000;

    /** True when {@code scale} passes {@link #MAX_DECIMAL_SCALE} either way. */
    public static boolean decimalScaleTooLarge(int scale) {
        return scale > MAX_DECIMAL_SCALE || scale < -MAX_DECIMAL_SCALE;
    }

    public static final SerialLimits DEFAULTS = new SerialLimits(
            DEFAULT_MAX_DEPTH, DEFAULT_MAX_REFS, DEFAULT_MAX_BYTES, DEFAULT_MAX_ARRAY);

    public SerialLimits {
        requirePositive("serial.maxDepth", maxDepth);
        requirePositive("serial.maxRefs", maxRefs);
        requirePositive("serial.maxBytes", maxBytes);
        requirePositive("serial.maxArray", maxArray);
    }

    /**
     * serial.maxWork: objects hashed (for a stream, or an XStream, Kryo or Hessian document through
     * its back-references) or added by aliases (for a YAML document), counted through shared
     * references. Two and a half per reference {@code maxRefs} allows (2.5 million by default, a
     * few tenths of a second of {@code hashCode}, a bomb's last step included), within fixed bounds
     * so that a raised reference limit cannot switch it off; a bomb needs millions of times more.
     */
    public long maxWork() {
        return Math.min(50_000_000, Math.max(2_500_000, maxRefs / 2 * 5));
    }

    private static void requirePositive(String key, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be a positive number, got " + value);
        }
    }
}
