package dev.safeload.instrument.hessian;

import dev.safeload.instrument.edit.EntryHook;
import java.util.ArrayList;
import java.util.List;

/**
 * Hessian 4's deserializers that allocate for a length the stream claims before reading what
 * it claims: {@code ArrayDeserializer} and {@code BasicDeserializer} (object and primitive
 * arrays) in {@code readList(in, length)} (Hessian 1's fixed-length lists) and
 * {@code readLengthList(in, length)} (Hessian 2's), and the deserializers' {@code createFields(len)},
 * which an object definition's field count sizes. Eleven bytes, a typed list {@code [int} of
 * 200,000,000 elements, were an {@code OutOfMemoryError} under {@code -Xmx256m}
 * ({@code HessianBridge.checkArrayLength}, {@code checkFieldCount}).
 */
public final class DeserializerLengthInstrumentation {

    /** The hooked classes, as constants the agent can read without loading this class. */
    public static final String ARRAY = "com.caucho.hessian.io.ArrayDeserializer";
    public static final String BASIC = "com.caucho.hessian.io.BasicDeserializer";
    public static final String ABSTRACT = "com.caucho.hessian.io.AbstractDeserializer";
    public static final String JAVA = "com.caucho.hessian.io.JavaDeserializer";
    public static final String UNSAFE = "com.caucho.hessian.io.UnsafeDeserializer";

    private static final String READ = "(Lcom/caucho/hessian/io/AbstractHessianInput;I)Ljava/lang/Object;";

    private DeserializerLengthInstrumentation() {
    }

    public static List<EntryHook> hooks(String className) {
        List<EntryHook> hooks = new ArrayList<>();
        if (className.equals(ARRAY) || className.equals(BASIC)) {
            for (String method : new String[] {"readList", "readLengthList"}) {
                hooks.add(EntryHook.at(className, method).descriptor(READ)
                        .constant("hessian").constant(SerializerFactoryInstrumentation.ENTRY_POINT).self().argument(0)
                        .argument(1).hookedClass().constant(SerializerFactoryInstrumentation.EXCEPTION)
                        .throwsReturned("dev.safeload.deser.HessianBridge", "checkArrayLength"));
            }
        }
        if (className.equals(ABSTRACT) || className.equals(JAVA) || className.equals(UNSAFE)) {
            hooks.add(EntryHook.at(className, "createFields").descriptor("(I)[Ljava/lang/Object;")
                    .constant("hessian").constant(SerializerFactoryInstrumentation.ENTRY_POINT).argument(0)
                    .hookedClass().constant(SerializerFactoryInstrumentation.EXCEPTION)
                    .throwsReturned("dev.safeload.deser.HessianBridge", "checkFieldCount"));
        }
        return hooks;
    }
}
