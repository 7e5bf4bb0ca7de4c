package dev.safeload.instrument.kryo;

import dev.safeload.instrument.edit.EntryHook;
import java.util.List;

/**
 * Kryo 5: its two reference resolvers ({@code MapReferenceResolver}, the one
 * {@code setReferences(true)} installs, and {@code ListReferenceResolver}).
 * {@code getReadObject} is entered for every back-reference the stream makes, before the object
 * it names is handed to the collection that will hash it: its expanded size is spent from the
 * document's {@code serial.maxWork} ({@code KryoBridge.referenceRead}). {@code reset}, which Kryo
 * calls when a top-level read ends, begins the next document's budget.
 */
public final class ReferenceResolverInstrumentation {

    /** The hooked classes, as constants the agent can read without loading this class. */
    public static final String MAP_TRIGGER = "com.esotericsoftware.kryo.util.MapReferenceResolver";
    public static final String LIST_TRIGGER = "com.esotericsoftware.kryo.util.ListReferenceResolver";

    private ReferenceResolverInstrumentation() {
    }

    public static List<EntryHook> hooks(String className) {
        return List.of(
                EntryHook.at(className, "getReadObject").descriptor("(Ljava/lang/Class;I)Ljava/lang/Object;")
                        .constant("kryo").constant(KryoInstrumentation.ENTRY_POINT).self().argument(0).argument(1)
                        .hookedClass().constant(KryoInstrumentation.EXCEPTION)
                        .throwsReturned("dev.safeload.deser.KryoBridge", "referenceRead"),
                EntryHook.at(className, "reset").descriptor("()V").self()
                        .throwsReturned("dev.safeload.deser.KryoBridge", "referencesReset"));
    }
}
