package dev.safeload.it.support;

import dev.safeload.it.victim.EchoHandler;
import dev.safeload.it.victim.Envelope;
import dev.safeload.it.victim.Probe;
import dev.safeload.it.victim.Secret;
import dev.safeload.it.victim.Semaphore;
import dev.safeload.it.victim.Swapper;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.rmi.MarshalledObject;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.SignedObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Builds serialized inputs in the test JVM, which never deserializes them. Every gadget chain
 * is built from the real library classes and, if it runs, only creates its marker file with
 * {@code new FileOutputStream(marker)}.
 */
public final class Payloads {

    private Payloads() {
    }

    /** commons-collections 3.1: HashMap, TiedMapEntry, LazyMap, ChainedTransformer, InstantiateTransformer. */
    public static Object commonsCollections3(String marker) throws Exception {
        org.apache.commons.collections.Transformer[] real = {
            new org.apache.commons.collections.functors.ConstantTransformer(FileOutputStream.class),
            new org.apache.commons.collections.functors.InstantiateTransformer(
                    new Class<?>[] {String.class}, new Object[] {marker}),
        };
        org.apache.commons.collections.functors.ChainedTransformer chain =
                new org.apache.commons.collections.functors.ChainedTransformer(new org.apache.commons.collections.Transformer[] {
                    new org.apache.commons.collections.functors.ConstantTransformer(1)});
        @SuppressWarnings("unchecked")
        Map<Object, Object> lazy = org.apache.commons.collections.map.LazyMap.decorate(new HashMap<>(), chain);
        Object entry = new org.apache.commons.collections.keyvalue.TiedMapEntry(lazy, "safeload");
        Map<Object, Object> outer = new HashMap<>();
        outer.put(entry, "value");
        lazy.remove("safeload");
        set(chain, "iTransformers", real);
        return outer;
    }

    /** commons-collections4 4.0: PriorityQueue, TransformingComparator, ChainedTransformer. */
    public static Object commonsCollections4(String marker) throws Exception {
        org.apache.commons.collections4.functors.ChainedTransformer<Object> chain =
                new org.apache.commons.collections4.functors.ChainedTransformer<>(
                        new org.apache.commons.collections4.functors.ConstantTransformer<>(1));
        org.apache.commons.collections4.comparators.TransformingComparator<Object, Object> comparator =
                new org.apache.commons.collections4.comparators.TransformingComparator<>(chain);
        PriorityQueue<Object> queue = new PriorityQueue<>(2, comparator);
        queue.add(1);
        queue.add(2);
        set(chain, "iTransformers", new org.apache.commons.collections4.Transformer<?, ?>[] {
            new org.apache.commons.collections4.functors.ConstantTransformer<>(FileOutputStream.class),
            new org.apache.commons.collections4.functors.InstantiateTransformer<>(
                    new Class<?>[] {String.class}, new Object[] {marker}),
        });
        return queue;
    }

    /** commons-beanutils 1.9.2 over commons-collections 3.1: PriorityQueue, BeanComparator, TiedMapEntry. */
    public static Object commonsBeanutils(String marker) throws Exception {
        org.apache.commons.collections.Transformer chain = new org.apache.commons.collections.functors.ChainedTransformer(
                new org.apache.commons.collections.Transformer[] {
                    new org.apache.commons.collections.functors.ConstantTransformer(FileOutputStream.class),
                    new org.apache.commons.collections.functors.InstantiateTransformer(
                            new Class<?>[] {String.class}, new Object[] {marker}),
                });
        @SuppressWarnings("unchecked")
        Map<Object, Object> lazy = org.apache.commons.collections.map.LazyMap.decorate(new HashMap<>(), chain);
        org.apache.commons.beanutils.BeanComparator<Object> comparator = new org.apache.commons.beanutils.BeanComparator<>("key");
        PriorityQueue<Object> queue = new PriorityQueue<>(2, comparator);
        queue.add(new org.apache.commons.collections.keyvalue.TiedMapEntry(lazy, "a"));
        queue.add(new org.apache.commons.collections.keyvalue.TiedMapEntry(lazy, "b"));
        set(comparator, "property", "value");
        return queue;
    }

