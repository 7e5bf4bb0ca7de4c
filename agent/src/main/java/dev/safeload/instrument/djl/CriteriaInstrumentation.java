package dev.safeload.instrument.djl;

import dev.safeload.instrument.edit.EntryHook;
import dev.safeload.model.gate.ModelLoadGate;
import java.util.List;

/**
 * DJL: {@code Criteria.loadModel()} (and {@code ModelZoo.loadModel(criteria)}, which calls it)
 * is checked before DJL looks up an engine.
 */
public final class CriteriaInstrumentation {

    /** The hooked class, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "ai.djl.repository.zoo.Criteria";

    private CriteriaInstrumentation() {
    }

    public static List<EntryHook> hooks() {
        return List.of(EntryHook.at(TRIGGER, "loadModel").arguments(0).self().hookedClass()
                .throwsReturned(ModelLoadGate.class.getName(), "checkDjlCriteria"));
    }
}
