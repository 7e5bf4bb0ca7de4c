package dev.safeload.deser;

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
 * Lengths under 65,536 cost one comparison ({@link LengthClaim}).
 */
public final class PyroliteBridge {

    private PyroliteBridge() {
    }

    /** Null means go on. */
    public static Throwable checkLength(String library, String entryPoint, Object input, int length,
                                        Class<?> hooked, String exceptionType) {
        if (length < LengthClaim.CHECKED_LENGTH) {
            return null; // negative lengths fail inside Pyrolite as they would without the agent
        }
        // available() is exact for an in-memory pickle; for a socket it is only what has arrived.
        long remaining = input instanceof ByteArrayInputStream in ? in.available() : -1;
        return LengthClaim.check(library, entryPoint, length, remaining, "[B", hooked, exceptionType);
    }
}
