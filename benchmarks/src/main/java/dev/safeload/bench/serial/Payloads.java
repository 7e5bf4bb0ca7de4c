package dev.safeload.bench.serial;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The two streams the ObjectInputStream benchmarks read: an RPC-sized map and a 20,000-object graph. */
public final class Payloads {

    /** Rows in {@link #graph()}; each row writes 16 objects, so the stream holds 20,000. */
    static final int GRAPH_ROWS = 1250;

    private Payloads() {
    }

    /**
     * What one RPC request carries: a map of twelve entries (strings, numbers, a list, an
     * instant and a float[]).
     */
    public static Map<String, Object> rpc() {
        Map<String, Object> m = new HashMap<>();
        m.put("model", "sentiment-v3");
        m.put("tenant", "acme-eu");
        m.put("user", "u-5521");
        m.put("locale", "en-GB");
        m.put("requestId", Long.valueOf(81_234_567_890L));
        m.put("deadlineMillis", Long.valueOf(1_500L));
        m.put("temperature", Double.valueOf(0.7d));
        m.put("topP", Float.valueOf(0.95f));
        m.put("maxTokens", Integer.valueOf(40_000));
        m.put("tags", new ArrayList<>(List.of("prod", "eu-west", "canary")));
        m.put("at", Instant.parse("2026-11-27T02:00:00Z"));
        m.put("embedding", new float[] {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f});
        return m;
    }

    /**
     * Rows of maps with lists and a double[]: 1,250 rows of 16 distinct objects each (map, Long,
     * String, Double, a list of 4 strings, a list of 5 Integers, a double[16]); the keys are
     * shared, so they are written once and then referenced.
     */
    public static List<Map<String, Object>> graph() {
        List<Map<String, Object>> rows = new ArrayList<>(GRAPH_ROWS);
        for (int i = 0; i < GRAPH_ROWS; i++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", Long.valueOf(1_000_000L + i));
            row.put("name", "row-" + i);
            row.put("score", Double.valueOf(i * 0.25));
            List<String> tags = new ArrayList<>(4);
            List<Integer> counts = new ArrayList<>(5);
            for (int k = 0; k < 4; k++) {
                tags.add("t" + i + "-" + k);
            }
            for (int k = 0; k < 5; k++) {
                counts.add(Integer.valueOf(100_000 + i * 5 + k));
            }
            row.put("tags", tags);
            row.put("counts", counts);
            double[] features = new double[16];
            for (int k = 0; k < features.length; k++) {
                features[k] = i + k / 16.0;
            }
            row.put("features", features);
            rows.add(row);
        }
        return rows;
    }

    public static byte[] serialize(Object o) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
