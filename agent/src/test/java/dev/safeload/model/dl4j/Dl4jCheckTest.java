package dev.safeload.model.dl4j;

import static dev.safeload.model.Scans.assertAllowed;
import static dev.safeload.model.Scans.assertBlocked;
import static dev.safeload.model.Scans.scan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.safeload.model.ScanResult;
import dev.safeload.model.Severity;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

/** DL4J ModelSerializer zips; the real restore path is run in ModelLibraryHooksTest. */
class Dl4jCheckTest {

    static final String CONFIG = "{\"backpropType\":\"Standard\",\"confs\":[{\"layer\":{\"@class\":"
            + "\"org.deeplearning4j.nn.conf.layers.DenseLayer\",\"activationFn\":{\"@class\":"
            + "\"org.nd4j.linalg.activations.impl.ActivationReLU\"},\"nin\":2,\"nout\":2}}],\"dataType\":\"FLOAT\"}";

    /** Stands in for a class no serial policy allows. */
    static final class Marker implements Serializable {
        int x = 1;
    }

    private static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
            }
        }
        return out.toByteArray();
    }

    private static Map<String, byte[]> model(String config) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("configuration.json", config.getBytes(StandardCharsets.UTF_8));
        m.put("coefficients.bin", new byte[] {1, 2, 3, 4});
        return m;
    }

    private static byte[] serialize(Object o) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(b)) {
            out.writeObject(o);
        }
        return b.toByteArray();
    }

    @Test
    void allowsModelWhoseClassesAreDl4jOwn() throws IOException {
        ScanResult r = scan("model.zip", zip(model(CONFIG)));
        assertAllowed(r);
        assertEquals(List.of("dl4j"), r.formats());
    }

    @Test
    void refusesConfigurationNamingAForeignClass() throws IOException {
        String foreign = CONFIG.replace("org.nd4j.linalg.activations.impl.ActivationReLU", "com.acme.Runs");
        assertBlocked(scan("model.zip", zip(model(foreign))), "dl4j.config.class", Severity.HIGH);
        assertBlocked(scan("model.zip", zip(model(CONFIG + "x"))), "dl4j.config.malformed", Severity.HIGH);
    }

    @Test
    void refusesPreprocessorThatFailsTheSerialPolicy() throws IOException {
        Map<String, byte[]> m = model(CONFIG);
        m.put("preprocessor.bin", serialize(new Marker()));
        assertBlocked(scan("model.zip", zip(m)), "serial.class", Severity.HIGH);
    }

    @Test
    void refusesNormalizerWithForeignCustomStrategy() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(b)) {
            out.writeUTF("NORMALIZER");
            out.writeInt(1);
            out.writeUTF("CUSTOM");
            out.writeUTF("com.acme.Strategy");
        }
        Map<String, byte[]> m = model(CONFIG);
        m.put("normalizer.bin", b.toByteArray());
        assertBlocked(scan("model.zip", zip(m)), "dl4j.normalizer.class", Severity.HIGH);
    }

    @Test
    void refusesUnknownEntry() throws IOException {
        Map<String, byte[]> m = model(CONFIG);
        m.put("objects/extra", new byte[] {9, 9, 9});
        assertBlocked(scan("model.zip", zip(m)), "model.format.unknown", Severity.HIGH);
    }
}
