package dev.safeload.instrument.jackson;

import static dev.safeload.instrument.jackson.ClassNameIdResolverInstrumentation.jackson;

import dev.safeload.instrument.edit.EntryHook;
import java.util.List;

/**
 * Jackson databind 2.x: a value whose declared type is {@code java.lang.Class} or
 * {@code JavaType} is a class name the document gives, with no typing switched on and no
 * {@code PolymorphicTypeValidator} asked. A {@code Class<?>} field or a {@code Map<Class<?>, V>}
 * key goes through {@code DeserializationContext.findClass(String)}, which is
 * {@code Class.forName(name, true, loader)}: the named class is initialised, its static
 * initialiser runs, whatever the policy says. A {@code JavaType} field goes through
 * {@code FromStringDeserializer.Std._deserialize}, which parses the canonical name
 * ({@code java.util.List<com.acme.Dto>}) and initialises each class it names the same way.
 * Both are judged here before that, as a type id is.
 */
public final class ClassValueInstrumentation {

    private ClassValueInstrumentation() {
    }

    /** The context whose {@code findClass} the {@code Class} value and key deserializers call; built at run time. */
    public static String contextTrigger() {
        return jackson("databind.DeserializationContext");
    }

    /** The from-string deserializer that reads {@code JavaType} values (and URLs, Files, ...); built at run time. */
    public static String fromStringTrigger() {
        return jackson("databind.deser.std.FromStringDeserializer$Std");
    }

    private static String internal(String rest) {
        return jackson(rest).replace('.', '/');
    }

    public static List<EntryHook> hooks(String className) {
        if (className.equals(contextTrigger())) {
            return List.of(EntryHook.at(className, "findClass").descriptor("(Ljava/lang/String;)Ljava/lang/Class;")
                    .constant("jackson").constant(jackson("databind.ObjectMapper.readValue")).argument(0).self()
                    .hookedClass().constant(jackson("databind.JsonMappingException"))
                    .throwsReturned("dev.safeload.deser.DeserializerGate", "checkClassNameIn"));
        }
        // Std's handledType() tells a JavaType value from the other kinds it reads (URL, File, Locale, ...).
        return List.of(EntryHook.at(className, "_deserialize")
                .descriptor("(Ljava/lang/String;L".concat(internal("databind.DeserializationContext"))
                        .concat(";)Ljava/lang/Object;"))
                .constant("jackson").constant(jackson("databind.ObjectMapper.readValue"))
                .self().then(internal("databind.deser.std.FromStringDeserializer$Std"), "handledType",
                        "()Ljava/lang/Class;")
                .argument(0).argument(1).hookedClass().constant(jackson("databind.JsonMappingException"))
                .throwsReturned("dev.safeload.deser.DeserializerGate", "checkJavaTypeValueIn"));
    }
}
