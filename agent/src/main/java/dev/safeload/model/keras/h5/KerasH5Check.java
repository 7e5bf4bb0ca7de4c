package dev.safeload.model.keras.h5;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.safeload.model.Finding;
import dev.safeload.model.keras.KerasConfig;
import dev.safeload.model.FormatCheck;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ScanContext;
import dev.safeload.model.Severity;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks Keras 2 / tf.keras HDF5 models: the architecture in the root attribute
 * {@code model_config} (and the compile settings in {@code training_config}) must not rebuild a
 * {@code Lambda} layer or any object from outside Keras. A file without {@code model_config}
 * holds weights only, which Keras loads into layers it already has. Either way no weight may
 * read its bytes from outside the file ({@link H5Storage}).
 */
public final class KerasH5Check implements FormatCheck {

    /** The root attributes Keras deserializes objects from when it loads an HDF5 model. */
    private static final List<String> CONFIG_ATTRIBUTES = List.of("model_config", "training_config");

    private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1A, '\n'};

    public KerasH5Check() {
    }

    @Override
    public String format() {
        return "keras-h5";
    }

    /** The HDF5 signature at 0, or after a user block of 512, 1024, 2048... bytes. */
    @Override
    public boolean sniff(byte[] head, long size) {
        for (long offset = 0; offset + SIGNATURE.length <= head.length; offset = offset == 0 ? 512 : offset * 2) {
            if (signatureAt(head, (int) offset)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public List<Finding> check(ModelSource source, ScanContext context) throws IOException {
        List<Finding> findings = new ArrayList<>();
        String name = source.name();
        // HdfFile is not closed: over a channel it has no file to name and close() throws; the
        // channel holds no resources of its own, and the caller closes the source.
        try (SourceChannel channel = new SourceChannel(source)) {
            HdfFile hdf = new HdfFile(channel);
            for (String attributeName : CONFIG_ATTRIBUTES) {
                Attribute attribute = hdf.getAttribute(attributeName);
                if (attribute == null) {
                    continue;
                }
                String json = text(attribute.getData());
                String where = name + "!/@" + attributeName;
                if (json == null) {
                    findings.add(new Finding("keras.config.malformed", Severity.HIGH, where,
                            attributeName + " is not a string"));
                    continue;
                }
                try {
                    KerasConfig.inspect(new StringReader(json), where, findings);
                } catch (JsonProcessingException e) {
                    findings.add(new Finding("keras.config.malformed", Severity.HIGH, where,
                            attributeName + " is not valid JSON: " + e.getOriginalMessage()));
                }
            }
            H5Storage.inspect(hdf, name, findings);
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            // jHDF reports every structural problem as an unchecked HdfException; a hostile file
            // can also claim huge lengths or deep nesting. Either way the config cannot be read.
            findings.add(new Finding("keras.h5.unreadable", Severity.HIGH, name,
                    "not a readable HDF5 file, so its model config cannot be checked: " + e));
        }
        return findings;
    }

    private static String text(Object data) {
        if (data instanceof String s) {
            return s;
        }
        if (data instanceof String[] array && array.length == 1) {
            return array[0];
        }
        if (data instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return null;
    }

    private static boolean signatureAt(byte[] head, int offset) {
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (head[offset + i] != SIGNATURE[i]) {
                return false;
            }
        }
        return true;
    }
}
