package dev.safeload.serial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The probes {@link ProbedTables} counts are the ones the JDK's own {@code Set.of} and {@code
 * Map.of} make: keys that count their {@code equals} calls (one per taken slot probed past) are
 * built into the real collections on this JDK, and the counts must agree, for keys spread out,
 * crowded into a few slots, and all sharing one hash code.
 */
class ProbedTablesTest {

    private static final long NO_LIMIT = Long.MAX_VALUE;

    /** A key of a chosen hash code that counts the equals calls made on it or with it. */
    private static final class Key {
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

    private static Key[] keys(int count, java.util.function.IntUnaryOperator hash) {
        Key[] keys = new Key[count];
        for (int i = 0; i < count; i++) {
            keys[i] = new Key(i, hash.applyAsInt(i));
        }
        return keys;
    }

    private static long setOfProbes(Key[] keys) {
        Key.equalsCalls = 0;
        Set<Key> built = Set.of(keys);
        assertEquals(keys.length, built.size());
        return Key.equalsCalls;
    }

    private static long mapOfProbes(Key[] keys) {
        List<Map.Entry<Key, String>> entries = new ArrayList<>();
        for (Key key : keys) {
            entries.add(Map.entry(key, "v"));
        }
        Key.equalsCalls = 0;
        @SuppressWarnings("unchecked")
        Map<Key, String> built = Map.ofEntries(entries.toArray(new Map.Entry[0]));
        assertEquals(keys.length, built.size());
        return Key.equalsCalls;
    }

    private static Object[] keysAndValues(Key[] keys) {
        Object[] array = new Object[2 * keys.length];
        for (int i = 0; i < keys.length; i++) {
            array[2 * i] = keys[i];
            array[2 * i + 1] = "v";
        }
        return array;
    }

    @Test
    void countsWhatTheJdksSetOfAndMapOfProbe() {
        Random random = new Random(42);
        List<Key[]> cases = List.of(
                keys(1000, i -> random.nextInt()),           // spread out: a few probes
                keys(1000, i -> i * 2000),                   // many land on few slots
                keys(1000, i -> i % 7),                      // seven hash codes
                keys(1000, i -> 0x5AFE),                     // one hash code: 1000 * 999 / 2
                keys(3, i -> 1),
                keys(2, i -> 1));
        for (Key[] keys : cases) {
            long set = ProbedTables.collisions(keys, false, NO_LIMIT);
            if (keys.length >= 3) {
                assertEquals(setOfProbes(keys), set, "Set.of of " + keys.length);
            } else {
                assertEquals(0, set, "Set.of of two makes no table");
            }
            assertEquals(mapOfProbes(keys), ProbedTables.collisions(keysAndValues(keys), true, NO_LIMIT),
                    "Map.of of " + keys.length);
        }
        assertEquals(1000L * 999 / 2, ProbedTables.collisions(keys(1000, i -> 0x5AFE), false, NO_LIMIT));
    }

    @Test
    void stopsCountingPastTheLimit() {
        Key[] colliding = keys(100_000, i -> 7);
        assertEquals(1001, ProbedTables.collisions(colliding, false, 1000));
        assertTrue(ProbedTables.collisions(keys(100_000, i -> i), false, 1000) <= 1000);
    }

    /**
     * A million references to one object: the build hashes it once per reference until its
     * equals finds the first repeat, and fails; the count stops there too, not after a million
     * hash codes and half a trillion probes.
     */
    @Test
    void aRepeatedKeyEndsTheCountWhereTheRealBuildFails() {
        Key same = new Key(1, 5);
        Object[] elements = new Object[1_000_000];
        java.util.Arrays.fill(elements, same);
        elements[0] = new Key(0, 5);
        // Past the other key twice: once placing the first reference, once finding it again.
        assertEquals(2, ProbedTables.collisions(elements, false, NO_LIMIT));
        assertEquals(2, ProbedTables.collisions(elements, true, NO_LIMIT));
    }

    @Test
    void aNullKeyEndsTheCountWhereTheRealBuildFails() {
        Object[] elements = {new Key(1, 1), new Key(2, 1), null, new Key(3, 1), new Key(4, 1)};
        assertEquals(1, ProbedTables.collisions(elements, false, NO_LIMIT));
    }
}
