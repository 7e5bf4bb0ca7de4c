package dev.safeload.serial;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
