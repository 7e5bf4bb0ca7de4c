package dev.safeload.instrument.hessian;

import dev.safeload.instrument.edit.EntryHook;
import java.util.List;

/**
 * Hessian 4's inputs: {@code Hessian2Input.addRef}, and Hessian 1's {@code HessianInput.addRef}
 * (what {@code HessianServlet} reads v1 calls with), entered as each list, map or object begins,
 * before anything can refer back to it. The input's reference list {@code _refs} is swapped,
 * once, for one that spends the expanded size of every object a back-reference ({@code Q} in
 * Hessian 2, {@code R} in Hessian 1) takes from it, inline in {@code readObject}, from the
 * document's {@code serial.maxWork} ({@code HessianBridge.countReferences}).
 */
public final class Hessian2InputInstrumentation {

    /** The hooked classes, as constants the agent can read without loading this class. */
    public static final String TRIGGER = "com.caucho.hessian.io.Hessian2Input";
    /** Hessian 1's input: its own {@code _refs}, an {@code ArrayList} too, created by its first {@code addRef}. */
    public static final String V1 = "com.caucho.hessian.io.HessianInput";

    private Hessian2InputInstrumentation() {
    }

    /** The hook of {@code className}, one of the two inputs; refusals name its own {@code readObject}. */
    public static List<EntryHook> hooks(String className) {
        return List.of(EntryHook.at(className, "addRef").descriptor("(Ljava/lang/Object;)I")
                .constant("hessian").constant(className + ".readObject").self().hookedClass()
                .constant(SerializerFactoryInstrumentation.EXCEPTION)
                .throwsReturned("dev.safeload.deser.HessianBridge", "countReferences"));
    }
}
