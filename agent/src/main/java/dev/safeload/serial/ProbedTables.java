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
     * build where it stands.
     */
    static long collisions(Object[] elements, boolean map, long limit) {
        int step = map ? 2 : 1;
        int keys = map ? elements.length / 2 : elements.length;
        if (keys < (map ? 2 : 3)) {
            return 0;
        }
        int slots = 2 * keys; // SetN: EXPAND_FACTOR * n; MapN: 2 * 2m entries, one key slot per pair
        long[] taken = new long[(slots + 63) >>> 6];
        long probes = 0;
        for (int i = 0; i + step - 1 < elements.length; i += step) {
            Object key = elements[i];
            if (key == null) {
                return probes;
            }
            int slot = Math.floorMod(key.hashCode(), slots);
            while ((taken[slot >>> 6] & 1L << slot) != 0) {
                if (++probes > limit) {
                    return probes;
                }
                if (++slot == slots) {
                    slot = 0;
                }
            }
            taken[slot >>> 6] |= 1L << slot;
        }
        return probes;
    }
}