    /** The URLDNS shape: a HashMap keyed by a java.net.URL (a literal address, so no DNS here). */
    public static Object urlKeyedMap() throws Exception {
        Map<Object, Object> map = new HashMap<>();
        map.put(new URL("http://127.0.0.1:9/safeload"), "x");
        return map;
    }

    /** The SerialDOS nested HashSet bomb: hashing it on read takes about 2^depth steps. */
    public static Object hashSetBomb(int depth) {
        Set<Object> root = new HashSet<>();
        Set<Object> s1 = root;
        Set<Object> s2 = new HashSet<>();
        for (int i = 0; i < depth; i++) {
            Set<Object> t1 = new HashSet<>();
            Set<Object> t2 = new HashSet<>();
            t1.add("safeload");
            s1.add(t1);
            s1.add(t2);
            s2.add(t1);
            s2.add(t2);
            s1 = t1;
            s2 = t2;
        }
        return root;
    }

    /**
     * A {@code HashSet} holding the top of {@code levels} lists, each holding {@code fanOut}
     * references to the list below: a few thousand references in the stream, fanOut^levels
     * steps for the set to hash it.
     */
    public static Object backReferenceFanOut(int fanOut, int levels) {
        // The set takes its element while it is empty: hashing it full would take as long here.
        Set<Object> set = new HashSet<>();
        set.add("first");
        List<Object> top = new ArrayList<>();
        set.add(top);
        List<Object> below = new ArrayList<>(List.of("safeload"));
        for (int level = 0; level < levels; level++) {
            List<Object> list = new ArrayList<>(fanOut);
            for (int i = 0; i < fanOut; i++) {
                list.add(below);
            }
            below = list;
        }
        top.add(below);
        return set;
    }

    /**
     * {@code levels} lists, each holding the list below and then a back-reference to it: the
     * back-reference closes the list it names, so a tracker that read that list's weight before
     * closing it counted one where there are 2^level paths. Wrapped by {@code outer}: a
     * {@code HashSet} (which checks its table as a {@code Map.Entry[]}), a
     * {@code ConcurrentHashMap} (which hashes each key as it reads it, with no table check) or
     * {@code Map.of} (whose serial proxy hashes its keys in {@code readResolve}). Each container
     * takes the top list while it is empty: hashing it full would take as long here.
     */
    public static Object binaryBackReferenceBomb(int levels, String outer) {
        List<Object> below = new ArrayList<>(List.of("safeload"));
        for (int level = 0; level < levels; level++) {
            List<Object> list = new ArrayList<>(2);
            list.add(below);
            list.add(below);
            below = list;
        }
        List<Object> top = new ArrayList<>();
        Object root = switch (outer) {
            case "HashSet" -> new HashSet<>(Set.of("first", top));
            case "ConcurrentHashMap" -> new java.util.concurrent.ConcurrentHashMap<>(Map.of(top, "value"));
            case "Map.of" -> Map.of(top, "value", "key", "value");
            default -> throw new IllegalArgumentException(outer);
        };
        top.add(below);
        return root;
    }

    /**
     * A list of {@code bottom} references to one string written before it, under {@code levels}
     * lists of {@code fanOut} references to the list below, the top in a {@code HashSet}: written
     * as {string, set}, so every element of the bottom list is a back-reference, and none of
     * them takes a handle. bottom * fanOut^levels steps to hash.
     */
    public static Object[] backReferenceRunsToOneString(int bottom, int fanOut, int levels) {
        String leaf = "safeload";
        List<Object> below = new ArrayList<>(bottom);
        for (int i = 0; i < bottom; i++) {
            below.add(leaf);
        }
        for (int level = 0; level < levels; level++) {
            List<Object> list = new ArrayList<>(fanOut);
            for (int i = 0; i < fanOut; i++) {
                list.add(below);
            }
            below = list;
        }
        Set<Object> set = new HashSet<>();
        List<Object> top = new ArrayList<>();
        set.add(top); // while it is empty: hashing it full would take as long here
        top.add(below);
        return new Object[] {leaf, set};
    }

