package dev.safeload.instrument.jackson;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.jsontype.impl.ClassNameIdResolver;
import dev.safeload.instrument.Libraries;
import dev.safeload.instrument.edit.EntryHookEdit;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassNameIdResolverInstrumentationTest {

    /** The descriptor is spelled out at run time; a typo would leave Jackson unhooked without a word. */
    @Test
    void hooksTypeFromIdInTheRealJacksonClass() throws Exception {
        byte[] bytes;
        try (InputStream in = ClassNameIdResolver.class.getResourceAsStream("ClassNameIdResolver.class")) {
            bytes = in.readAllBytes();
        }

        EntryHookEdit.Result result = EntryHookEdit.apply(bytes,
                Libraries.entryHooks(ClassNameIdResolver.class.getName()));

        assertEquals(List.of(), result.problems());
        assertEquals(1, result.applied().size());
        assertEquals("_typeFromId", result.applied().iterator().next().method());
    }

    @Test
    void namesJacksonsClassesAsTheHostSeesThem() {
        assertEquals(ClassNameIdResolver.class.getName(), ClassNameIdResolverInstrumentation.trigger());
        assertEquals(com.fasterxml.jackson.databind.JsonMappingException.class.getName(),
                ClassNameIdResolverInstrumentation.jackson("databind.JsonMappingException"));
    }
}
