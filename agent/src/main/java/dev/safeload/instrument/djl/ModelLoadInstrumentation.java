package dev.safeload.instrument.djl;

import dev.safeload.instrument.edit.EntryHook;
import dev.safeload.model.gate.ModelLoadGate;
import java.util.List;

/**
 * DJL engines: {@code Model.load(Path, String, Map)} of every engine's model class, which is
 * also where a model downloaded from a remote zoo is finally read from disk.
 */
public final class ModelLoadInstrumentation {

    /** The package whose {@code ai.djl.Model} implementations are hooked, as a constant the agent reads without loading this class. */
    public static final String TRIGGER = "ai.djl.";

    private ModelLoadInstrumentation() {
    }

    public static List<EntryHook> hooks() {
        return List.of(EntryHook.inSubtypes(TRIGGER, "ai.djl.Model", "load").arguments(3).firstParameter("java.nio.file.Path")
                .constant("djl").constant("ai.djl.Model.load").argument(0).hookedClass()
                .constant("ai.djl.MalformedModelException")
                .throwsReturned(ModelLoadGate.class.getName(), "check"));
    }
}
