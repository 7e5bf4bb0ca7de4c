import java.io.*;
import java.math.*;
import java.nio.file.*;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Session 19's streams (BENCHMARKS.md, "Session 19"): a ConcurrentSkipListMap whose keys are
 * references to 1 and to 1 at SCALE in turn (equal values, so in order), COUNT of them. Its
 * readObject compares each key with the one before as it reads, so every checkpoint of the
 * stream runs one comparison that multiplies by 10^SCALE. "cost" times one such comparison.
 * Read with bench/ReadOnce.java, with and without the agent.
 *
 *   java bench/SkipListPayloads.java write 99999 2000 /tmp/sk/cslm-100k-2000.ser
 *   java bench/SkipListPayloads.java cost 400000 3
 *   javac -d /tmp/ro bench/ReadOnce.java
 *   java -javaagent:agent/target/safeload-agent.jar=log=/tmp/v.jsonl -cp /tmp/ro ReadOnce /tmp/sk/cslm-100k-2000.ser
 */
public class SkipListPayloads {
    public static void main(String[] a) throws Exception {
        int scale = Integer.parseInt(a[1]);
        int count = Integer.parseInt(a[2]);
        BigDecimal one = BigDecimal.ONE;
        BigDecimal scaled = new BigDecimal(BigInteger.TEN.pow(scale), scale);
        if (a[0].equals("cost")) {
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                one.compareTo(scaled);
            }
            System.out.println("one comparison: " + (System.nanoTime() - start) / 1e6 / count + " ms");
            return;
        }
        ConcurrentSkipListMap<Integer, Boolean> map = new ConcurrentSkipListMap<>();
        for (int i = 0; i < count; i++) {
            map.put(i, Boolean.TRUE);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes) {
            {
                enableReplaceObject(true);
            }

            @Override
            protected Object replaceObject(Object o) {
                return o instanceof Integer i ? (i % 2 == 0 ? one : scaled) : o;
            }
        }) {
            out.writeObject(map);
        }
        Files.createDirectories(Path.of(a[3]).toAbsolutePath().getParent());
        Files.write(Path.of(a[3]), bytes.toByteArray());
        System.out.println(a[3] + " " + bytes.size() + " bytes");
    }
}
