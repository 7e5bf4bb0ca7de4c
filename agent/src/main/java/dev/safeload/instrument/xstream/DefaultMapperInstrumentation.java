package dev.safeload.instrument.xstream;

import dev.safeload.instrument.edit.EntryHook;
import java.util.List;

/**
 * XStream: {@code DefaultMapper.realClass(String)}, where every class name a document gives
 * turns into a class, before {@code Class.forName}. It is the innermost mapper of every chain,
 * so aliases ({@code ClassAliasingMapper}), array names ({@code ArrayMapper}), the interfaces and
 * handler of a {@code <dynamic-proxy>}, the classes of a {@code serialization="custom"} object
 * (read by XStream's own {@code CustomObjectInputStream}, whose {@code readObjectOverride}
 * means the JDK's filter never runs) all reach it with the real name; and
 * {@code JavaClassConverter}, which turns {@code <java-class>} values and {@code Class} fields
 * into classes, has a {@code DefaultMapper} of its own. {@code CachingMapper} above it caches
 * only what was resolved, and a refusal is not cached: it is a {@code ConversionException},
 * not one of the two exceptions it keeps; what it did cache is judged again at each lookup by
 * {@link CachingMapperInstrumentation}'s hook.
 */
public final class DefaultMapperInstrumentation {

    /** The hooked class, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "com.thoughtworks.xstream.mapper.DefaultMapper";

    private DefaultMapperInstrumentation() {
    }

    public static List<EntryHook> hooks() {
        // The mapper itself, not hookedClass(): XStream 1.4 is compiled for Java 1.4, whose
        // class files cannot name their own class.
        return List.of(EntryHook.at(TRIGGER, "realClass").descriptor("(Ljava/lang/String;)Ljava/lang/Class;")
                .argument(0).self()
                .throwsReturned("dev.safeload.instrument.xstream.XStreamBridge", "realClass"));
    }
}
