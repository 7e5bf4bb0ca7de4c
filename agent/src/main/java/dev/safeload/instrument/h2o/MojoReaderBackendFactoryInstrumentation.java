package dev.safeload.instrument.h2o;

import dev.safeload.instrument.edit.EntryHook;
import dev.safeload.model.gate.ModelLoadGate;
import java.util.List;

/**
 * H2O: {@code MojoReaderBackendFactory.createReaderBackend} for a file or folder (the
 * {@code String} overload calls it) and for a stream (the {@code URL} overload calls it, and so
 * does a classpath resource). A stream is read whole for the check and the factory gets the same bytes.
 */
public final class MojoReaderBackendFactoryInstrumentation {

    /** The hooked class, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "hex.genmodel.MojoReaderBackendFactory";

    private static final String METHOD = "hex.genmodel.MojoReaderBackendFactory.createReaderBackend";

    private MojoReaderBackendFactoryInstrumentation() {
    }

    public static List<EntryHook> hooks() {
        return List.of(
                EntryHook.at(TRIGGER, "createReaderBackend").firstParameter("java.io.File")
                        .constant(METHOD).argument(0).hookedClass()
                        .throwsReturned(ModelLoadGate.class.getName(), "checkH2oMojo"),
                EntryHook.at(TRIGGER, "createReaderBackend").firstParameter("java.io.InputStream")
                        .constant("h2o").constant(METHOD).argument(0).hookedClass().constant("java.io.IOException")
                        .replacesArgument(0, ModelLoadGate.class.getName(), "checkArgument"));
    }
}
