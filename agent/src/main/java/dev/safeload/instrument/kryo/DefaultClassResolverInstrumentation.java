package dev.safeload.instrument.kryo;

import dev.safeload.instrument.edit.EntryHook;
import java.util.List;

/**
 * Kryo 5: {@code DefaultClassResolver.getTypeByName(String)}, which {@code readName} calls with
 * each class name the stream writes (the first time a graph names it), before
 * {@code Class.forName} loads the class and before anything is instantiated. The name is judged
 * by the policy ({@code KryoBridge.checkName}); a refusal is a {@code KryoException}.
 */
public final class DefaultClassResolverInstrumentation {

    /** The hooked class, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "com.esotericsoftware.kryo.util.DefaultClassResolver";

    private DefaultClassResolverInstrumentation() {
    }

    public static List<EntryHook> hooks() {
        return List.of(EntryHook.at(TRIGGER, "getTypeByName").descriptor("(Ljava/lang/String;)Ljava/lang/Class;")
                .constant("kryo").constant(KryoInstrumentation.ENTRY_POINT).argument(0).hookedClass()
                .constant(KryoInstrumentation.EXCEPTION)
                .throwsReturned("dev.safeload.deser.KryoBridge", "checkName"));
    }
}
