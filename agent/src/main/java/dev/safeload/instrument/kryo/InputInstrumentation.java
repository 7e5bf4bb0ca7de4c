package dev.safeload.instrument.kryo;

import dev.safeload.instrument.edit.EntryHook;
import java.util.ArrayList;
import java.util.List;

/**
 * Kryo 5: {@code Input}'s primitive-array reads ({@code readBytes(int)}, {@code readInts},
 * {@code readLongs}, ...), each of which allocates the array for a length the stream gave before
 * reading the elements, as Kryo's array serializers call them. The length is judged first
 * ({@code KryoBridge.checkLength}).
 */
public final class InputInstrumentation {

    /** The hooked classes, as constants the agent can read without loading this class. */
    public static final String TRIGGER = "com.esotericsoftware.kryo.io.Input";
    /** Kryo's other inputs override the array reads (all of them, or all but readBytes). */
    public static final String BYTE_BUFFER_INPUT = "com.esotericsoftware.kryo.io.ByteBufferInput";
    public static final String UNSAFE_INPUT = "com.esotericsoftware.kryo.unsafe.UnsafeInput";
    public static final String UNSAFE_BYTE_BUFFER_INPUT = "com.esotericsoftware.kryo.unsafe.UnsafeByteBufferInput";

    /** Method, descriptor, the array it allocates. */
    private static final String[][] READS = {
        {"readBytes", "(I)[B", "[B"},
        {"readInts", "(I)[I", "[I"},
        {"readInts", "(IZ)[I", "[I"},
        {"readLongs", "(I)[J", "[J"},
        {"readLongs", "(IZ)[J", "[J"},
        {"readFloats", "(I)[F", "[F"},
        {"readDoubles", "(I)[D", "[D"},
        {"readShorts", "(I)[S", "[S"},
        {"readChars", "(I)[C", "[C"},
        {"readBooleans", "(I)[Z", "[Z"},
    };

    private InputInstrumentation() {
    }

    /** The hooks of {@code className}, one of the four inputs, on the reads it declares itself. */
    public static List<EntryHook> hooks(String className) {
        List<EntryHook> hooks = new ArrayList<>();
        for (String[] read : READS) {
            boolean overload = read[1].startsWith("(IZ)"); // declared by Input only
            boolean declared = switch (className) {
                case TRIGGER -> true;
                case BYTE_BUFFER_INPUT -> !overload;
                default -> !overload && !read[0].equals("readBytes"); // the unsafe inputs inherit readBytes
            };
            if (!declared) {
                continue;
            }
            hooks.add(EntryHook.at(className, read[0]).descriptor(read[1])
                    .constant("kryo").constant(KryoInstrumentation.ENTRY_POINT).self().argument(0).constant(read[2])
                    .hookedClass().constant(KryoInstrumentation.EXCEPTION)
                    .throwsReturned("dev.safeload.deser.KryoBridge", "checkLength"));
        }
        return hooks;
    }
}
