package dev.safeload.instrument.kryo;

import dev.safeload.instrument.edit.EntryHook;
import java.util.List;

/**
 * Kryo 5: {@code CollectionSerializer.create} and {@code MapSerializer.create}, which get the
 * element count the stream gave and size the new collection or map for it ({@code new
 * ArrayList(size)}, {@code new HashMap(size)}) before a single element is read. The count is
 * judged first ({@code KryoBridge.checkLength}).
 */
public final class CollectionSerializerInstrumentation {

    /** The hooked classes, as constants the agent can read without loading this class. */
    public static final String TRIGGER = "com.esotericsoftware.kryo.serializers.CollectionSerializer";
    public static final String MAP_TRIGGER = "com.esotericsoftware.kryo.serializers.MapSerializer";

    private CollectionSerializerInstrumentation() {
    }

    public static List<EntryHook> hooks(String className) {
        return List.of(EntryHook.at(className, "create").descriptor(
                        "(Lcom/esotericsoftware/kryo/Kryo;Lcom/esotericsoftware/kryo/io/Input;Ljava/lang/Class;I)"
                                + (className.equals(TRIGGER) ? "Ljava/util/Collection;" : "Ljava/util/Map;"))
                .constant("kryo").constant(KryoInstrumentation.ENTRY_POINT).argument(1).argument(3)
                .constant("[Ljava.lang.Object;").hookedClass().constant(KryoInstrumentation.EXCEPTION)
                .throwsReturned("dev.safeload.deser.KryoBridge", "checkLength"));
    }
}