    /**
     * A map whose one value is a list of {@code fanOut} references to a list of {@code fanOut} new
     * strings, then a list of {@code references} references to that map inside a {@code HashSet}:
     * references * fanOut^2 steps to hash. The strings take handles but pass no checkpoint, and
     * until session 16 the guard counted the list of strings as one object. {@code linked} makes
     * the map the stream's first {@code LinkedHashMap}, whose level the guard opens before
     * HashMap's descriptor takes a handle, so its weight was kept under the descriptor's.
     */
    public static Object[] stringListsUnderAFanOut(int fanOut, int references, boolean linked) {
        List<Object> strings = new ArrayList<>(fanOut);
        for (int i = 0; i < fanOut; i++) {
            strings.add("s" + i);
        }
        List<Object> lists = new ArrayList<>(fanOut);
        for (int i = 0; i < fanOut; i++) {
            lists.add(strings);
        }
        Map<Object, Object> map = linked ? new java.util.LinkedHashMap<>() : new HashMap<>();
        map.put("key", lists);
        List<Object> refs = new ArrayList<>(references);
        for (int i = 0; i < references; i++) {
            refs.add(map);
        }
        Set<Object> set = new HashSet<>();
        List<Object> holder = new ArrayList<>();
        set.add(holder); // while it is empty: hashing it full would take as long here
        holder.add(refs);
        return new Object[] {map, set};
    }

    /**
     * The lists of {@link #backReferenceFanOut} written one after the other in an array, before
     * the set that holds the top one: each list then holds only back-references (its elements
     * were written before it), none of them written inside it.
     */
    public static Object[] backReferenceFanOutListsFirst(int fanOut, int levels) {
        Object[] root = new Object[levels + 2];
        List<Object> below = new ArrayList<>(List.of("safeload"));
        root[0] = below;
        for (int level = 1; level < levels; level++) {
            List<Object> list = new ArrayList<>(fanOut);
            for (int i = 0; i < fanOut; i++) {
                list.add(below);
            }
            root[level] = list;
            below = list;
        }
        // The set takes the top list while it is empty: hashing it full would take as long here.
        Set<Object> set = new HashSet<>();
        set.add("first");
        List<Object> top = new ArrayList<>(fanOut);
        set.add(top);
        for (int i = 0; i < fanOut; i++) {
            top.add(below);
        }
        root[levels] = top;
        root[levels + 1] = set;
        return root;
    }

    /**
     * {@code depth} nested {@code ArrayList}s, each holding the next, with every size field
     * rewritten to claim {@code claim} elements: each list allocates its array before reading
     * the list inside it, so a few hundred bytes hold depth * claim references.
     */
    public static byte[] nestedListClaims(int depth, int claim) throws IOException {
        List<Object> inner = new ArrayList<>();
        for (int i = 0; i < depth; i++) {
            List<Object> outer = new ArrayList<>();
            outer.add(inner);
            inner = outer;
        }
        byte[] bytes = serialize(inner);
        // The size field (1), then the block data with the capacity ArrayList.writeObject adds (1).
        byte[] sizeOne = {0, 0, 0, 1, 0x77, 4, 0, 0, 0, 1};
        int patched = 0;
        for (int i = 0; i <= bytes.length - sizeOne.length; i++) {
            if (java.util.Arrays.equals(bytes, i, i + sizeOne.length, sizeOne, 0, sizeOne.length)) {
                bytes[i] = (byte) (claim >>> 24);
                bytes[i + 1] = (byte) (claim >>> 16);
                bytes[i + 2] = (byte) (claim >>> 8);
                bytes[i + 3] = (byte) claim;
                patched++;
            }
        }
        if (patched != depth) {
            throw new IllegalStateException("patched " + patched + " lists of " + depth);
        }
        return bytes;
    }

