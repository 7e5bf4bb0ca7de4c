package dev.safeload.bench.startup;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The startup probe: reads one serialized map from a file and exits ({@code write FILE} makes
 * the file). JDK classes only, so the jar needs nothing else on the class path.
 */
public final class ReadOneSerializedMap {

    private ReadOneSerializedMap() {
    }

    public static void main(String[] args) throws IOException, ClassNotFoundException {
        Path file = Path.of(args[args.length - 1]);
        if (args[0].equals("write")) {
            Map<String, Object> m = new HashMap<>();
            m.put("model", "sentiment-v3");
            m.put("requestId", Long.valueOf(81_234_567_890L));
            m.put("temperature", Double.valueOf(0.7d));
            m.put("tags", new ArrayList<>(List.of("prod", "eu-west")));
            m.put("at", Instant.parse("2026-11-27T02:00:00Z"));
            m.put("embedding", new float[] {0.1f, 0.2f, 0.3f});
            try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(file))) {
                out.writeObject(m);
            }
            return;
        }
        try (ObjectInputStream in = new ObjectInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            Map<?, ?> m = (Map<?, ?>) in.readObject();
            if (m.size() != 6) {
                throw new IllegalStateException("read " + m);
            }
        }
    }
}
