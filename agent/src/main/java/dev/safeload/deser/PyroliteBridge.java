package dev.safeload.deser;

import dev.safeload.policy.Decision;
import dev.safeload.policy.Mode;
import dev.safeload.policy.Policy;
import java.io.ByteArrayInputStream;

/**
 * What the hook in Pyrolite's {@code PickleUtils.readbytes(InputStream, int)} calls: every
 * length-prefixed pickle value ({@code BINBYTES}, {@code BINUNICODE}, {@code LONG4}, their
 * 8-byte forms, {@code BYTEARRAY8}) is a {@code new byte[length]} made before a byte of it is
 * read, so seven bytes can ask for 2 GB. A length is refused, before the allocation, when
 * <ul>
 *   <li>the pickle is in memory ({@code Unpickler.loads}) and has fewer bytes left than the
 *       length claims ({@code serial.maxAlloc}: a claim the data cannot back);</li>
 *   <li>it exceeds {@code serial.maxArray}, as a {@code byte[]} of that length in a Java stream
 *       would;</li>
 *   <li>it exceeds half the heap ({@code serial.maxAlloc}), the share all reads may claim.</li>
 * </ul>
 * Lengths under 65,536 cost one comparison.
 */
public final class PyroliteBridge {

    /** Smaller lengths are not checked: as for Java streams, at most a few unbacked at a time. */
    static final int CHECKED_LENGTH = 65_536;

    private PyroliteBridge() {
    }

    /** Null means go on. */
    public static Throwable checkLength(String library, String entryPoint, Object input, int length,
                                        Class<?> hooked, String exceptionType) {
        if (length < CHECKED_LENGTH) {
            return null; // negative lengths fail inside Pyrolite as they would without the agent
        }
        DeserializerGate gate = DeserializerGate.installed();
        if (gate == null) {
            return null;
        }
        Policy p = gate.policy();
        if (p.mode() == Mode.OFF) {
            return null;
        }
        Decision refusal = null;
        if (input instanceof ByteArrayInputStream in && in.available() < length) {
            // available() is exact for an in-memory pickle; for a socket it is only a lower bound.
            refusal = Decision.reject("serial.maxAlloc",
                    "length " + length + " > " + in.available() + " bytes left in the pickle");
        } else if (length > p.serial().limits().maxArray()) {
            refusal = Decision.reject("serial.maxArray", "length " + length + " > " + p.serial().limits().maxArray());
        } else if (length > Runtime.getRuntime().maxMemory() / 2) {
            refusal = Decision.reject("serial.maxAlloc", "length " + length + " > half the heap");
        }
        return refusal == null ? null
                : DeserializerGate.refuse(refusal, library, entryPoint, "[B", length, hooked, exceptionType);
    }
}
