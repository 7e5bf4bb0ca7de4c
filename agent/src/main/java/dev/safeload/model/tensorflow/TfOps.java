package dev.safeload.model.tensorflow;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** The op allowlist of {@code ops.txt}: what each TensorFlow op name is to the check. */
final class TfOps {

    enum Kind { ALLOW, CHECKPOINT, DENY }

    record Entry(Kind kind, String reason) {
    }

    private static final Map<String, Entry> OPS = load();

    private TfOps() {
    }

    /** The entry for {@code op}, or null for an op on no list (unknown, so refused). */
    static Entry of(String op) {
        return OPS.get(op);
    }

    private static Map<String, Entry> load() {
        Map<String, Entry> ops = new HashMap<>();
        try (InputStream in = TfOps.class.getResourceAsStream("ops.txt");
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split(" ", 3);
                Kind kind = Kind.valueOf(parts[0].toUpperCase(Locale.ROOT));
                if (ops.put(parts[1], new Entry(kind, parts.length > 2 ? parts[2] : "")) != null) {
                    throw new IllegalStateException("ops.txt lists " + parts[1] + " twice");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.copyOf(ops);
    }
}
