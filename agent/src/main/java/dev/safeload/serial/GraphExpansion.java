package dev.safeload.serial;

import java.util.Arrays;

/**
 * How much hashing one stream's graph will cost, counted before the hashing runs. A hash bomb
 * (nested {@code HashSet}s sharing their children, or lists holding thousands of references to
 * the list below) is a few kilobytes and a few dozen objects, inside every depth and reference
 * limit, yet {@code hashCode} walks every path through it: 2^depth or 1,000^levels steps, in
 * one call that no checkpoint can interrupt. So the cost is predicted from the stream: an
 * object's expanded size is one plus its children's, a back-reference counting as the whole
 * object it refers to, and {@link #work} sums the expanded sizes of the children of every JDK hashed
 * container (those that check their table as a {@code Map.Entry[]}: {@code HashMap},
 * {@code HashSet}, {@code Hashtable} and their subclasses) plus the size so far of the child
 * that the outermost open one is still reading.
 *
 * <p>Seen from the checkpoints: an object's first checkpoint comes at its depth once every
 * handle before it is assigned, so the stream's next handle is the object's own; a checkpoint
 * one level deeper means it has children. Every reference the stream reads counts one (the JDK's
 * count, handed to every checkpoint): an object, and the strings and nulls, which pass no
 * checkpoint (a list of 1,000 new strings weighs 1,001); a back-reference to an object whose
 * weight is kept counts that weight too.
 * Memory: one long per handle, grown like the
 * JDK's own handle table, and small arrays per depth, kept per thread for the next stream;
 * nothing per checkpoint.
 */
final class GraphExpansion {

    /** A larger handle table than this is not kept for the thread's next stream. */
    private static final int POOLED_HANDLES = 1 << 16;

    private Object owner;

    private long total;
    private long hashedWork;
    private boolean hashesAll;
    private int outermostHashed;
    /**
     * Per depth d (1-based), at {@code 2d}: {@link #total} when the open object began, and at
     * {@code 2d + 1} its state: its handle (or -1) shifted left by two, with {@link #HAS_CHILDREN}
     * and {@link #HASHED}. One array, not four: every checkpoint reads it (one field and one
     * bounds check for both), and the filter inlines this method only while it is small.
     */
    private long[] levels = new long[32];
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
    /** The stream's reference count at the last checkpoint. */
    private long readRefs;
    private static final long WEIGHT_BITS = 0xFFFF_FFFFL;

    /**
     * The tracker for {@code stream}'s read at nesting {@code level} of {@code reads}' thread
     * (one tracker per level, kept in {@link ReadNesting.Reads}): the one this
     * stream used last if no other stream used it since (its handles, and so the weights of what
     * earlier reads built, carry over), else reset. Reuse keeps a read from allocating one per
     * stream; the price is that a bomb split across two reads of one stream, with another
     * stream read on the same thread between them, is measured without the first read's part.
     */
    static GraphExpansion take(Object stream, ReadNesting.Reads reads, int level) {
        GraphExpansion[] slots = reads.trackers;
        if (level >= slots.length) {
            GraphExpansion own = new GraphExpansion();
            own.owner = stream;
            return own;
        }
        GraphExpansion tracker = slots[level];
        if (tracker == null) {
            tracker = new GraphExpansion();
            slots[level] = tracker;
        }
        if (tracker.owner != stream) {
            tracker.reset(stream);
        }
        return tracker;
    }

    private void reset(Object stream) {
        owner = stream;
        if (weights.length > POOLED_HANDLES) {
            weights = new long[64];
        }
        forgetWeights();
        total = 0;
        hashedWork = 0;
        hashesAll = false;
        outermostHashed = 0;
        top = 0;
        highestNext = 0;
        readRefs = 0;
    }

    /** The hashing this stream's containers have done or will do, in objects visited. */
    long work() {
        long pending = outermostHashed > 0 && top > outermostHashed ? total - levels[(outermostHashed + 1) << 1] : 0;
        long work = saturatedAdd(hashedWork, pending);
        return hashesAll ? Math.max(work, total) : work;
    }

    /**
     * The stream holds a container that hashes what it holds without checking a
     * {@code Map.Entry[]} first ({@code ConcurrentHashMap}, the serial proxy of {@code Set.of} and
     * {@code Map.of}): from now on {@link #work} counts every object of the graph, through every
     * shared reference, since which of them it hashes is not told by any checkpoint.
     * {@link #mayExceed} needs no change: {@link #total} is within its bound.
     */
    void hashesAll() {
        hashesAll = true;
    }

