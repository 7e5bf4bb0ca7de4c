package dev.safeload.deser;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InvalidClassException;
import org.junit.jupiter.api.Test;

class KryoBridgeTest {

    private static final String KRYO = "Error during Java deserialization.";

    /** The stream guard's refusal of a class, as SerialGate throws it, told as every other Kryo refusal is. */
    @Test
    void javaSerializerTellsTheStreamGuardsRefusalOfAClass() {
        InvalidClassException refusal = new InvalidClassException("a.Gadget",
                "safeload: rejected by rule serial.allow: not in the allowlist");
        assertEquals("safeload: refused a.Gadget (rule serial.allow: not in the allowlist) in "
                + "com.esotericsoftware.kryo.serializers.JavaSerializer.read",
                KryoBridge.javaSerializationMessage(KRYO, refusal));
        assertEquals("safeload: refused a.Gadget (rule serial.allow: not in the allowlist) in "
                + "com.esotericsoftware.kryo.serializers.JavaSerializer.read",
                KryoBridge.javaSerializationMessage(KRYO, new IOException("wrapped", refusal)));
    }

    /** A refusal without a class (a budget) already starts safeload: and is kept as it is. */
    @Test
    void javaSerializerKeepsARefusalWithoutAClass() {
        assertEquals("safeload: rejected by rule serial.maxDepth: 101 > 100", KryoBridge.javaSerializationMessage(KRYO,
                new InvalidClassException("safeload: rejected by rule serial.maxDepth: 101 > 100")));
    }

    /** Any other failure, and a cycle of causes, keep Kryo's own message. */
    @Test
    void javaSerializerKeepsKryosMessageForAnyOtherFailure() {
        assertEquals(KRYO, KryoBridge.javaSerializationMessage(KRYO, new InvalidClassException("a.Old", "local class incompatible")));
        assertEquals(KRYO, KryoBridge.javaSerializationMessage(KRYO, null));
        IOException first = new IOException("first");
        IOException second = new IOException("second", first);
        first.initCause(second);
        assertEquals(KRYO, KryoBridge.javaSerializationMessage(KRYO, first));
    }
}
