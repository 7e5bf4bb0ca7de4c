package dev.safeload.deser;

import dev.safeload.policy.Decision;
import dev.safeload.policy.Mode;
import dev.safeload.policy.Policy;

/**
 * A length a stream claims before the data behind it is read, and that the library allocates
 * for at once ({@code new byte[length]}, {@code new ArrayList(size)}): a few bytes can ask for
 * gigabytes. A length is refused, before the allocation, when
 * <ul>
 *   <li>the bytes left in an in-memory input are fewer than the length (every element takes at
 *       least one byte): {@code serial.maxAlloc}, a claim the data cannot back;</li>
 *   <li>it exceeds {@code serial.maxArray}, as an array that long in a Java stream would;</li>
 *   <li>its elements would take more than half the heap ({@code serial.maxAlloc}).</li>
 * </ul>
 * Lengths under 65,536 cost one comparison, as in the stream guard's heap claims.
 */
final class LengthClaim {

    static final int CHECKED_LENGTH = 65_536;

    private LengthClaim() {
    }

    /**
     * Null, or what to throw (also null in audit mode, after logging).
     *
     * @param remaining the bytes left in the input, or -1 when they cannot be known (a socket)
     * @param arrayClass what is allocated, as a JVM array name ({@code [B}, {@code [Ljava.lang.Object;})
     */
    static Throwable check(String library, String entryPoint, long length, long remaining, String arrayClass,
                           Class<?> hooked, String exceptionType) {
        DeserializerGate gate = DeserializerGate.installed();
        if (gate == null) {
            return null;
        }
        Policy p = gate.policy();
        if (p.mode() == Mode.OFF) {
            return null;
        }
        long maxArray = p.serial().limits().maxArray();
        Decision refusal = null;
        if (remaining >= 0 && remaining < length) {
            refusal = Decision.reject("serial.maxAlloc", "length " + length + " > " + remaining + " bytes left in the "
                    + ("pyrolite".equals(library) ? "pickle" : "input"));
        } else if (length > maxArray) {
            refusal = Decision.reject("serial.maxArray", "length " + length + " > " + maxArray);
        } else if (length > Runtime.getRuntime().maxMemory() / 2 / elementBytes(arrayClass)) {
            refusal = Decision.reject("serial.maxAlloc", "length " + length + " > half the heap");
        }
        return refusal == null ? null
                : DeserializerGate.refuse(refusal, library, entryPoint, arrayClass, length, hooked, exceptionType);
    }

    /** The fewest bytes one element takes in the heap (a compressed reference for objects). */
    static long elementBytes(String arrayClass) {
        return switch (arrayClass) {
            case "[J", "[D" -> 8;
            case "[I", "[F" -> 4;
            case "[S", "[C" -> 2;
            case "[B", "[Z" -> 1;
            default -> 4;
        };
    }
}
