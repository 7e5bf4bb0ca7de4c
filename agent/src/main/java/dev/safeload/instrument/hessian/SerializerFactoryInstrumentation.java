package dev.safeload.instrument.hessian;

import dev.safeload.instrument.edit.EntryHook;
import java.util.List;

/**
 * Hessian 4: {@code SerializerFactory.getDeserializer(String)}, called with every type name a
 * stream carries (object definitions, typed maps and lists, arrays) before
 * {@code loadSerializedClass} loads it, and {@code loadDeserializer(Class)}, called once per
 * class and factory before Hessian makes the deserializer that instantiates it, also for a class
 * the stream never names (the declared type of a field). A refusal is a
 * {@code HessianProtocolException}, an {@code IOException} Hessian's callers handle.
 */
public final class SerializerFactoryInstrumentation {

    /** The hooked class, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "com.caucho.hessian.io.SerializerFactory";

    static final String ENTRY_POINT = "com.caucho.hessian.io.Hessian2Input.readObject";
    static final String EXCEPTION = "com.caucho.hessian.io.HessianProtocolException";

    private SerializerFactoryInstrumentation() {
    }

    public static List<EntryHook> hooks() {
        return List.of(
                EntryHook.at(TRIGGER, "getDeserializer").descriptor("(Ljava/lang/String;)Lcom/caucho/hessian/io/Deserializer;")
                        .constant("hessian").constant(ENTRY_POINT).argument(0).self().hookedClass().constant(EXCEPTION)
                        .throwsReturned("dev.safeload.deser.HessianBridge", "checkTypeName"),
                EntryHook.at(TRIGGER, "loadDeserializer").descriptor("(Ljava/lang/Class;)Lcom/caucho/hessian/io/Deserializer;")
                        .constant("hessian").constant(ENTRY_POINT).argument(0).hookedClass().constant(EXCEPTION)
                        .throwsReturned("dev.safeload.deser.HessianBridge", "checkDeserializedClass"));
    }
}
