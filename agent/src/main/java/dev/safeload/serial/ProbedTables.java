package dev.safeload.serial;

/**
 * What {@code Set.of} and {@code Map.of} will cost to build from a stream's elements, counted
 * before they are built: {@code ImmutableCollections.SetN} and {@code MapN} put each key in a
 * table of twice as many slots, at {@code floorMod(hashCode, slots)}, and probe linearly past
 * every slot already taken, comparing with {@code equals} at each. Keys that share a hash code
 * (strings of "Aa" and "BB" pairs, any count of them) make that the square of their number, in
 * the proxy's {@code readResolve}, one call that no filter checkpoint interrupts. The same walk
 * is made here over the hash codes alone, without {@code equals}: each key counted as new (a
 * duplicate fails the real build at once, so this is never less than what it costs). JDK 17 to
 * 25 lay the table out this way; a JDK that salted the slot would only scatter the keys more.
 */
final class ProbedTables {

    private ProbedTables() {
    }

    /**
     * The taken slots the build would probe past, for {@code elements} as a {@code Set.of}, or
     * with {@code map} as a {@code Map.of}'s keys and values in turn; stops counting once past
     * {@code limit}. Fewer than three keys make no table (Set12, Map1), and a null key fails the
     * build where it stands, as does a key met again (the same object: back-references make a
     * million of them from one hashed once, and the build's {@code equals} stops at the first).
     */
    static long collisions(Object[] elements, boolean map, long limit) {
        int step = map ? 2 : 1;
        int keys = map ? elements.length / 2 : elements.length;
        if (keys < (map ? 2 : 3)) {
            return 0;
        }
        int slots = 2 * keys; // SetN: EXPAND_FACTOR * n; MapN: 2 * 2m entries, one key slot per pair
        int[] table = new int[slots]; // the index + 1 of the key in each slot; 0 for none
        long probes = 0;
        for (int i = 0; i + step - 1 < elements.length; i += step) {
            Object key = elements[i];
            if (key == null) {
                return probes;
            }
            int slot = Math.floorMod(key.hashCode(), slots);
            for (int taken; (taken = table[slot]) != 0; ) {
                if (elements[taken - 1] == key) {
                    return probes; // the build's equals finds it here and fails
                }
                if (++probes > limit) {
                    return probes;
                }
                if (++slot == slots) {
                    slot = 0;
                }
            }
            table[slot] = i + 1;
        }
        return probes;
    }
}
