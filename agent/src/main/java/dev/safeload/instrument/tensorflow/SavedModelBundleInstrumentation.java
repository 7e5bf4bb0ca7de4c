package dev.safeload.instrument.tensorflow;

import dev.safeload.instrument.edit.EntryHook;
import dev.safeload.model.gate.ModelLoadGate;
import java.util.List;

/** TensorFlow Java (experimental: not tested against the real jar): {@code SavedModelBundle.load(dir, tags...)}. */
public final class SavedModelBundleInstrumentation {

    /** The hooked class, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "org.tensorflow.SavedModelBundle";

    private SavedModelBundleInstrumentation() {
    }

    public static List<EntryHook> hooks() {
        return List.of(EntryHook.at(TRIGGER, "load").firstParameter("java.lang.String")
                .constant("tensorflow").constant("org.tensorflow.SavedModelBundle.load").argument(0).hookedClass()
                .constant("org.tensorflow.exceptions.TensorFlowException")
                .throwsReturned(ModelLoadGate.class.getName(), "check"));
    }
}
