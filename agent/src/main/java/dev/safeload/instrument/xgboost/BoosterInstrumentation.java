package dev.safeload.instrument.xgboost;

import dev.safeload.instrument.edit.EntryHook;
import dev.safeload.model.gate.ModelLoadGate;
import java.util.List;

/**
 * XGBoost4J: {@code Booster.loadModel(String)} and {@code Booster.loadModel(byte[])}, which every
 * public entry funnels into ({@code XGBoost.loadModel} with a path, bytes or an
 * {@code InputStream}, and the Scala API), checked before the native library parses the model.
 */
public final class BoosterInstrumentation {

    /** The hooked class, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "ml.dmlc.xgboost4j.java.Booster";

    private BoosterInstrumentation() {
    }

    public static List<EntryHook> hooks() {
        return List.of(loadModel("java.lang.String"), loadModel("byte[]"));
    }

    private static EntryHook loadModel(String parameter) {
        return EntryHook.at(TRIGGER, "loadModel").arguments(1).firstParameter(parameter)
                .constant("xgboost").constant("ml.dmlc.xgboost4j.java.Booster.loadModel").argument(0).hookedClass()
                .constant("ml.dmlc.xgboost4j.java.XGBoostError")
                .throwsReturned(ModelLoadGate.class.getName(), "check");
    }
}
