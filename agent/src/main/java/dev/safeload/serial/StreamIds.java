package dev.safeload.serial;

/**
 * {@code safeload.stream} values: unique in this JVM, and, by a random prefix, across the JVMs
 * whose logs are read together. Streams and the other deserializers' top-level reads share them.
 */
public final class StreamIds {
    private static final String PREFIX = Long.toHexString(new java.util.SplittableRandom().nextLong() >>> 16);
    private static final java.util.concurrent.atomic.AtomicLong NEXT = new java.util.concurrent.atomic.AtomicLong();

    private StreamIds() {
    }

    public static String next() {
        return PREFIX + "-" + NEXT.incrementAndGet();
    }
}
