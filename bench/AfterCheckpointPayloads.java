import java.io.*;
import java.math.*;
import java.nio.file.*;
import java.util.*;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Session 18's payloads (BENCHMARKS.md, "Session 18"): JDK containers that do their costly work
 * after their last filter checkpoint, each with a benign one of its kind, and three tiny streams
 * for what a JVM's first use of each edited class costs. Written into DIR; read each with
 * bench/ReadOnce.java, with and without the agent.
 *
 *   java bench/AfterCheckpointPayloads.java /tmp/p18
 *   javac -d /tmp/ro bench/ReadOnce.java
 *   java -javaagent:agent/target/safeload-agent.jar=log=/tmp/v.jsonl -cp /tmp/ro ReadOnce /tmp/p18/setof-colliding.ser
 */
public class AfterCheckpointPayloads {
    public static void main(String[] a) throws Exception {
        Path dir = Files.createDirectories(Path.of(a[0]));
        // ConcurrentHashMap of BitSet keys with one hash code (words rewritten after writing, as in DenialOfServiceTest).
        for (int n : new int[] {1 << 14, 1 << 15}) {
            Map<Object, Object> map = new ConcurrentHashMap<>();
            for (int k = 1; k <= n; k++) map.put(BitSet.valueOf(new long[] {0x5AFE_C0DE_0000_0000L | k}), Boolean.TRUE);
            byte[] bytes = serialize(map, null);
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
            for (int i = 0; i + 8 <= bytes.length; i++) {
                long word = buffer.getLong(i);
                if ((word & 0xFFFF_FFFF_0000_0000L) == 0x5AFE_C0DE_0000_0000L) {
                    long k = word & 0xFFFF_FFFFL;
                    buffer.putLong(i, (k << 32) | (k ^ 0x1234_5678L));
                    i += 7;
                }
            }
            Files.write(dir.resolve("chm-colliding-" + n + ".ser"), bytes);
        }
        // Set.of and Map.of of 65,536 strings of "Aa"/"BB" pairs: placeholders replaced as they are written.
        String[] placeholders = new String[1 << 16];
        Map<String, String> pairs = new HashMap<>();
        for (int k = 0; k < placeholders.length; k++) {
            placeholders[k] = "P" + k;
            pairs.put(placeholders[k], "v");
        }
        Map<Object, Object> colliding = new HashMap<>();
        for (int k = 0; k < placeholders.length; k++) {
            StringBuilder s = new StringBuilder();
            for (int bit = 0; bit < 16; bit++) s.append((k >>> bit & 1) != 0 ? "BB" : "Aa");
            colliding.put(placeholders[k], s.toString());
        }
        Files.write(dir.resolve("setof-colliding.ser"), serialize(Set.of(placeholders), colliding));
        Files.write(dir.resolve("mapof-colliding.ser"), serialize(Map.copyOf(pairs), colliding));
        // PriorityQueues of back-references to two large values in turn.
        String x = "x".repeat(1 << 20);
        Files.write(dir.resolve("pq-strings.ser"), repeated(400_000, x, x.substring(1) + "y"));
        Files.write(dir.resolve("pq-bigdecimal.ser"), repeated(8_000, BigDecimal.ONE,
                new BigDecimal(BigInteger.TEN.pow(99_999).add(BigInteger.ONE), 99_999)));
        // Benign ones of each kind.
        String[] users = new String[500_000];
        Map<String, Integer> entries = new HashMap<>();
        for (int i = 0; i < users.length; i++) {
            users[i] = "user-" + i;
            if (i < 300_000) entries.put(users[i], i);
        }
        Files.write(dir.resolve("setof-users.ser"), serialize(Set.of(users), null));
        Files.write(dir.resolve("mapof-users.ser"), serialize(Map.copyOf(entries), null));
        Map<Object, Integer> lists = new ConcurrentHashMap<>();
        for (int i = 0; i < 100_000; i++) lists.put(List.of(i, "x" + i), i);
        Files.write(dir.resolve("chm-lists.ser"), serialize(lists, null));
        Files.write(dir.resolve("pq-users.ser"), serialize(new PriorityQueue<>(Arrays.asList(users).subList(0, 200_000)), null));
        // The first use of each edited class.
        Files.write(dir.resolve("first-chm.ser"), serialize(new ConcurrentHashMap<>(Map.of("a", 1, "b", 2)), null));
        Files.write(dir.resolve("first-setof.ser"), serialize(Set.of("a", "b", "c"), null));
        Files.write(dir.resolve("first-pq.ser"), serialize(new PriorityQueue<>(List.of("b", "a", "c")), null));
        System.out.println("wrote " + Arrays.toString(dir.toFile().list()));
    }

    /** A PriorityQueue of count Integers, each written as first or second in turn. */
    static byte[] repeated(int count, Object first, Object second) throws IOException {
        PriorityQueue<Integer> queue = new PriorityQueue<>();
        for (int i = 0; i < count; i++) queue.add(i);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes) {
            { enableReplaceObject(true); }
            @Override protected Object replaceObject(Object o) { return o instanceof Integer i ? (i % 2 == 0 ? first : second) : o; }
        }) {
            out.writeObject(queue);
        }
        return bytes.toByteArray();
    }

    /** value serialized, each object that is a key of replace written as its value. */
    static byte[] serialize(Object value, Map<Object, Object> replace) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes) {
            { enableReplaceObject(replace != null); }
            @Override protected Object replaceObject(Object o) { return replace.getOrDefault(o, o); }
        }) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }
}
