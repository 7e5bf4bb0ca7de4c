package dev.safeload.instrument.pyrolite;

import dev.safeload.instrument.edit.EntryHook;
import java.util.List;

/**
 * Pyrolite (and its successor {@code net.razorvine:pickle}, same package):
 * {@code PickleUtils.readbytes(InputStream, int)}, which allocates {@code new byte[length]} for
 * every length-prefixed pickle value before reading it ({@code readbytes(InputStream, long)}
 * checks the range and calls it). The length is judged before the allocation
 * ({@code PyroliteBridge.checkLength}). And {@code PickleUtils.readline(InputStream, boolean)},
 * where every line is read ({@code Unpickler.load_long}'s {@code readline(InputStream)} calls it)
 * and so a protocol-0 {@code LONG}'s decimal text: that line is read through a bound
 * ({@code PyroliteBridge.longLine}), from any stream. A refusal is a {@code PickleException}.
 */
public final class PickleUtilsInstrumentation {

    /** The hooked class, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "net.razorvine.pickle.PickleUtils";

    private PickleUtilsInstrumentation() {
    }

    public static List<EntryHook> hooks() {
        return List.of(EntryHook.at(TRIGGER, "readbytes").descriptor("(Ljava/io/InputStream;I)[B")
                        .constant("pyrolite").constant(ENTRY_POINT).argument(0).argument(1)
                        .hookedClass().constant(EXCEPTION)
                        .throwsReturned(BRIDGE, "checkLength"),
                EntryHook.at(TRIGGER, "readline").descriptor("(Ljava/io/InputStream;Z)Ljava/lang/String;")
                        .constant("pyrolite").constant(ENTRY_POINT).argument(0)
                        .hookedClass().constant(EXCEPTION)
                        .replacesArgument(0, BRIDGE, "longLine"));
    }

    private static final String BRIDGE = "dev.safeload.deser.PyroliteBridge";
    private static final String ENTRY_POINT = "net.razorvine.pickle.Unpickler.load";
    private static final String EXCEPTION = "net.razorvine.pickle.PickleException";
}
