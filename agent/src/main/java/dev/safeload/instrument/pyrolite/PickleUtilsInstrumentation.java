package dev.safeload.instrument.pyrolite;

import dev.safeload.instrument.edit.EntryHook;
import java.util.List;

/**
 * Pyrolite (and its successor {@code net.razorvine:pickle}, same package):
 * {@code PickleUtils.readbytes(InputStream, int)}, which allocates {@code new byte[length]} for
 * every length-prefixed pickle value before reading it ({@code readbytes(InputStream, long)}
 * checks the range and calls it). The length is judged before the allocation
 * ({@code PyroliteBridge.checkLength}); a refusal is a {@code PickleException}.
 */
public final class PickleUtilsInstrumentation {

    /** The hooked class, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "net.razorvine.pickle.PickleUtils";

    private PickleUtilsInstrumentation() {
    }

    public static List<EntryHook> hooks() {
        return List.of(EntryHook.at(TRIGGER, "readbytes").descriptor("(Ljava/io/InputStream;I)[B")
                .constant("pyrolite").constant("net.razorvine.pickle.Unpickler.load").argument(0).argument(1)
                .hookedClass().constant("net.razorvine.pickle.PickleException")
                .throwsReturned("dev.safeload.deser.PyroliteBridge", "checkLength"));
    }
}
