package dev.safeload.instrument.kryo;

import dev.safeload.instrument.edit.EntryHook;
import java.util.List;

/**
 * Kryo 5: {@code CollectionSerializer.create} and {@code MapSerializer.create}, which get the
 * element count the stream gave and size the new collection or map for it ({@code new
 * ArrayList(size)}, {@code new HashMap(size)}) before a single element is read. The count is
 * judged first ({@code KryoBridge.checkLength}); so is the count of the serializers that override
 * {@code create} with a sized collection ({@code PriorityQueue}, {@code List.of}), and the length
 * {@code ObjectArraySerializer.read} reads for an {@code Object[]}, and
 * {@code StringArraySerializer.read} for a {@code String[]} ({@code KryoBridge.checkObjectArrayLength}).
 */
public final class CollectionSerializerInstrumentation {

    /** The hooked classes, as constants the agent can read without loading this class. */
    public static final String TRIGGER = "com.esotericsoftware.kryo.serializers.CollectionSerializer";
    public static final String MAP_TRIGGER = "com.esotericsoftware.kryo.serializers.MapSerializer";
    /** Serializers that override {@code create} and size the collection they make by the count: their bridge method. */
    public static final String PRIORITY_QUEUE = "com.esotericsoftware.kryo.serializers.DefaultSerializers$PriorityQueueSerializer";
    public static final String IMMUTABLE_LIST =
            "com.esotericsoftware.kryo.serializers.ImmutableCollectionsSerializers$JdkImmutableListSerializer";
    /** {@code ObjectArraySerializer.read}, which reads the array's length itself and allocates it at once. */
    public static final String OBJECT_ARRAY = "com.esotericsoftware.kryo.serializers.DefaultArraySerializers$ObjectArraySerializer";
    /** {@code StringArraySerializer.read}: the same shape, a {@code String[]} of the length it reads. */
    public static final String STRING_ARRAY = "com.esotericsoftware.kryo.serializers.DefaultArraySerializers$StringArraySerializer";

    private CollectionSerializerInstrumentation() {
    }

    public static List<EntryHook> hooks(String className) {
        if (className.equals(OBJECT_ARRAY) || className.equals(STRING_ARRAY)) {
            return List.of(EntryHook.at(className, "read")
                    .descriptor("(Lcom/esotericsoftware/kryo/Kryo;Lcom/esotericsoftware/kryo/io/Input;Ljava/lang/Class;)"
                            + (className.equals(OBJECT_ARRAY) ? "[Ljava/lang/Object;" : "[Ljava/lang/String;"))
                    .constant("kryo").constant(KryoInstrumentation.ENTRY_POINT)
                    .constant(className.equals(OBJECT_ARRAY) ? "[Ljava.lang.Object;" : "[Ljava.lang.String;")
                    .argument(1).hookedClass().constant(KryoInstrumentation.EXCEPTION)
                    .throwsReturned("dev.safeload.deser.KryoBridge", "checkObjectArrayLength"));
        }
        return List.of(EntryHook.at(className, "create").descriptor(
                        "(Lcom/esotericsoftware/kryo/Kryo;Lcom/esotericsoftware/kryo/io/Input;Ljava/lang/Class;I)"
                                + (className.equals(MAP_TRIGGER) ? "Ljava/util/Map;" : "Ljava/util/Collection;"))
                .constant("kryo").constant(KryoInstrumentation.ENTRY_POINT).argument(1).argument(3)
                .constant("[Ljava.lang.Object;").hookedClass().constant(KryoInstrumentation.EXCEPTION)
                .throwsReturned("dev.safeload.deser.KryoBridge", "checkLength"));
    }
}
