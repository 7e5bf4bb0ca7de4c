package dev.safeload.instrument.jackson;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.jsontype.impl.TypeDeserializerBase;
import dev.safeload.instrument.Libraries;
import dev.safeload.instrument.edit.EntryHookEdit;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class TypeDeserializerBaseInstrumentationTest {

    /** Descriptors and the getter are spelled out at run time; a typo would leave cache hits unjudged without a word. */
    @Test
    void hooksFindDeserializerInTheRealJacksonClass() throws Exception {
        byte[] bytes;
        try (InputStream in = TypeDeserializerBase.class.getResourceAsStream("TypeDeserializerBase.class")) {
            bytes = in.readAllBytes();
        }

        EntryHookEdit.Result result = EntryHookEdit.apply(bytes,
                Libraries.entryHooks(TypeDeserializerBase.class.getName()));

        assertEquals(List.of(), result.problems());
        assertEquals(1, result.applied().size()); // the cache hit's class check and the typed value's depth, in one call
        result.applied().forEach(hook -> assertEquals("_findDeserializer", hook.method()));
    }

    @Test
    void namesTheHookedClassAsTheHostSeesIt() {
        assertEquals(TypeDeserializerBase.class.getName(), TypeDeserializerBaseInstrumentation.trigger());
    }
}
