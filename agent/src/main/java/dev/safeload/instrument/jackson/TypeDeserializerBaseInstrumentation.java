package dev.safeload.instrument.jackson;

import static dev.safeload.instrument.jackson.ClassNameIdResolverInstrumentation.jackson;

import dev.safeload.instrument.edit.EntryHook;
import java.util.List;

/**
 * Jackson databind 2.x: {@code TypeDeserializerBase._findDeserializer(DeserializationContext,
 * String)} runs for every polymorphic value and answers from the deserializer's own
 * {@code _deserializers} cache before it asks the resolver, so a long-lived {@code ObjectMapper}
 * resolves each type id once. The hook there hands the gate the id and the deserializer's
 * resolver, so a class-name id let through in audit mode or under a looser policy is judged
 * again when the policy tightens; ids of any other resolver (logical names) are left alone.
 * The same call then judges the value's depth ({@link dev.safeload.deser.JacksonTypedDepth}), which
 * an {@code invokedynamic} call site in the hooked method reads from the parser.
 */
public final class TypeDeserializerBaseInstrumentation {

    private TypeDeserializerBaseInstrumentation() {
    }

    /** The hooked class, built at run time (see {@link ClassNameIdResolverInstrumentation}). */
    public static String trigger() {
        return jackson("databind.jsontype.impl.TypeDeserializerBase");
    }

    private static String internal(String rest) {
        return jackson(rest).replace('.', '/');
    }

    public static List<EntryHook> hooks() {
        // One call for both checks: this runs at every typed value of every read.
        return List.of(EntryHook.at(trigger(), "_findDeserializer")
                .descriptor("(L".concat(internal("databind.DeserializationContext")).concat(";Ljava/lang/String;)L")
                        .concat(internal("databind.JsonDeserializer")).concat(";"))
                .constant("jackson").constant(jackson("databind.ObjectMapper.readValue"))
                .self().then(internal("databind.jsontype.impl.TypeDeserializerBase"), "getTypeIdResolver",
                        "()L".concat(internal("databind.jsontype.TypeIdResolver")).concat(";"))
                .argument(0).argument(1)
                // The depth read in Jackson's class: three getters the JIT inlines, not a handle per call.
                .argument(0).through("dev.safeload.deser.JacksonTypedDepth", "nestingDepth", "I")
                .hookedClass().constant(jackson("databind.JsonMappingException"))
                .throwsReturned("dev.safeload.deser.JacksonTypedDepth", "checkTypedValue"));
    }
}
