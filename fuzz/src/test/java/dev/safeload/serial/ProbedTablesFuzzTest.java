package dev.safeload.serial;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The guard's two pre-counts of what a JDK build will cost, against the JDK's own build on the
 * same elements, for elements the fuzzer shapes: {@link ProbedTables} must count exactly the
 * probes {@code Set.of} and {@code Map.of} make (keys that count their {@code equals} calls)
 * whenever the real build succeeds, and never fewer before it fails; {@link ComparedElements}
 * must bound what {@code PriorityQueue}'s {@code heapify} scans (a comparator that counts). No
 * stream is read here (see {@link #heapify}).
 * Each input byte pair is one element: a hash code from a small range (so they collide), or a
 * reference to an earlier element (as a back-reference would be), or a null.
 */
public class ProbedTablesFuzzTest {

    /** A key of a chosen hash code that counts the equals calls made on it. */
    static final class Key {
        static long equalsCalls;
        final int id;
        final int hash;

        Key(int id, int hash) {
            this.id = id;
            this.hash = hash;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            equalsCalls++;
            return other instanceof Key k && k.id == id;
        }
    }

    /** Natural order of strings, adding what each comparison can scan. */
    static final class Scanned implements Comparator<String> {
        long characters;

        @Override
        public int compare(String a, String b) {
            characters += Math.min(a.length(), b.length()) + 1;
            return a.compareTo(b);
        }
    }

    public static void fuzzerTestOneInput(byte[] data) {
        int n = Math.min(data.length / 2, 2_000);
        Object[] keys = new Object[n];
        String[] strings = new String[n];
        for (int i = 0; i < n; i++) {
            int kind = data[2 * i] & 0xff;
            int value = data[2 * i + 1] & 0xff;
            if (kind < 16 && i > 0) {
                keys[i] = keys[value % i]; // a reference to an earlier element
                strings[i] = strings[value % i];
            } else if (kind == 16) {
                keys[i] = null;
                strings[i] = "";
            } else {
                keys[i] = new Key(i, (kind % 8) * 1000 + value % 3);
                strings[i] = "x".repeat(value) + (char) ('a' + kind % 3);
            }
        }
        probes(keys, false);
        probes(keys, true);
        heapify(strings);
    }

    private static void probes(Object[] keys, boolean map) {
        long counted = ProbedTables.collisions(keys, map, Long.MAX_VALUE);
        Key.equalsCalls = 0;
        boolean built;
        try {
            if (map) {
                List<Map.Entry<Object, Object>> entries = new ArrayList<>();
                for (int i = 0; i + 1 < keys.length; i += 2) {
                    entries.add(Map.entry(keys[i], "v"));
                }
                @SuppressWarnings("unchecked")
                Map.Entry<Object, Object>[] array = entries.toArray(new Map.Entry[0]);
                Map.ofEntries(array);
            } else {
                Set.of(keys);
            }
            built = true;
        } catch (NullPointerException | IllegalArgumentException failed) {
            built = false; // a null or a repeated key: the build fails where the count stops
        }
        int size = map ? keys.length / 2 : keys.length;
        if (built && size >= (map ? 2 : 3) && counted != Key.equalsCalls) {
            throw new IllegalStateException((map ? "Map.of" : "Set.of") + " probed " + Key.equalsCalls
                    + " times, counted " + counted);
        }
    }

    /**
     * The JDK's own heapify, with the counting comparator, on the queue's array as readObject
     * finds it (the writer's heap order): a PriorityQueue made from a subclass of one copies its
     * elements and heapifies them with its comparator. No stream is read: StreamGuardFuzzTest,
     * in the same JVM, installs the filter factory, which the JDK refuses once a stream exists.
     */
    private static void heapify(String[] strings) {
        Scanned scanned = new Scanned();
        PriorityQueue<String> written = new PriorityQueue<>(Math.max(1, strings.length), scanned) {
        };
        written.addAll(List.of(strings));
        scanned.characters = 0;
        new PriorityQueue<>(written);
        long bound = ComparedElements.measure(strings)[0];
        if (scanned.characters > bound) {
            throw new IllegalStateException("heapify scanned " + scanned.characters + " past the bound " + bound);
        }
    }

    /** In the build: replays src/test/resources/dev/safeload/serial/ProbedTablesFuzzTestInputs/tables. */
    @FuzzTest(maxDuration = "30s")
    void tables(byte[] data) {
        fuzzerTestOneInput(data);
    }
}
