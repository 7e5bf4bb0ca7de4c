package dev.safeload.presets;

import dev.safeload.policy.SerialLimits;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;

/**
 * A model trained in the test, the bytes its library wrote for it, what it predicted before it
 * was written, and how the library reads it back.
 */
record TrainedModel(String name, byte[] bytes, List<?> expected, Opener opener, Loader loader,
                    Predictor predictor, SerialLimits limits) {

    TrainedModel(String name, byte[] bytes, List<?> expected, Opener opener, Loader loader,
                 Predictor predictor) {
        this(name, bytes, expected, opener, loader, predictor, SerialLimits.DEFAULTS);
    }

    /**
     * This model marked as needing larger limits than {@link SerialLimits#DEFAULTS}: a finding
     * to report, kept in the tests so that the number stays measured.
     */
    TrainedModel needing(SerialLimits larger) {
        return new TrainedModel(name, bytes, expected, opener, loader, predictor, larger);
    }

    /** Opens the stream the library reads models with (a plain one unless it has its own). */
    interface Opener {
        ObjectInputStream open(InputStream in) throws Exception;
    }

    /** Reads the model the way the library does once the stream is open. */
    interface Loader {
        Object load(ObjectInputStream in) throws Exception;
    }

    /** The model's predictions on the test's held-out rows. */
    interface Predictor {
        List<?> predict(Object model) throws Exception;
    }

    /** A model written with a plain ObjectOutputStream and read with one readObject call. */
    static TrainedModel javaSerialized(String name, Object model, Predictor predictor) throws Exception {
        return new TrainedModel(name, writeObject(model), predictor.predict(model),
                ObjectInputStream::new, ObjectInputStream::readObject, predictor);
    }

    static byte[] writeObject(Object model) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(model);
        }
        return bytes.toByteArray();
    }

    /** Reads the model back with {@code filter} installed on the library's own stream. */
    Object readThrough(RecordingPolicyFilter filter) throws Exception {
        try (ObjectInputStream in = opener.open(new ByteArrayInputStream(bytes))) {
            in.setObjectInputFilter(filter);
            return loader.load(in);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
