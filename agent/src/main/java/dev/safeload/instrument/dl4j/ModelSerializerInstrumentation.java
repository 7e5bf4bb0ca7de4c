package dev.safeload.instrument.dl4j;

import dev.safeload.instrument.edit.EntryHook;
import dev.safeload.model.gate.ModelLoadGate;
import java.util.List;

/**
 * DL4J: {@code ModelSerializer}. Every {@code restoreMultiLayerNetwork} and
 * {@code restoreComputationGraph} overload (file, path, stream, with or without the normalizer)
 * funnels into a private helper taking the stream, which is checked (read whole and handed on)
 * before DL4J unzips it and reads {@code preprocessor.bin} with {@code ObjectInputStream}. The
 * normalizer readers and {@code getObjectFromFile} are checked at their own entry:
 * {@code restoreNormalizerFromFile} swallows a failure of the stream reader and falls back to
 * a plain {@code ObjectInputStream} over the file.
 */
public final class ModelSerializerInstrumentation {

    /** The hooked class, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "org.deeplearning4j.util.ModelSerializer";

    private ModelSerializerInstrumentation() {
    }

    public static List<EntryHook> hooks() {
        return List.of(stream("restoreMultiLayerNetworkHelper"), stream("restoreComputationGraphHelper"),
                stream("restoreNormalizerFromInputStream"), file("restoreNormalizerFromFile"), file("getObjectFromFile"));
    }

    private static EntryHook stream(String method) {
        return EntryHook.at(TRIGGER, method).firstParameter("java.io.InputStream")
                .constant("dl4j").hookedMethod().argument(0).hookedClass().constant("java.io.IOException")
                .replacesArgument(0, ModelLoadGate.class.getName(), "checkArgument");
    }

    private static EntryHook file(String method) {
        return EntryHook.at(TRIGGER, method).firstParameter("java.io.File")
                .constant("dl4j").hookedMethod().argument(0).hookedClass().constant("java.lang.IllegalStateException")
                .throwsReturned(ModelLoadGate.class.getName(), "check");
    }
}
