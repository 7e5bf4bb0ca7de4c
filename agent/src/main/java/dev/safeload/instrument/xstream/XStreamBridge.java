package dev.safeload.instrument.xstream;

import dev.safeload.deser.DeserializerGate;
import dev.safeload.policy.Mode;
import dev.safeload.policy.Policy;
import dev.safeload.policy.SerialPolicy;
import java.lang.reflect.Modifier;

/**
 * What the hook on XStream's {@code DefaultMapper.realClass} calls: the one policy, by class
 * name. XStream also looks up the interfaces and abstract classes its own aliases name
 * ({@code <map>} is {@code java.util.Map}, {@code <sorted-set>} {@code java.util.SortedSet}) and
 * then makes its configured default implementation, which no document names; such a name the
 * policy does not list passes once the class, loaded without initialising it (which runs none
 * of its code), proves to be an interface or abstract class: XStream cannot make one. A
 * {@code <dynamic-proxy>}'s interfaces pass the same way; its handler, the class that runs,
 * is judged as any other.
 */
public final class XStreamBridge {

    static final String LIBRARY = "xstream";
    static final String ENTRY_POINT = "com.thoughtworks.xstream.XStream.fromXML";
    /** What XStream's callers catch; thrown as is through its unmarshaller, so the message starts safeload:. */
    static final String REFUSAL = "com.thoughtworks.xstream.converters.ConversionException";

    private XStreamBridge() {
    }

    /**
     * @param name the class name the document gives, after XStream's aliases
     * @param mapper the {@code DefaultMapper}, whose loader finds XStream's exception
     * @return the refusal to throw, or null
     */
    public static Throwable realClass(Object name, Object mapper) {
        if (!(name instanceof String className) || isTypeName(className)) {
            return null;
        }
        DeserializerGate gate = DeserializerGate.installed();
        if (gate == null) {
            return null;
        }
        Policy p = gate.policy();
        if (p.mode() != Mode.OFF && p.serial().decideName(className, false) == SerialPolicy.NOT_ALLOWED
                && isInterfaceOrAbstract(className, mapper.getClass().getClassLoader())) {
            return null;
        }
        return DeserializerGate.checkClassName(LIBRARY, ENTRY_POINT, className, mapper.getClass(), REFUSAL);
    }

    private static boolean isInterfaceOrAbstract(String className, ClassLoader xstreamLoader) {
        if (className.startsWith("[")) {
            return false;
        }
        for (ClassLoader loader : new ClassLoader[] {Thread.currentThread().getContextClassLoader(), xstreamLoader}) {
            try {
                Class<?> type = Class.forName(className, false, loader);
                return !type.isPrimitive() && (type.isInterface() && !type.isAnnotation()
                        || Modifier.isAbstract(type.getModifiers()));
            } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
                // not visible to this loader; try the next
            }
        }
        return false;
    }

    /**
     * Names that make no object of their own: the primitives, XStream's null marker, and
     * {@code java.lang.Class}, the
     * type of a {@code <java-class>} value, whose named class {@code JavaClassConverter}
     * resolves through a {@code DefaultMapper} of its own, and so is checked there.
     */
    private static boolean isTypeName(String name) {
        return switch (name) {
            case "boolean", "byte", "char", "short", "int", "long", "float", "double", "void", "java.lang.Class",
                 // <null/>: XStream's marker for a null value, never made
                 "com.thoughtworks.xstream.mapper.Mapper$Null" -> true;
            default -> false;
        };
    }
}
