package dev.safeload.instrument.hessian;

import dev.safeload.instrument.edit.EntryHook;
import java.util.List;

/**
 * Hessian 4: {@code ClassDeserializer.create(String)}, which turns the name inside a
 * {@code java.lang.Class} value into a class ({@code Class.forName}, initialising it when the
 * factory has no class loader). The name is judged by the policy, as {@code ObjectInputStream}
 * judges a class object in its stream.
 */
public final class ClassDeserializerInstrumentation {

    /** The hooked class, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "com.caucho.hessian.io.ClassDeserializer";

    private ClassDeserializerInstrumentation() {
    }

    public static List<EntryHook> hooks() {
        return List.of(EntryHook.at(TRIGGER, "create").descriptor("(Ljava/lang/String;)Ljava/lang/Object;")
                .constant("hessian").constant(SerializerFactoryInstrumentation.ENTRY_POINT).argument(0).hookedClass()
                .constant(SerializerFactoryInstrumentation.EXCEPTION)
                .throwsReturned("dev.safeload.deser.HessianBridge", "checkClassValue"));
    }
}
