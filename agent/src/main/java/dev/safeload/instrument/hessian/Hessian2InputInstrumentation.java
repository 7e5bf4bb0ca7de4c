package dev.safeload.instrument.hessian;

import dev.safeload.instrument.edit.EntryHook;
import java.util.List;

/**
 * Hessian 4: {@code Hessian2Input.addRef}, entered as each list, map or object begins, before
 * anything can refer back to it. The input's reference list {@code _refs} is swapped, once, for
 * one that spends the expanded size of every object a back-reference ({@code Q}) takes from it,
 * inline in {@code readObject}, from the document's {@code serial.maxWork}
 * ({@code HessianBridge.countReferences}).
 */
public final class Hessian2InputInstrumentation {

    /** The hooked class, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "com.caucho.hessian.io.Hessian2Input";

    private Hessian2InputInstrumentation() {
    }

    public static List<EntryHook> hooks() {
        return List.of(EntryHook.at(TRIGGER, "addRef").descriptor("(Ljava/lang/Object;)I")
                .constant("hessian").constant(SerializerFactoryInstrumentation.ENTRY_POINT).self().hookedClass()
                .constant(SerializerFactoryInstrumentation.EXCEPTION)
                .throwsReturned("dev.safeload.deser.HessianBridge", "countReferences"));
    }
}
