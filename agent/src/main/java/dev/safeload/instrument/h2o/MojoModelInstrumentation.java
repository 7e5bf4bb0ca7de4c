package dev.safeload.instrument.h2o;

import dev.safeload.instrument.edit.EntryHook;
import dev.safeload.model.gate.ModelLoadGate;
import java.util.List;

/**
 * H2O: {@code MojoModel.load(String)} funnels into {@code load(String, boolean)}, which opens the
 * zip or folder itself, past {@code MojoReaderBackendFactory}; checked before it does.
 */
public final class MojoModelInstrumentation {

    /** The hooked class, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "hex.genmodel.MojoModel";

    private MojoModelInstrumentation() {
    }

    public static List<EntryHook> hooks() {
        return List.of(EntryHook.at(TRIGGER, "load").arguments(2).firstParameter("java.lang.String")
                .constant("hex.genmodel.MojoModel.load").argument(0).hookedClass()
                .throwsReturned(ModelLoadGate.class.getName(), "checkH2oMojo"));
    }
}
