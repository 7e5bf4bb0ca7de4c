package dev.safeload.instrument.kryo;

import dev.safeload.instrument.edit.EntryHook;
import java.util.List;

/**
 * Kryo 5: its two reference resolvers ({@code MapReferenceResolver}, the one
 * {@code setReferences(true)} installs, and {@code ListReferenceResolver}). {@code reset}, which
 * Kryo calls when a top-level read ends, begins the next document's {@code serial.maxWork}
 * budget; the references are counted at {@code Kryo.readReferenceOrNull}
 * ({@link KryoInstrumentation}).
 */
public final class ReferenceResolverInstrumentation {

    /** The hooked classes, as constants the agent can read without loading this class. */
    public static final String MAP_TRIGGER = "com.esotericsoftware.kryo.util.MapReferenceResolver";
    public static final String LIST_TRIGGER = "com.esotericsoftware.kryo.util.ListReferenceResolver";

    private ReferenceResolverInstrumentation() {
    }

    public static List<EntryHook> hooks(String className) {
        return List.of(EntryHook.at(className, "reset").descriptor("()V").self()
                .throwsReturned("dev.safeload.deser.KryoBridge", "referencesReset"));
    }
}
