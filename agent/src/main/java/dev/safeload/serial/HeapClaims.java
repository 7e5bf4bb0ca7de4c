package dev.safeload.serial;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The heap that reads in progress across the JVM have asked for through large array lengths
 * (an array read from the stream, or a capacity a {@code readObject} checks before allocating,
 * as {@code ArrayList} and {@code HashMap} do). A claim is allocated before the elements that
 * back it are read, so a few hundred bytes of nested lists each claiming ten million elements
 * hold gigabytes; each claim alone fits, and several reads at once reach OutOfMemoryError. A
 * read's claims stay counted until it returns or throws, since what it built stays reachable
 * until then.
 */
final class HeapClaims {

    /** Smaller claims are not counted: at most one per depth of a stream can be unbacked. */
    static final long COUNTED_ELEMENTS = 65_536;

    private static final AtomicLong IN_FLIGHT = new AtomicLong();

    private HeapClaims() {
    }

    /** Counts {@code bytes} more; returns the JVM-wide total in flight, this claim included. */
    static long claim(long bytes) {
        return IN_FLIGHT.addAndGet(bytes);
    }

    static void release(long bytes) {
        if (bytes > 0) {
            IN_FLIGHT.addAndGet(-bytes);
        }
    }

    /** Half the heap: what all reads in flight may claim together, leaving the rest to the host. */
    static long budget() {
        return Runtime.getRuntime().maxMemory() / 2;
    }
}
