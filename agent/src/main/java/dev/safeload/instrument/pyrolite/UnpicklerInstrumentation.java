package dev.safeload.instrument.pyrolite;

import dev.safeload.instrument.edit.EntryHook;
import java.util.List;

/**
 * Pyrolite's {@code Unpickler}: {@code load(InputStream)} starts a load's budget, and
 * {@code dispatch(short)}, before each opcode, samples its CPU and judges the keys an opcode is
 * about to hash ({@code PyroliteBridge.opcode}); {@code SetConstructor.construct}, the
 * {@code builtins.set} of protocols 0 to 3, is judged likewise ({@code PyroliteBridge.setElements}),
 * and {@code AnyClassConstructor.construct}'s text for a {@code decimal.Decimal}
 * ({@code PyroliteBridge.constructorArguments}).
 * A refusal is a {@code PickleException}.
 */
public final class UnpicklerInstrumentation {

    /** The hooked classes, as constants the agent can read without loading this class. */
    public static final String TRIGGER = "net.razorvine.pickle.Unpickler";
    public static final String SET_CONSTRUCTOR = "net.razorvine.pickle.objects.SetConstructor";
    public static final String ANY_CLASS_CONSTRUCTOR = "net.razorvine.pickle.objects.AnyClassConstructor";

    private static final String BRIDGE = "dev.safeload.deser.PyroliteBridge";
    private static final String ENTRY_POINT = "net.razorvine.pickle.Unpickler.load";
    private static final String EXCEPTION = "net.razorvine.pickle.PickleException";

    private UnpicklerInstrumentation() {
    }

    public static List<EntryHook> hooks(String className) {
        if (className.equals(SET_CONSTRUCTOR)) {
            return List.of(EntryHook.at(SET_CONSTRUCTOR, "construct").descriptor("([Ljava/lang/Object;)Ljava/lang/Object;")
                    .constant("pyrolite").constant(ENTRY_POINT).argument(0).hookedClass().constant(EXCEPTION)
                    .throwsReturned(BRIDGE, "setElements"));
        }
        if (className.equals(ANY_CLASS_CONSTRUCTOR)) {
            return List.of(EntryHook.at(ANY_CLASS_CONSTRUCTOR, "construct").descriptor("([Ljava/lang/Object;)Ljava/lang/Object;")
                    .constant("pyrolite").constant(ENTRY_POINT).self().through(BRIDGE, "constructedType", "Ljava/lang/Object;")
                    .argument(0).hookedClass().constant(EXCEPTION)
                    .throwsReturned(BRIDGE, "constructorArguments"));
        }
        return List.of(EntryHook.at(TRIGGER, "load").descriptor("(Ljava/io/InputStream;)Ljava/lang/Object;")
                        .self().calls("dev.safeload.deser.ReferenceBudget", "documentStarts"),
                EntryHook.at(TRIGGER, "dispatch").descriptor("(S)Ljava/lang/Object;")
                        .constant("pyrolite").constant(ENTRY_POINT).self().argument(0)
                        // The stack's items and mark, read in Pyrolite's classes: field reads the JIT inlines.
                        .self().through(BRIDGE, "pickleItems", "Ljava/lang/Object;")
                        .self().through(BRIDGE, "pickleMark", "Ljava/lang/Object;")
                        .self().through(BRIDGE, "pickleInput", "Ljava/lang/Object;")
                        .hookedClass().constant(EXCEPTION)
                        .throwsReturned(BRIDGE, "opcode"));
    }
}
