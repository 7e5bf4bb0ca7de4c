package dev.safeload.instrument.jackson;

import dev.safeload.instrument.edit.EntryHook;
import java.util.List;

/**
 * Jackson databind 2.x: {@code ClassNameIdResolver._typeFromId(String, DatabindContext)} is where
 * a class-name type id becomes a type, for {@code @JsonTypeInfo(use = CLASS)}, default typing
 * ({@code activateDefaultTyping}, {@code enableDefaultTyping}) and {@code MINIMAL_CLASS}, whose
 * resolver expands {@code .Name} against its base package and calls this one. Type names with
 * parameters ({@code java.util.ArrayList<com.acme.Dto>}) are checked class by class.
 *
 * <p>Jackson's names are built at run time: the agent jar carries its own Jackson relocated
 * under {@code dev.safeload.shaded}, and the shade plugin rewrites every string constant that
 * starts {@code com.fasterxml.jackson} to match, which would hook the agent's copy instead.
 */
public final class ClassNameIdResolverInstrumentation {

    private ClassNameIdResolverInstrumentation() {
    }

    /** {@code com.fasterxml.jackson.} followed by {@code rest}, out of the shade plugin's reach. */
    public static String jackson(String rest) {
        return "com.".concat("fasterxml.jackson.").concat(rest);
    }

    private static String internal(String rest) {
        return jackson(rest).replace('.', '/');
    }

    /** The hooked class, built at run time; equal to {@code Libraries.JACKSON_CLASS_NAME_ID_RESOLVER}. */
    public static String trigger() {
        return jackson("databind.jsontype.impl.ClassNameIdResolver");
    }

    public static List<EntryHook> hooks() {
        return List.of(EntryHook.at(trigger(), "_typeFromId")
                .descriptor("(Ljava/lang/String;L".concat(internal("databind.DatabindContext")).concat(";)L")
                        .concat(internal("databind.JavaType")).concat(";"))
                .constant("jackson").constant(jackson("databind.ObjectMapper.readValue")).argument(0).argument(1)
                .hookedClass().constant(jackson("databind.JsonMappingException"))
                .throwsReturned("dev.safeload.deser.DeserializerGate", "checkTypeId"));
    }
}
