package dev.safeload.fuzz;

import dev.safeload.serial.StreamGuardFuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Writes the synthesized seeds: Java serialization streams for the stream walker and the guard
 * (allowed values, and classes the policy refuses). Run once by hand:
 * {@code java -cp <fuzz test class path> dev.safeload.fuzz.SeedCorpus fuzz/src/test/resources}.
 * The other seeds are copies of shared/corpus and of the agent's test fixtures.
 */
public final class SeedCorpus {

    /** Serializable, outside every allowlist. */
    public static final class Unlisted implements Serializable {
        public Object value;
    }

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0]);
        Map<String, Object> streams = new LinkedHashMap<>();
        streams.put("string", "hello");
        streams.put("integers", new ArrayList<>(List.of(1, 2, 3)));
        Map<String, Object> map = new HashMap<>();
        map.put("weights", new double[] {1.0, 2.0});
        map.put("names", new String[] {"a", "b"});
        map.put("scale", new BigDecimal("1.5"));
        streams.put("map", map);
        streams.put("nested", new ArrayList<>(List.of(new ArrayList<>(List.of(new TreeSet<>(List.of("x", "y")))), TimeUnit.SECONDS)));
        streams.put("array2d", new int[][] {{1, 2}, {3}});
        Unlisted u = new Unlisted();
        u.value = "x";
        streams.put("unlisted", u);
        StreamGuardFuzzTest.Canary c = new StreamGuardFuzzTest.Canary();
        c.payload = new ArrayList<>(List.of("p"));
        streams.put("canary", c);
        streams.put("canary_in_map", new HashMap<>(Map.of("k", new StreamGuardFuzzTest.Canary())));
        streams.put("unlisted_array", new Unlisted[] {new Unlisted()});
        streams.put("proxy", Proxy.newProxyInstance(SeedCorpus.class.getClassLoader(), new Class<?>[] {Comparable.class},
                (java.lang.reflect.InvocationHandler & Serializable) (p, m, a) -> 0));
        streams.put("url", new java.net.URL("http://example.invalid/"));
        streams.put("list_of_lists", Arrays.asList(new Object[] {List.of(1), Map.of("a", 1)}));

        for (Map.Entry<String, Object> e : streams.entrySet()) {
            byte[] bytes = serialize(e.getValue());
            write(root.resolve("dev/safeload/serial/StreamGuardFuzzTestInputs/guard/" + e.getKey() + ".ser"), bytes);
            write(root.resolve("dev/safeload/model/javaserial/SerialStreamWalkerFuzzTestInputs/walk/" + e.getKey() + ".ser"), bytes);
        }
    }

    private static byte[] serialize(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }
}