    /**
     * A {@code HashSet} of {@code count} distinct {@code BitSet}s that share one hash code: each
     * insertion compares with every earlier one. Written from a set of BitSets with distinct
     * words, which are then rewritten in the bytes, so this JVM never hashes the colliding ones.
     */
    public static byte[] collidingBitSets(int count) throws IOException {
        Set<Object> set = new HashSet<>();
        for (int k = 1; k <= count; k++) {
            set.add(java.util.BitSet.valueOf(new long[] {BIT_SET_MARKER | k}));
        }
        return collideBitSets(serialize(set), count);
    }

    /**
     * A {@code ConcurrentHashMap} whose {@code count} keys are distinct {@code BitSet}s that share
     * one hash code, as {@link #collidingBitSets}: BitSets do not compare, so once a bin holds
     * eight the map builds a tree of them that it must search whole at every put, and it builds
     * its table only after the last entry is read, past every filter checkpoint.
     */
    public static byte[] collidingBitSetKeys(int count) throws IOException {
        java.util.concurrent.ConcurrentHashMap<Object, Object> map = new java.util.concurrent.ConcurrentHashMap<>();
        for (int k = 1; k <= count; k++) {
            map.put(java.util.BitSet.valueOf(new long[] {BIT_SET_MARKER | k}), Boolean.TRUE);
        }
        return collideBitSets(serialize(map), count);
    }

    private static final long BIT_SET_MARKER = 0x5AFE_C0DE_0000_0000L;

    /** Rewrites the words {@link #BIT_SET_MARKER} {@code | k} of {@code count} BitSets so that their hash codes are one. */
    private static byte[] collideBitSets(byte[] bytes, int count) {
        long marker = BIT_SET_MARKER;
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
        int rewritten = 0;
        for (int i = 0; i + 8 <= bytes.length; i++) {
            long word = buffer.getLong(i);
            if ((word & 0xFFFF_FFFF_0000_0000L) == marker) {
                long k = word & 0xFFFF_FFFFL;
                // BitSet.hashCode folds 1234 ^ word into an int as high ^ low: k cancels out.
                buffer.putLong(i, (k << 32) | (k ^ 0x1234_5678L));
                rewritten++;
                i += 7;
            }
        }
        if (rewritten != count) {
            throw new IllegalStateException("rewrote " + rewritten + " of " + count);
        }
        return bytes;
    }

    /**
     * A {@code Hashtable} (or, with {@code properties}, a {@code Properties}) of {@code 2^bits}
     * distinct String keys with one hash code: "Aa" and "BB" hash alike, so every string of
     * {@code bits} such pairs does. Each value is a String of its own, so no entry passes a
     * filter checkpoint. Written from placeholder keys of the same length, then rewritten in the
     * bytes, so this JVM never puts the colliding ones in a table.
     */
    public static byte[] collidingStringKeys(int bits, boolean properties) throws IOException {
        return collidingStringKeys(bits, properties ? new java.util.Properties() : new java.util.Hashtable<>());
    }

    /** {@link #collidingStringKeys(int, boolean)} in {@code table}, an empty {@code Hashtable} of any class. */
    public static byte[] collidingStringKeys(int bits, java.util.Map<Object, Object> table) throws IOException {
        int count = 1 << bits;
        String pad = "z".repeat(2 * bits - 10);
        for (int k = 0; k < count; k++) {
            table.put(String.format("\u0001K%08x", k) + pad, Integer.toString(k));
        }
        return collideStrings(serialize(table), bits, count);
    }

    /**
     * {@code Set.of} (or, with {@code map}, {@code Map.of}, each key with a String value) of
     * {@code 2^bits} distinct Strings that share one hash code, as {@link
     * #collidingStringKeys(int, boolean)}: their serial proxy's {@code readResolve} probes a table
     * linearly, past every earlier key, in one call. Written from placeholders of the same
     * length, then rewritten in the bytes, so this JVM never builds the colliding collection.
     */
    public static byte[] collidingImmutableCollection(int bits, boolean map) throws IOException {
        int count = 1 << bits;
        String pad = "z".repeat(2 * bits - 10);
        String[] keys = new String[count];
        java.util.Map<String, String> entries = new java.util.HashMap<>();
        for (int k = 0; k < count; k++) {
            keys[k] = String.format("\u0001K%08x", k) + pad;
            entries.put(keys[k], Integer.toString(k));
        }
        return collideStrings(serialize(map ? java.util.Map.copyOf(entries) : Set.of(keys)), bits, count);
    }