    /**
     * False when {@link #work} cannot be over {@code limit} (positive): the hash work so far plus
     * every object counted bounds it, and is two fields to test instead of work()'s five.
     */
    boolean mayExceed(long limit) {
        return total > limit - hashedWork;
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
        // Every reference the stream read since the last checkpoint counts one: this checkpoint's
        // own object or back-reference, and the strings and nulls, which pass no checkpoint (a
        // list of 1,000 new strings weighs 1,001). Counted before anything closes, so a leaf's
        // weight holds what was read after it up to its sibling.
        total = saturatedAdd(total, refs - readRefs); // the stream's count never falls; a new stream resets it
        readRefs = refs;
        if (next < highestNext) {
            handlesReset();
        }
        highestNext = next;
        // What most checkpoints are, in a method small enough for the JIT to inline into the
        // filter (a compiled callee over 2,500 bytes is called, not inlined; the whole tracker
        // compiles to over 5,000): an array length at or below the open object, and, for a new
        // object or a back-reference to one without children, the open object's own second
        // checkpoint, a sibling of a leaf, or a first child. The rest take settle().
        int open = top;
        if (arrayLength && depth >= open) {
            if (depth == open) {
                // An array's own length comes right before its handle is assigned: next is its
                // handle (its level, opened at its descriptor, may have guessed lower). A length a
                // readObject checks is wrong here, and objectRead puts the object's back.
                objectRead(depth, next);
            }
            return; // about the object open at this depth
        }
        int rise = depth - open;
        if ((rise & ~1) == 0 && weight(target) == 0) { // at the open object's depth or one below
            long[] lv = levels;
            int at = depth << 1; // its start; its state at + 1, the parent's state at - 1
            long own = (long) next << 2;
            boolean inPlace;
            if (rise == 0) {
                long s = lv[at + 1];
                if ((s & ~HASHED) == own && target < 0) {
                    return; // the same object: its handle still the next one, no children yet
                }
                // A sibling of a leaf: closes it in place. A leaf's weight is kept only past one (the
                // strings it holds): a back-reference to any other leaf counts one. Its parent has children.
                // Not for a back-reference to that leaf: its weight is kept as it closes (settle).
                // (A leaf's handle is never -1, a target's when there is none: levels without a
                // handle have children.)
                inPlace = (s & HAS_CHILDREN) == 0 && depth != outermostHashed && (int) (s >> 2) != target;
                if (inPlace) {
                    leafClosed(lv, at, s);
                }
            } else {
                // A first child.
                inPlace = at + 2 < lv.length;
                if (inPlace) {
                    if (open >= 1) {
                        lv[at - 1] |= HAS_CHILDREN; // the open object, one level up
                    }
                    top = depth;
                }
            }
            if (inPlace) {
                lv[at] = total;
                lv[at + 1] = own;
                return;
            }
        }
        settle(depth, next, target, arrayLength);
    }

    /**
     * Any checkpoint, once the handle bookkeeping is done: closes what is open deeper than it,
     * then, unless it is an array length (about the object already open at its depth, never a
     * new one), the object open at its depth too if it is that object's sibling; then opens the
     * new object, or counts a back-reference to an object with children as its whole expansion
     * again. Closing and opening are written out here, not called: one method of more than 325
     * bytes of bytecode, on purpose, so that the JIT never inlines it into {@link #checkpoint},
     * which stays small enough to be inlined into the filter (as StreamGuard.verdict keeps
     * checkInput small).
     */
    private void settle(int depth, int next, int target, boolean arrayLength) {
        if (depth == top - 1 && !arrayLength && closeLeafAndParent(depth, next, target)) {
            return;
        }
        int floor = depth;
        boolean judged = arrayLength;
        // A loop whose exit is its condition (C2 gave up on a while (true) here, leaving
        // filterCheck to the unoptimised tier).
        while (top > floor || !judged) {
            if (top > floor) {
                // Closes the object open deepest; its weight is kept if it has children.
                int closing = top--;
                if (closing == outermostHashed) {
                    outermostHashed = 0; // any hashed container deeper was closed before it
                }
                long weight = total - levels[closing << 1];
                long s = levels[(closing << 1) + 1];
                keep(s, weight);
                countChild(closing, weight);
            } else {
                judged = true;
                // A sibling unless it is the same object: its handle still the next one, no children
                // yet. A back-reference is never that object: a run of them to one string, which
                // take no handle, counts each (as one) rather than once.
                if (top == depth && (target >= 0 || (levels[(depth << 1) + 1] & ~HASHED) != (long) next << 2)) {
                    floor = depth - 1;
                }
            }
        }
        if (arrayLength) {
            return;
        }
        // Read once the sibling is closed: a back-reference to the object it closes ([x, x] in a
        // list) counts that object's whole expansion, which is written only as it closes.
        long referred = weight(target);
        if (referred > 0) {
            // A back-reference to an object with children: its whole expansion, again. Its
            // parent now has children, so the parent's own expansion is kept when it closes: a
            // list holding only references to lists written before it is as heavy as they are.
            total = saturatedAdd(total, referred);
            countChild(depth, referred);
            if (depth - 1 >= 1 && depth - 1 <= top) {
                levels[(depth << 1) - 1] |= HAS_CHILDREN; // the state of depth - 1
            }
            return;
        }
        if (top >= depth) {
            return; // the same object
        }
        // A new object at this depth.
        long[] lv = levels;
        if ((depth + 1) << 1 >= lv.length) {
            lv = Arrays.copyOf(lv, Math.max(depth + 2, lv.length) << 1);
            levels = lv;
        }
        while (top < depth - 1) {
            // A level without a checkpoint of its own (none in the JDK's grammar today): no handle.
            top++;
            lv[top << 1] = total;
            lv[(top << 1) + 1] = -1L << 2 | HAS_CHILDREN;
        }
        if (top >= 1) {
            lv[(top << 1) + 1] |= HAS_CHILDREN;
        }
        top++;
        lv[top << 1] = total;
        lv[(top << 1) + 1] = (long) next << 2;
    }

