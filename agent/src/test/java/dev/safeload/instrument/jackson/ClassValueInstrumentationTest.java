package dev.safeload.instrument.jackson;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.FromStringDeserializer;
import dev.safeload.instrument.Libraries;
import dev.safeload.instrument.edit.EntryHookEdit;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassValueInstrumentationTest {

    private static EntryHookEdit.Result edit(Class<?> type) throws Exception {
        String resource = type.getName().substring(type.getName().lastIndexOf('.') + 1) + ".class";
        byte[] bytes;
        try (InputStream in = type.getResourceAsStream(resource)) {
            bytes = in.readAllBytes();
        }
        return EntryHookEdit.apply(bytes, Libraries.entryHooks(type.getName()));
    }

    /** Descriptors and the getter are spelled out at run time; a typo would leave Class values unjudged without a word. */
    @Test
    void hooksFindClassInTheRealDeserializationContext() throws Exception {
        EntryHookEdit.Result result = edit(DeserializationContext.class);

        assertEquals(List.of(), result.problems());
        assertEquals(1, result.applied().size());
        assertEquals("findClass", result.applied().iterator().next().method());
    }

    @Test
    void hooksTheFromStringDeserializerThatReadsJavaTypeValues() throws Exception {
        EntryHookEdit.Result result = edit(FromStringDeserializer.Std.class);

        assertEquals(List.of(), result.problems());
        assertEquals(1, result.applied().size());
        assertEquals("_deserialize", result.applied().iterator().next().method());
    }

    @Test
    void namesTheHookedClassesAsTheHostSeesThem() {
        assertEquals(DeserializationContext.class.getName(), ClassValueInstrumentation.contextTrigger());
        assertEquals(FromStringDeserializer.Std.class.getName(), ClassValueInstrumentation.fromStringTrigger());
    }
}
