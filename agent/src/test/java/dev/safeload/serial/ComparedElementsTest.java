package dev.safeload.serial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The bound {@link ComparedElements} puts on {@code heapify} holds against the JDK's own: a
 * queue is read back through {@code PriorityQueue.readObject} (this JVM has no agent), whose
 * {@code heapify} orders it with a comparator that adds, for each comparison, the characters
 * it can scan (the shorter string's length). Random, repeated, sorted and reversed strings.
 */
class ComparedElementsTest {

    /** Natural order, counting what each comparison can scan; static, so every copy read back adds to one count. */
    private static final class Scanned implements Comparator<String>, Serializable {
        static long characters;

        @Override
        public int compare(String a, String b) {
            characters += Math.min(a.length(), b.length()) + 1;
            return a.compareTo(b);
        }
    }

    private static long heapifyScans(List<String> elements) throws IOException, ClassNotFoundException {
        PriorityQueue<String> queue = new PriorityQueue<>(new Scanned());
        queue.addAll(elements);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(queue);
        }
        Scanned.characters = 0;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(elements.size(), ((PriorityQueue<?>) in.readObject()).size());
        }
        return Scanned.characters;
    }

    @Test
    void boundsWhatTheJdksHeapifyScans() throws Exception {
        Random random = new Random(7);
        String big = "x".repeat(10_000);
        String bigger = "x".repeat(9_999) + "y";
        List<List<String>> cases = new ArrayList<>();
        List<String> randomShort = new ArrayList<>();
        List<String> repeatedBig = new ArrayList<>();
        List<String> mixed = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            randomShort.add(Integer.toString(random.nextInt(), 36));
            repeatedBig.add(i % 2 == 0 ? big : bigger);
            mixed.add(i % 100 == 0 ? big + i : "k" + random.nextInt(1000));
        }
        cases.add(randomShort);
        cases.add(repeatedBig);
        cases.add(mixed);
        List<String> sorted = new ArrayList<>(randomShort);
        sorted.sort(null);
        cases.add(sorted);
        List<String> reversed = new ArrayList<>(sorted);
        java.util.Collections.reverse(reversed);
        cases.add(reversed);
        for (List<String> elements : cases) {
            long scanned = heapifyScans(elements);
            long bound = ComparedElements.measure(elements.toArray())[0];
            assertTrue(bound >= scanned, "bound " + bound + " < scanned " + scanned);
        }
    }

    @Test
    void countsARepeatedElementsBytesOnce() {
        String big = "x".repeat(1_000);
        Object[] elements = {big, big, big, "a", "a", null, "ignored"};
        assertEquals(1_000 + 2, ComparedElements.measure(elements)[1]);
    }

    /** A queue of distinct strings is never refused: its bound is under 64 times their own bytes. */
    @Test
    void boundsDistinctStringsWithinSixtyFourTimesTheirBytes() {
        Random random = new Random(11);
        Object[] elements = new Object[100_000];
        for (int i = 0; i < elements.length; i++) {
            elements[i] = "element-" + random.nextLong();
        }
        long[] measured = ComparedElements.measure(elements);
        assertTrue(measured[0] <= 64 * measured[1] + 64L * elements.length, measured[0] + " vs " + measured[1]);
    }
}
