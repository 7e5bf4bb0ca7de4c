package dev.safeload.serial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The tracker fed checkpoints as the filterCheck edit reports them: (depth, the stream's next
 * handle, the handle a back-reference refers to or -1, whether it is an array length). The
 * forked-JVM bombs are in the integration tests' DenialOfServiceTest; these pin the counting.
 */
class GraphExpansionTest {

    /** List A (handle 1) of three leaves at depth 1, closed by the next object at depth 1. */
    private static GraphExpansion listOfThreeThenAnotherObject() {
        GraphExpansion graph = new GraphExpansion();
        graph.checkpoint(1, 1, -1, false);
        graph.checkpoint(2, 2, -1, false);
        graph.checkpoint(2, 3, -1, false);
        graph.checkpoint(2, 4, -1, false);
        graph.checkpoint(1, 5, -1, false); // A is done: itself and three children
        return graph;
    }

    @Test
    void countsEachBackReferenceInsideAHashedContainerAsTheWholeObjectAgain() {
        GraphExpansion graph = listOfThreeThenAnotherObject();
        graph.hashes(1); // the object open at depth 1 (handle 5) checked a Map.Entry[]
        assertEquals(0, graph.work());
        graph.checkpoint(2, 6, 1, false);
        assertEquals(4, graph.work());
        graph.checkpoint(2, 6, 1, false);
        assertEquals(8, graph.work());
    }

    @Test
    void countsNothingOutsideAHashedContainer() {
        GraphExpansion graph = listOfThreeThenAnotherObject();
        graph.checkpoint(2, 6, 1, false);
        graph.checkpoint(2, 6, 1, false);
        assertEquals(0, graph.work());
    }

    @Test
    void countsTheOpenChildOfTheOutermostHashedContainerBeforeItCloses() {
        GraphExpansion graph = new GraphExpansion();
        graph.checkpoint(1, 1, -1, false);
        graph.hashes(1);
        graph.checkpoint(2, 2, -1, false);
        graph.checkpoint(3, 3, -1, false);
        graph.checkpoint(3, 4, -1, false);
        assertEquals(3, graph.work()); // the child at depth 2 and its two children so far
        graph.checkpoint(1, 1, -1, true); // the container's own array length closes the child
        assertEquals(3, graph.work());
    }

    @Test
    void forgetsWeightsWhenTheHandleTableIsReset() {
        GraphExpansion graph = listOfThreeThenAnotherObject();
        graph.checkpoint(1, 0, -1, false); // TC_RESET: handles start again at 0
        graph.hashes(1);
        graph.checkpoint(2, 1, 1, false); // handle 1 is no longer list A
        assertEquals(1, graph.work()); // one object, not list A's four
    }

    @Test
    void readsNoStaleStateForABackReferenceBelowALevelWithoutACheckpoint() {
        GraphExpansion graph = listOfThreeThenAnotherObject();
        graph.hashes(1);
        graph.checkpoint(1, 6, 1, false); // a back-reference at depth 1 closes the hashed object
        graph.checkpoint(40, 6, 1, false); // no JDK stream does this; it must not throw
        assertEquals(0, graph.work()); // nothing hashed is open: the first back-reference closed it
    }

    /**
     * Lists written one after the other, each holding only back-references to the one before,
     * then a set of the last: no list has a child of its own in the stream, yet each is as heavy
     * as the references it holds (a 20 KB stream of this shape, lists of 1,000, hashed for a
     * second under main at 7d6e964, whose tracker counted each list as one object).
     */
    @Test
    void countsAListOfOnlyBackReferencesAsHeavyAsWhatTheyReferTo() {
        GraphExpansion graph = new GraphExpansion();
        int next = 0;
        graph.checkpoint(1, next++, -1, false); // the root array, handle 0
        int below = next;
        graph.checkpoint(2, next++, -1, false); // list 0, with three children of its own
        for (int i = 0; i < 3; i++) {
            graph.checkpoint(3, next++, -1, false);
        }
        for (int level = 1; level <= 2; level++) {
            int list = next;
            graph.checkpoint(2, next++, -1, false);
            for (int i = 0; i < 10; i++) {
                graph.checkpoint(3, next, below, false); // back-references only
            }
            below = list;
        }
        graph.checkpoint(2, next++, -1, false); // the set
        graph.hashes(2);
        graph.checkpoint(3, next, below, false);
        graph.checkpoint(1, next, -1, true); // the root's length again closes the set
        assertEquals(1 + 10 * (1 + 10 * 4), graph.work()); // list 2: itself and ten of list 1
    }

