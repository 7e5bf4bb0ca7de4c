package dev.safeload.instrument.onnxruntime;

import dev.safeload.instrument.edit.EntryHook;
import dev.safeload.model.gate.ModelLoadGate;
import java.util.List;

/**
 * ONNX Runtime custom operators are native libraries loaded into the process: refused unless
 * the policy allows native libraries.
 */
public final class SessionOptionsInstrumentation {

    /** The hooked class, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "ai.onnxruntime.OrtSession$SessionOptions";

    private SessionOptionsInstrumentation() {
    }

    public static List<EntryHook> hooks() {
        // The public one-argument methods; their private native namesakes take the session's handles.
        return List.of(register("registerCustomOpLibrary"), register("registerCustomOpsUsingFunction"));
    }

    private static EntryHook register(String method) {
        return EntryHook.at(TRIGGER, method).arguments(1)
                .constant("onnxruntime").hookedMethod().argument(0).hookedClass().constant("ai.onnxruntime.OrtException")
                .throwsReturned(ModelLoadGate.class.getName(), "checkNativeLibrary");
    }
}