    /**
     * Rewrites the {@code count} placeholders (U+0001, "K", k in hex, padding) of {@code 2 * bits}
     * characters in {@code bytes} into strings of {@code bits} pairs, "Aa" or "BB" by the bits of
     * {@code k}: distinct strings that share one hash code.
     */
    private static byte[] collideStrings(byte[] bytes, int bits, int count) {
        int rewritten = 0;
        for (int i = 0; i + 2 * bits <= bytes.length; i++) {
            if (bytes[i] == 1 && bytes[i + 1] == 'K') {
                int k = Integer.parseInt(new String(bytes, i + 2, 8, StandardCharsets.US_ASCII), 16);
                for (int pair = 0; pair < bits; pair++) {
                    boolean bb = (k >>> pair & 1) != 0;
                    bytes[i + 2 * pair] = (byte) (bb ? 'B' : 'A');
                    bytes[i + 2 * pair + 1] = (byte) (bb ? 'B' : 'a');
                }
                rewritten++;
                i += 2 * bits - 1;
            }
        }
        if (rewritten != count) {
            throw new IllegalStateException("rewrote " + rewritten + " of " + count);
        }
        return bytes;
    }

    /**
     * A {@code PriorityQueue} of {@code count} references to {@code first} and {@code second} in
     * turn: each written once, every other element a 5-byte back-reference, and {@code heapify}
     * compares them about twice per element after the last one is read. Written from a queue of
     * Integers that the stream's replacement turns into the two values, so this JVM never orders
     * them.
     */
    public static byte[] repeatedPriorityQueue(int count, Object first, Object second) throws IOException {
        java.util.PriorityQueue<Integer> queue = new java.util.PriorityQueue<>();
        for (int i = 0; i < count; i++) {
            queue.add(i);
        }
        return withIntegersReplaced(queue, first, second);
    }

    /**
     * A {@code ConcurrentSkipListMap} of {@code count} keys, written as references to
     * {@code first} and {@code second} in turn (each with the value {@code true}): its
     * {@code readObject} compares each key with the one before as it reads them, so every
     * checkpoint of the stream (a back-reference) runs one comparison. The two must compare equal
     * (the map refuses keys out of order).
     */
    public static byte[] repeatedSkipListKeys(int count, Object first, Object second) throws IOException {
        java.util.concurrent.ConcurrentSkipListMap<Integer, Boolean> map = new java.util.concurrent.ConcurrentSkipListMap<>();
        for (int i = 0; i < count; i++) {
            map.put(i, Boolean.TRUE);
        }
        return withIntegersReplaced(map, first, second);
    }