    /**
     * Lists of two, each holding the list below and then a back-reference to it ({@code [x, x]}):
     * the back-reference is what closes the list it refers to, so its weight must be read after
     * that close. Read before it (main at e9aeda3, in both the tracker and its plain loop), every
     * back-reference counted one, the weight grew by two a level instead of doubling, and a set
     * holding 22 levels (4 million steps to hash) or 30 passed.
     */
    @Test
    void countsABackReferenceToTheObjectItClosesAsThatWholeObject() {
        for (boolean plainLoop : new boolean[] {false, true}) {
            GraphExpansion fast = new GraphExpansion();
            GraphExpansionReference plain = new GraphExpansionReference();
            int levels = 10;
            int next = 0;
            int[] handle = new int[levels + 2];
            // The set at depth 1 hashes; list k (k = levels .. 0) at depth levels - k + 2.
            feed(fast, plain, plainLoop, 1, next++, -1, false);
            hashes(fast, plain, plainLoop, 1);
            for (int k = levels; k >= 0; k--) {
                handle[k] = next;
                feed(fast, plain, plainLoop, levels - k + 2, next++, -1, false); // list k, a new object
            }
            // List 0 holds a string (no checkpoint); each list k >= 1 then refers back to list k - 1.
            for (int k = 1; k <= levels; k++) {
                feed(fast, plain, plainLoop, levels - (k - 1) + 2, next, handle[k - 1], false);
            }
            // Expanded sizes: list 0 has no children, so a back-reference to it counts one; list k
            // is itself, list k - 1 and the back-reference to it: w(1) = 3, w(k) = 1 + 2 w(k - 1).
            long expected = (1L << (levels + 1)) - 1;
            assertEquals(expected, plainLoop ? plain.work() : fast.work(), plainLoop ? "plain loop" : "tracker");
        }
    }

    /**
     * A list of 1,000 back-references to one string written before it, in a list of 1,000
     * references to that list, in a set: a back-reference takes no handle, so each in the run
     * comes with the same next handle. Main at e9aeda3 took the second and later as "the same
     * object" as the first and counted the list as two objects, so three levels of this (10^9
     * steps to hash, 15 KB) were counted as 2 million, and a bottom list of 200,000 references
     * multiplied the real work again without adding to the count.
     */
    @Test
    void countsEveryBackReferenceOfARunToOneLeaf() {
        for (boolean plainLoop : new boolean[] {false, true}) {
            GraphExpansion fast = new GraphExpansion();
            GraphExpansionReference plain = new GraphExpansionReference();
            int next = 0;
            feed(fast, plain, plainLoop, 1, next++, -1, false); // the root array, handle 0
            int leaf = next++; // a string: a handle, no checkpoint
            int list = next;
            feed(fast, plain, plainLoop, 2, next++, -1, false); // the list, handle 2
            feed(fast, plain, plainLoop, 2, next, -1, true); // its array length
            for (int i = 0; i < 1000; i++) {
                feed(fast, plain, plainLoop, 3, next, leaf, false);
            }
            feed(fast, plain, plainLoop, 2, next++, -1, false); // the set, a sibling: closes the list
            hashes(fast, plain, plainLoop, 2);
            for (int i = 0; i < 1000; i++) {
                feed(fast, plain, plainLoop, 3, next, list, false);
            }
            assertEquals(1000L * 1001, plainLoop ? plain.work() : fast.work(), plainLoop ? "plain loop" : "tracker");
        }
    }

    private static void feed(GraphExpansion fast, GraphExpansionReference plain, boolean plainLoop,
            int depth, int next, int target, boolean arrayLength) {
        if (plainLoop) {
            plain.checkpoint(depth, next, target, arrayLength);
        } else {
            fast.checkpoint(depth, next, target, arrayLength);
        }
    }

    private static void hashes(GraphExpansion fast, GraphExpansionReference plain, boolean plainLoop, int depth) {
        if (plainLoop) {
            plain.hashes(depth);
        } else {
            fast.hashes(depth);
        }
    }

    /**
     * The paths of their own for a checkpoint at or below the open object count exactly what the
     * one loop of {@link GraphExpansionReference} counts: random checkpoints (depths that climb,
     * fall by several levels and repeat; back-references to any earlier handle, often to a list
     * with children; array lengths; hashed containers; handle table resets), the hash work
     * compared at every step, and {@link GraphExpansion#mayExceed} never false below it.
     */
    @Test
    void countsWhatThePlainLoopCountsAtEveryStep() {
        SplittableRandom random = new SplittableRandom(9);
        long compared = 0;
        for (int sequence = 0; sequence < 20_000; sequence++) {
            GraphExpansion fast = new GraphExpansion();
            GraphExpansionReference plain = new GraphExpansionReference();
            int next = 0;
            int depth = 1;
            for (int step = 0; step < 300; step++) {
                int move = random.nextInt(8);
                if (move < 3) {
                    depth++;
                } else if (move < 5) {
                    depth -= 1 + random.nextInt(Math.min(depth, 4));
                }
                depth = Math.max(1, Math.min(depth, 40));
                if (random.nextInt(400) == 0) {
                    next = random.nextInt(next + 1); // TC_RESET
                }
                boolean arrayLength = random.nextInt(5) == 0;
                int target = !arrayLength && next > 0 && random.nextInt(3) == 0 ? random.nextInt(next) : -1;
                fast.checkpoint(depth, next, target, arrayLength);
                plain.checkpoint(depth, next, target, arrayLength);
                if (arrayLength && random.nextInt(2) == 0) {
                    fast.hashes(depth);
                    plain.hashes(depth);
                }
                if (random.nextInt(3) != 0) {
                    next++; // a new object was assigned its handle
                }
                assertEquals(plain.work(), fast.work(), "sequence " + sequence + ", step " + step);
                // The filter skips work() while mayExceed says no: it must never say no wrongly.
                assertTrue(plain.work() == 0 || fast.mayExceed(plain.work() - 1), "sequence " + sequence);
                compared++;
            }
        }
        assertEquals(6_000_000, compared);
    }
}
