package dev.safeload.serial;

import java.util.Arrays;

/**
 * {@link GraphExpansion} as it was before its common cases got paths of their own: every
 * checkpoint through one loop. GraphExpansionTest feeds both the same random checkpoints and
 * expects the same hash work at every step.
 */
final class GraphExpansionReference {

    private long total;
    private long hashedWork;
    private int outermostHashed;
    /**
     * Per depth (1-based): {@link #total} when the open object began, and its state: its handle
     * (or -1) shifted left by two, with {@link #HAS_CHILDREN} and {@link #HASHED}. Two arrays, not
     * four: every checkpoint reads them, and the filter inlines this method only while it is small.
     */
    private long[] start = new long[16];
    private long[] state = new long[16];
    private int top;
    private static final long HAS_CHILDREN = 1;
    private static final long HASHED = 2;
    /**
     * By handle: an object's expanded size when it has children, in the low 32 bits (capped
     * there, far above the 50 million that serial.maxWork allows at most), and in the high 32
     * bits the {@link #epoch} it was written in. An entry of another epoch reads as zero, so a new
     * stream or a TC_RESET forgets every weight by one increment instead of clearing the table
     * (20,000 objects: 160 KB written again at every read).
     */
    private long[] weights = new long[64];
    private int epoch = 1;
    private int highestNext;
    private long readRefs;
    private static final long WEIGHT_BITS = 0xFFFF_FFFFL;

    /** The hashing this stream's containers have done or will do, in objects visited. */
    long work() {
        long pending = outermostHashed > 0 && top > outermostHashed ? total - start[outermostHashed + 1] : 0;
        return saturatedAdd(hashedWork, pending);
    }

    /**
     * A checkpoint at {@code depth}, with the stream's {@code next} handle; {@code target} is
     * the handle a back-reference refers to, else -1; {@code arrayLength} true when the
     * checkpoint is an array's length (from the stream, or a capacity a readObject checks).
     */
    void checkpoint(int depth, int next, int target, boolean arrayLength, long refs) {
        if (depth <= 0) {
            return;
        }
        total = saturatedAdd(total, refs - readRefs); // every reference read since, strings too
        readRefs = refs;
        if (next < highestNext) {
            handlesReset();
        }
        highestNext = next;
        if (arrayLength && depth == top) {
            state[depth] = (long) next << 2 | (state[depth] & (HAS_CHILDREN | HASHED)); // the array's own handle
        }
        // Closes what is open deeper than this checkpoint, then, unless this is an array length
        // (about the object already open at this depth, never a new one), the object open at
        // this depth too if this one is its sibling. One call site of close(), so that the
        // compiled method stays small enough for the JIT to inline it into the filter check,
        // and a loop whose exit is its condition (C2 gave up on a while (true) here, leaving
        // filterCheck to the unoptimised tier).
        int floor = depth;
        boolean judged = arrayLength;
        while (top > floor || !judged) {
            if (top > floor) {
                close();
            } else {
                judged = true;
                // A sibling unless it is the same object: its handle still the next one, no children
                // yet. A back-reference never is.
                if (top == depth && (target >= 0 || (state[depth] & ~HASHED) != (long) next << 2)) {
                    floor = depth - 1;
                }
            }
        }
        if (arrayLength) {
            return;
        }
        long referred = weight(target); // once the sibling is closed: it may be the target
        if (referred > 0) {
            // A back-reference to an object with children: its whole expansion, again. Its
            // parent now has children, so the parent's own expansion is kept when it closes: a
            // list holding only references to lists written before it is as heavy as they are.
            total = saturatedAdd(total, referred);
            countChild(depth, referred);
            if (depth - 1 >= 1 && depth - 1 <= top) {
                state[depth - 1] |= HAS_CHILDREN;
            }
            return;
        }
        if (top < depth) {
            open(depth, next);
        }
    }

    /** The ordinary object at {@code depth} was read; its handle is {@code handle}. */
    void objectRead(int depth, int handle) {
        if (depth >= 1 && depth <= top) {
            state[depth] = (long) handle << 2 | (state[depth] & (HAS_CHILDREN | HASHED));
        }
    }

    /** TC_RESET emptied the handle table: old handles now name new objects. */
    private void handlesReset() {
        forgetWeights();
    }

    private void forgetWeights() {
        if (++epoch == 0) {
            // Four billion streams later: entries of the first epochs would read as current.
            Arrays.fill(weights, 0);
            epoch = 1;
        }
    }

    /** The expanded size of the object with handle {@code h}, written in this epoch, else zero. */
    private long weight(int h) {
        long[] w = weights;
        if (h < 0 || h >= w.length) {
            return 0;
        }
        long entry = w[h];
        return (int) (entry >>> 32) == epoch ? entry & WEIGHT_BITS : 0;
    }

    /** The object open at {@code depth} checked its table as a {@code Map.Entry[]}: it hashes its children. */
    void hashes(int depth) {
        if (depth > 0 && depth == top) {
            state[depth] |= HASHED;
            if (outermostHashed == 0) {
                outermostHashed = depth;
            }
        }
    }

    private void open(int depth, int next) {
        if (depth + 1 >= state.length) {
            growDepth(depth);
        }
        while (top < depth - 1) {
            // A level without a checkpoint of its own (none in the JDK's grammar today): no handle.
            push(-1);
        }
        if (top >= 1) {
            state[top] |= HAS_CHILDREN;
        }
        push(next); // counted already: its reference is in the stream's count
    }

    private void push(int h) {
        top++;
        start[top] = total;
        state[top] = (long) h << 2 | (h < 0 ? HAS_CHILDREN : 0);
    }

    private void close() {
        int depth = top--;
        if (depth == outermostHashed) {
            outermostHashed = 0; // any hashed container deeper was closed before it
        }
        long weight = total - start[depth];
        long s = state[depth];
        if (weight > 1 && s >= 0) {
            int h = (int) (s >> 2);
            if (h >= weights.length) {
                growWeights(h);
            }
            weights[h] = (long) epoch << 32 | Math.min(weight, WEIGHT_BITS);
        }
        countChild(depth, weight);
    }

    private void growWeights(int h) {
        weights = Arrays.copyOf(weights, Math.max(h + 1, weights.length * 2));
    }

    /** A child of the object at {@code depth - 1} is complete, with this expanded size. */
    private void countChild(int depth, long weight) {
        int parent = depth - 1;
        // parent > top only for a back-reference below a level with no checkpoint (none in the
        // JDK's grammar): nothing open there hashes, and no stale state is read past the arrays.
        if (parent >= 1 && parent <= top && (state[parent] & HASHED) != 0) {
            // Values of a map are counted like its keys: new strings and nulls leave no
            // checkpoint, so which child is a key cannot be told, and a guess could be steered.
            hashedWork = saturatedAdd(hashedWork, weight);
        }
    }

    private void growDepth(int depth) {
        int size = Math.max(depth + 2, state.length * 2);
        start = Arrays.copyOf(start, size);
        state = Arrays.copyOf(state, size);
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }
}
