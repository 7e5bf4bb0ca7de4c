package dev.safeload.instrument.kryo;

import dev.safeload.instrument.edit.EntryHook;
import java.util.List;

/**
 * Kryo 5: {@code Kryo.newInstantiator(Class)}, which Kryo calls once per registration before
 * it builds the first instance of a class, also one the stream never names (a field whose
 * declared type Kryo does not write). The class is judged by the policy, and a class that is not
 * {@code Serializable} and would be built without a constructor by
 * {@code serial.allowWithoutConstructor} ({@code KryoBridge.checkInstantiation}). Its read
 * methods, each entered once per object read, refuse nesting deeper than {@code serial.maxDepth}
 * (Kryo's own {@code maxDepth} is unbounded by default, and deep nesting ends in a
 * {@code StackOverflowError}). {@code readReferenceOrNull}, entered before every object read
 * with references on, spends the expanded size of the object a back-reference names from the
 * document's {@code serial.maxWork} ({@code KryoBridge.referenceAhead}).
 */
public final class KryoInstrumentation {

    /** The hooked class, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "com.esotericsoftware.kryo.Kryo";

    /** Kryo's read methods share this class; the log names the outermost one on the stack. */
    static final String ENTRY_POINT = "com.esotericsoftware.kryo.Kryo.readClassAndObject";
    static final String EXCEPTION = "com.esotericsoftware.kryo.KryoException";

    private KryoInstrumentation() {
    }

    public static List<EntryHook> hooks() {
        return List.of(EntryHook.at(TRIGGER, "newInstantiator")
                .descriptor("(Ljava/lang/Class;)Lorg/objenesis/instantiator/ObjectInstantiator;")
                .constant("kryo").constant(ENTRY_POINT).self().argument(0).hookedClass().constant(EXCEPTION)
                .throwsReturned("dev.safeload.deser.KryoBridge", "checkInstantiation"),
                // serial.maxDepth: every nested read goes through one of these, with the objects open in Kryo.depth.
                EntryHook.at(TRIGGER, "readObject").constant("kryo").constant(ENTRY_POINT).self().argument(1)
                        .hookedClass().constant(EXCEPTION).throwsReturned("dev.safeload.deser.KryoBridge", "readDepth"),
                EntryHook.at(TRIGGER, "readObjectOrNull").constant("kryo").constant(ENTRY_POINT).self().argument(1)
                        .hookedClass().constant(EXCEPTION).throwsReturned("dev.safeload.deser.KryoBridge", "readDepth"),
                // serial.maxWork: before getReadObject, whose exceptions Kryo wraps in its own message.
                EntryHook.at(TRIGGER, "readReferenceOrNull")
                        .descriptor("(Lcom/esotericsoftware/kryo/io/Input;Ljava/lang/Class;Z)I")
                        .constant("kryo").constant(ENTRY_POINT).self().argument(0).argument(1).hookedClass()
                        .constant(EXCEPTION).throwsReturned("dev.safeload.deser.KryoBridge", "referenceAhead"),
                EntryHook.at(TRIGGER, "readClassAndObject").descriptor("(Lcom/esotericsoftware/kryo/io/Input;)Ljava/lang/Object;")
                        .constant("kryo").constant(ENTRY_POINT).self().constant("java.lang.Object")
                        .hookedClass().constant(EXCEPTION).throwsReturned("dev.safeload.deser.KryoBridge", "readDepth"));
    }
}