    /** {@code container} serialized with each even Integer in it replaced by {@code first}, each odd one by {@code second}. */
    private static byte[] withIntegersReplaced(Object container, Object first, Object second) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes) {
            {
                enableReplaceObject(true);
            }

            @Override
            protected Object replaceObject(Object obj) {
                return obj instanceof Integer i ? (i % 2 == 0 ? first : second) : obj;
            }
        }) {
            out.writeObject(container);
        }
        return bytes.toByteArray();
    }

    /**
     * {@link #collidingStringKeys(int, boolean)} as XStream writes a {@code Hashtable} subclass,
     * {@code tableClass} (its {@code SerializableConverter}: {@code Hashtable.writeObject}'s
     * fields and entries, which {@code Hashtable.readObject} reads back through XStream's
     * stream that overrides {@code readObject}). Written as text: XStream would need java.util
     * opened to this JVM to write it.
     */
    public static String collidingStringKeysXStream(int bits, String tableClass) {
        int count = 1 << bits;
        StringBuilder xml = new StringBuilder(count * 64);
        xml.append('<').append(tableClass).append(" serialization=\"custom\">\n  <unserializable-parents/>\n")
                .append("  <hashtable>\n    <default>\n      <loadFactor>0.75</loadFactor>\n")
                .append("      <threshold>").append(count * 3 / 2).append("</threshold>\n    </default>\n")
                .append("    <int>").append(count * 2 - 1).append("</int>\n")
                .append("    <int>").append(count).append("</int>\n");
        char[] key = new char[2 * bits];
        for (int k = 0; k < count; k++) {
            for (int pair = 0; pair < bits; pair++) {
                boolean bb = (k >>> pair & 1) != 0;
                key[2 * pair] = bb ? 'B' : 'A';
                key[2 * pair + 1] = bb ? 'B' : 'a';
            }
            xml.append("    <string>").append(key).append("</string>\n    <string>").append(k).append("</string>\n");
        }
        return xml.append("  </hashtable>\n</").append(tableClass).append(">\n").toString();
    }

    /** An int[] whose length field claims almost 2^31 elements: 8 GB the heap cannot hold. */
    public static byte[] hugeIntArrayClaim() throws IOException {
        byte[] bytes = serialize(new int[4]);
        int at = bytes.length - 4 * 4 - 4;
        bytes[at] = 0x7f;
        bytes[at + 1] = (byte) 0xff;
        bytes[at + 2] = (byte) 0xff;
        bytes[at + 3] = (byte) 0xf0;
        return bytes;
    }

    /** A stream naming a class that is on no class path, as a gadget probe does. */
    public static byte[] unresolvableClass() throws IOException {
        byte[] bytes = serialize(new Probe());
        String from = Probe.class.getName();
        String to = "dev.safeload.it.victim.Prxbe";
        return replace(bytes, from, to);
    }

    /**
     * A stream of {@link Semaphore#GREEN} with the enum's name swapped for {@code target}'s, so
     * the descriptor flags {@code target} as an enum (SC_ENUM) whatever it really is.
     */
    public static byte[] enumFlagged(Class<?> target) throws IOException {
        return replace(serialize(Semaphore.GREEN), Semaphore.class.getName(), target.getName());
    }

    /** A proxy for an interface the policy does not allow, with an allowed handler. */
    public static Object proxyOfSecret() {
        return proxyOf(Secret.class);
    }

    /** A proxy for {@code type}, with an allowed handler. */
    public static Object proxyOf(Class<?> type) {
        return Proxy.newProxyInstance(Payloads.class.getClassLoader(), new Class<?>[] {type}, new EchoHandler());
    }

    public static Object swapper() {
        return new Swapper();
    }

    /** An envelope whose readObject opens a SignedObject holding {@code inner}. */
    public static Object signedEnvelope(Serializable inner) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024);
        KeyPair keys = generator.generateKeyPair();
        return new Envelope(new SignedObject(inner, keys.getPrivate(), Signature.getInstance("SHA256withRSA")));
    }

    /** An envelope whose readObject opens a MarshalledObject holding {@code inner}. */
    public static Object marshalledEnvelope(Serializable inner) throws Exception {
        return new Envelope(new MarshalledObject<>(inner));
    }

    public static byte[] serialize(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    private static byte[] replace(byte[] bytes, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.UTF_8);
        byte[] t = to.getBytes(StandardCharsets.UTF_8);
        if (f.length != t.length) {
            throw new IllegalArgumentException("same length only");
        }
        byte[] out = bytes.clone();
        outer:
        for (int i = 0; i <= out.length - f.length; i++) {
            for (int j = 0; j < f.length; j++) {
                if (out[i + j] != f[j]) {
                    continue outer;
                }
            }
            System.arraycopy(t, 0, out, i, t.length);
            return out;
        }
        throw new IllegalArgumentException(from + " not found");
    }

    private static void set(Object target, String field, Object value) throws ReflectiveOperationException {
        Class<?> type = target.getClass();
        while (type != null) {
            try {
                Field f = type.getDeclaredField(field);
                f.setAccessible(true);
                f.set(target, value);
                return;
            } catch (NoSuchFieldException e) {
                type = type.getSuperclass();
            }
        }
        throw new NoSuchFieldException(field);
    }
}
