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

    /** The hooked class, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "com.esotericsoftware.kryo.io.Input";

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

    public static List<EntryHook> hooks() {
        List<EntryHook> hooks = new ArrayList<>();
        for (String[] read : READS) {
            hooks.add(EntryHook.at(TRIGGER, read[0]).descriptor(read[1])
                    .constant("kryo").constant(KryoInstrumentation.ENTRY_POINT).self().argument(0).constant(read[2])
                    .hookedClass().constant(KryoInstrumentation.EXCEPTION)
                    .throwsReturned("dev.safeload.deser.KryoBridge", "checkLength"));
        }
        return hooks;
    }
}
