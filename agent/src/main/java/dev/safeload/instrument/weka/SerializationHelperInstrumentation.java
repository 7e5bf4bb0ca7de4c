package dev.safeload.instrument.weka;

import dev.safeload.instrument.edit.EntryHook;
import java.util.List;

/**
 * Weka: {@code SerializationHelper.read(String)} and {@code readAll(String)} check the model file
 * before Weka opens it. The stream it then reads is also checked class by class by the
 * {@code ObjectInputStream} guard.
 */
public final class SerializationHelperInstrumentation {

    /** The hooked class, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "weka.core.SerializationHelper";

    private SerializationHelperInstrumentation() {
    }

    public static List<EntryHook> hooks() {
        return List.of(read("read", "(Ljava/lang/String;)Ljava/lang/Object;"),
                read("readAll", "(Ljava/lang/String;)[Ljava/lang/Object;"));
    }

    private static EntryHook read(String method, String descriptor) {
        return EntryHook.at(TRIGGER, method).descriptor(descriptor)
                .constant("weka").constant("weka.core.SerializationHelper.read").argument(0).hookedClass()
                .constant("java.io.InvalidClassException")
                .throwsReturned("dev.safeload.model.gate.ModelLoadGate", "check");
    }
}
