package dev.safeload.serial;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;

/**
 * What {@code PriorityQueue.heapify} will cost to order a stream's elements, bounded before it
 * runs. It compares at most about twice per element, in one call that no filter checkpoint
 * interrupts, and a back-reference is an element of 5 bytes that can be a string of a
 * megabyte, which every comparison with its equal scans whole: 100,000 such references to two
 * 1 MB strings (2.5 MB) took 1.6 s, and the count grows to the reference limit. Each element
 * weighs what comparing it can scan, in characters: a String its length, a BigInteger or a
 * BigDecimal its magnitude's bytes (and a BigDecimal of more than 18 digits of scale the
 * square of its scale over 64, since comparing it with a number of another scale multiplies by
 * that power of ten: 7 ms for a scale of 100,000), a URI its text; anything else one. The work
 * is bounded two ways, and the smaller one taken: every comparison at the heaviest element's
 * weight, and every element at its own weight times the comparisons it can take part in as it
 * sinks (two a level). The guard weighs that against the bytes the stream spent on the
 * elements themselves, each counted once: a queue of distinct strings is never refused.
 */
final class ComparedElements {

    /** Scales up to this many digits compare by a long multiplication, without a BigInteger power of ten. */
    private static final int LONG_SCALE = 18;

    private ComparedElements() {
    }

    /**
     * {@code [work, bytes]}: the bound of the characters {@code heapify} scans to order {@code
     * elements} (a null ends the queue), and the least the stream spent on them: each element's
     * own bytes (a string's characters, a number's magnitude), counted once however many
     * references repeat it (an element of more than {@value #LIGHT} characters is looked up by
     * identity; a lighter one is counted at each reference, which credits at most that much).
     */
    static long[] measure(Object[] elements) {
        int n = 0;
        long heaviest = 0;
        long total = 0;
        long bytes = 0;
        java.util.IdentityHashMap<Object, Boolean> heavy = null;
        for (Object element : elements) {
            if (element == null) {
                break;
            }
            long w = weight(element);
            heaviest = Math.max(heaviest, w);
            total = saturatedAdd(total, w);
            n++;
            long own = ownBytes(element);
            if (own <= LIGHT) {
                bytes += own;
            } else {
                if (heavy == null) {
                    heavy = new java.util.IdentityHashMap<>();
                }
                if (heavy.put(element, Boolean.TRUE) == null) {
                    bytes = saturatedAdd(bytes, own);
                }
            }
        }
        if (n < 2) {
            return new long[] {0, bytes};
        }
        int levels = 64 - Long.numberOfLeadingZeros(n);
        long everyComparisonAtTheHeaviest = saturatedMultiply(2L * n, heaviest);
        long everyElementAsItSinks = saturatedMultiply(total, 2L * levels + 2);
        return new long[] {Math.min(everyComparisonAtTheHeaviest, everyElementAsItSinks), bytes};
    }

    /** Lighter elements than this are not looked up by identity. */
    private static final long LIGHT = 64;

    /** The least the stream spends on {@code element} itself, in bytes. */
    static long ownBytes(Object element) {
        if (element instanceof String s) {
            return s.length();
        }
        if (element instanceof BigInteger b) {
            return b.bitLength() / 8;
        }
        if (element instanceof BigDecimal d) {
            return d.unscaledValue().bitLength() / 8;
        }
        if (element instanceof URI u) {
            return u.toString().length();
        }
        return 1;
    }

    static long weight(Object element) {
        if (element instanceof String s) {
            return s.length() + 1L;
        }
        if (element instanceof BigInteger b) {
            return b.bitLength() / 8 + 1L;
        }
        if (element instanceof BigDecimal d) {
            long scale = Math.abs((long) d.scale());
            long rescale = scale > LONG_SCALE ? saturatedMultiply(scale, scale) / 64 : 0;
            return saturatedAdd(d.unscaledValue().bitLength() / 8 + 1L, rescale);
        }
        if (element instanceof URI u) {
            return u.toString().length() + 1L;
        }
        return 1;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    private static long saturatedMultiply(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long product = a * b;
        return high != 0 || product < 0 ? Long.MAX_VALUE : product;
    }
}
