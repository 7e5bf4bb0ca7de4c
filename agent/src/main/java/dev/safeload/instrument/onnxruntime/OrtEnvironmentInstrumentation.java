package dev.safeload.instrument.onnxruntime;

import dev.safeload.instrument.edit.EntryHook;
import dev.safeload.model.gate.ModelLoadGate;
import java.util.List;

/**
 * ONNX Runtime: every {@code OrtEnvironment.createSession} overload (path, {@code byte[]},
 * {@code ByteBuffer}) funnels into a three-argument one, which is checked before the native
 * runtime sees the model.
 */
public final class OrtEnvironmentInstrumentation {

    /** The hooked class, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "ai.onnxruntime.OrtEnvironment";

    private OrtEnvironmentInstrumentation() {
    }

    public static List<EntryHook> hooks() {
        return List.of(EntryHook.at(TRIGGER, "createSession").arguments(3)
                .constant("onnxruntime").constant("ai.onnxruntime.OrtEnvironment.createSession").argument(0)
                .hookedClass().constant("ai.onnxruntime.OrtException")
                .throwsReturned(ModelLoadGate.class.getName(), "check"));
    }
}