    /**
     * The loop of {@link #settle} written out for the one case of it that the common graphs
     * take at every row: a new object, or a back-reference to one without children, one level
     * above a leaf. It closes the leaf and its parent (which has children, that leaf at least,
     * so is never the same object) and opens the parent's sibling: two checkpoints in 21 on the
     * 20,000-object graph (a new row; the key after a list of Integers), some 14 ns each
     * through the loop. False, with nothing changed, for anything else: the open child has
     * children, the target has a weight, or the target is the parent or the leaf.
     */
    private boolean closeLeafAndParent(int depth, int next, int target) {
        long[] lv = levels;
        int at = depth << 1; // the parent's start; its state at + 1, the leaf's at + 2 and + 3
        long s = lv[at + 1];
        if ((lv[at + 3] & HAS_CHILDREN) != 0 || (s & HAS_CHILDREN) == 0 || weight(target) != 0
                || (target >= 0 && ((int) (s >> 2) == target || (int) (lv[at + 3] >> 2) == target))) {
            return false; // a back-reference to the parent or leaf it closes counts its weight: settle()
        }
        if (outermostHashed >= depth) {
            outermostHashed = 0; // the leaf or its parent; both close
        }
        long leafWeight = total - lv[at + 2];
        if ((s & HASHED) != 0) {
            hashedWork = saturatedAdd(hashedWork, leafWeight);
        }
        if (leafWeight > 1) {
            keep(lv[at + 3], leafWeight);
        }
        long weight = total - lv[at];
        keep(s, weight);
        if (depth >= 2) {
            if ((lv[at - 1] & HASHED) != 0) {
                hashedWork = saturatedAdd(hashedWork, weight);
            }
            lv[at - 1] |= HAS_CHILDREN;
        }
        top = depth;
        lv[at] = total;
        lv[at + 1] = (long) next << 2;
        return true;
    }

    /**
     * The leaf at {@code at} closes in place: its weight goes to its parent's hash work if the
     * parent hashes, and is kept if over one. Out of {@link #checkpoint}, whose bytecode must stay
     * under the 325 bytes the JIT inlines a hot callee within (FreqInlineSize).
     */
    private void leafClosed(long[] lv, int at, long s) {
        long leaf = total - lv[at];
        if ((lv[at - 1] & HASHED) != 0) {
            hashedWork = saturatedAdd(hashedWork, leaf);
        }
        if (leaf > 1) {
            keep(s, leaf);
        }
    }

    /**
     * Keeps {@code weight} for the object whose state is {@code state}, unless its level has no
     * handle (a level without a checkpoint) or it weighs one. Out of line: the paths that close a
     * leaf call it only for a leaf holding strings.
     */
    private void keep(long state, long weight) {
        if (state >= 0 && weight > 1) { // one is what a back-reference to an unknown handle counts
            int h = (int) (state >> 2);
            if (h >= weights.length) {
                weights = Arrays.copyOf(weights, Math.max(h + 1, weights.length * 2));
            }
            weights[h] = (long) epoch << 32 | Math.min(weight, WEIGHT_BITS);
        }
    }

    /**
     * The ordinary object at {@code depth} has been read, and its handle is {@code handle}: its
     * level takes it, so that its weight is kept where a back-reference will look. The level was
     * opened at the object's first checkpoint with the stream's next handle, which is the
     * object's unless descriptors or annotations were read between (the first object of a class
     * with a serializable superclass), or an array length its readObject checked moved it.
     */
    void objectRead(int depth, int handle) {
        if (depth >= 1 && depth <= top) {
            int at = (depth << 1) + 1;
            levels[at] = (long) handle << 2 | (levels[at] & (HAS_CHILDREN | HASHED));
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
            levels[(depth << 1) + 1] |= HASHED;
            if (outermostHashed == 0) {
                outermostHashed = depth;
            }
        }
    }

    /** A child of the object at {@code depth - 1} is complete, with this expanded size. */
    private void countChild(int depth, long weight) {
        int parent = depth - 1;
        // parent > top only for a back-reference below a level with no checkpoint (none in the
        // JDK's grammar): nothing open there hashes, and no stale state is read past the arrays.
        if (parent >= 1 && parent <= top && (levels[(parent << 1) + 1] & HASHED) != 0) {
            // Values of a map are counted like its keys: new strings and nulls leave no
            // checkpoint, so which child is a key cannot be told, and a guess could be steered.
            hashedWork = saturatedAdd(hashedWork, weight);
        }
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }
}
