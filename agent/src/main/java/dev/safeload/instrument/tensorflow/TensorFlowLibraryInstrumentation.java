package dev.safeload.instrument.tensorflow;

import dev.safeload.instrument.edit.EntryHook;
import dev.safeload.model.gate.ModelLoadGate;
import java.util.List;

/** TensorFlow Java (experimental): {@code TensorFlow.loadLibrary} loads native op code, refused by default. */
public final class TensorFlowLibraryInstrumentation {

    /** The hooked class, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "org.tensorflow.TensorFlow";

    private TensorFlowLibraryInstrumentation() {
    }

    public static List<EntryHook> hooks() {
        return List.of(EntryHook.at(TRIGGER, "loadLibrary").arguments(1)
                .constant("tensorflow").constant("org.tensorflow.TensorFlow.loadLibrary").argument(0).hookedClass()
                .constant("org.tensorflow.exceptions.TensorFlowException")
                .throwsReturned(ModelLoadGate.class.getName(), "checkNativeLibrary"));
    }
}
