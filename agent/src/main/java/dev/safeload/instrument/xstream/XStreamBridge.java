package dev.safeload.instrument.xstream;

import dev.safeload.deser.DeserializerGate;
import dev.safeload.deser.ReferenceBudget;
import dev.safeload.policy.Mode;
import dev.safeload.policy.Policy;
import dev.safeload.policy.SerialPolicy;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;

/**
 * What the hook on XStream's {@code DefaultMapper.realClass} calls: the one policy, by class
 * name. XStream also looks up the interfaces and abstract classes its own aliases name
 * ({@code <map>} is {@code java.util.Map}, {@code <sorted-set>} {@code java.util.SortedSet}) and
 * then makes its configured default implementation, which no document names; such a name the
 * policy does not list passes once the class, loaded without initialising it (which runs none
 * of its code), proves to be an interface or abstract class: XStream cannot make one. A
 * {@code <dynamic-proxy>}'s interfaces pass the same way; its handler, the class that runs,
 * is judged as any other. A name an {@code XStream} answers from its {@code CachingMapper}
 * is judged again at each lookup by the class cached for it ({@link #cachedClass}).
 */
public final class XStreamBridge {

    static final String LIBRARY = "xstream";
    static final String ENTRY_POINT = "com.thoughtworks.xstream.XStream.fromXML";
    /** What XStream's callers catch; thrown as is through its unmarshaller, so the message starts safeload:. */
    static final String REFUSAL = "com.thoughtworks.xstream.converters.ConversionException";

    /** What {@code <dynamic-proxy>} resolves to in {@code DynamicProxyMapper}, never asking {@code DefaultMapper}. */
    private static final String DYNAMIC_PROXY_MARKER = "com.thoughtworks.xstream.mapper.DynamicProxyMapper$DynamicProxy";

    /** {@code CachingMapper.realClassCache}, per mapper class: read by reflection, set accessible once. */
    private static final ClassValue<Field> CACHE_FIELD = new ClassValue<>() {
        @Override
        protected Field computeValue(Class<?> type) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                if (c.getName().equals(CachingMapperInstrumentation.TRIGGER)) {
                    try {
                        Field cache = c.getDeclaredField("realClassCache");
                        cache.setAccessible(true);
                        return Map.class.isAssignableFrom(cache.getType()) ? cache : null;
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        return null; // another XStream than 1.4's: its misses are still judged below it
                    }
                }
            }
            return null;
        }
    };

    /**
     * Per unmarshaller class: {@code AbstractReferenceUnmarshaller}'s {@code values} (reference
     * key to object) and {@code parentStack}, the stack's {@code pointer}, and
     * {@code getReferenceKey}; null for an XStream shaped otherwise, which is then not counted.
     */
    private static final ClassValue<Object[]> REFERENCES = new ClassValue<>() {
        @Override
        protected Object[] computeValue(Class<?> type) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                if (c.getName().equals(ReferenceUnmarshallerInstrumentation.TRIGGER)) {
                    try {
                        Field values = c.getDeclaredField("values");
                        Field stack = c.getDeclaredField("parentStack");
                        Field pointer = stack.getType().getDeclaredField("pointer");
                        Method key = c.getDeclaredMethod("getReferenceKey", String.class);
                        for (java.lang.reflect.AccessibleObject member : new java.lang.reflect.AccessibleObject[] {
                            values, stack, pointer, key}) {
                            member.setAccessible(true);
                        }
                        return Map.class.isAssignableFrom(values.getType()) && pointer.getType() == int.class
                                ? new Object[] {values, stack, pointer, key} : null;
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        return null;
                    }
                }
            }
            return null;
        }
    };

    private XStreamBridge() {
    }

    /**
     * {@code AbstractReferenceUnmarshaller.convert}: an element is about to become an object of
     * {@code type}, nested inside the objects open on the unmarshaller's stack; null means go on.
     */
    public static Throwable depth(Object unmarshaller, Object type) {
        if (DeserializerGate.installed() == null) {
            return null;
        }
        Object[] members = REFERENCES.get(unmarshaller.getClass());
        if (members == null) {
            return null;
        }
        int open;
        try {
            Object stack = ((Field) members[1]).get(unmarshaller);
            open = stack == null ? 0 : ((Field) members[2]).getInt(stack);
        } catch (IllegalAccessException | RuntimeException e) {
            return null;
        }
        return ReferenceBudget.checkDepth(open + 1L, type instanceof Class<?> c ? c.getName() : String.valueOf(type),
                LIBRARY, ENTRY_POINT, unmarshaller.getClass(), REFUSAL);
    }

    /**
     * {@code TreeUnmarshaller.convert}, in every reference mode: an element is about to become an
     * object of {@code type}; the document's CPU is sampled ({@link ReferenceBudget#objectRead}).
     * Null means go on.
     */
    public static Throwable objectRead(Object unmarshaller, Object type) {
        if (DeserializerGate.installed() == null) {
            return null;
        }
        return ReferenceBudget.of(unmarshaller).objectRead(type, ReferenceBudget.NANOS_PER_OBJECT, LIBRARY, ENTRY_POINT,
                unmarshaller.getClass(), REFUSAL);
    }

    /**
     * {@code getReferenceKey}: the document refers again to an object it read before; its
     * expanded size is spent from the document's {@code serial.maxWork}. The object is found as
     * XStream finds it, by calling {@code getReferenceKey} (the hook lets that call through) and
     * looking the key up in the unmarshaller's own table. Null means go on.
     */
    public static Throwable reference(Object unmarshaller, Object reference) {
        DeserializerGate gate = DeserializerGate.installed();
        if (gate == null || ReferenceBudget.resolving() || gate.policy().mode() == Mode.OFF) {
            return null;
        }
        Object[] members = REFERENCES.get(unmarshaller.getClass());
        if (members == null) {
            return null;
        }
        Object key = ReferenceBudget.resolve((Method) members[3], unmarshaller, reference);
        Object referred;
        try {
            Object values = ((Field) members[0]).get(unmarshaller);
            referred = key == null || !(values instanceof Map<?, ?> map) ? null : map.get(key);
        } catch (IllegalAccessException | RuntimeException e) {
            return null;
        }
        if (referred == null) {
            return null; // XStream refuses an unknown reference itself
        }
        return ReferenceBudget.of(unmarshaller).refer(referred, LIBRARY, ENTRY_POINT, unmarshaller.getClass(), REFUSAL);
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
        if (p.mode() != Mode.OFF && p.serial().decideName(className) == SerialPolicy.NOT_ALLOWED
                && isInterfaceOrAbstract(className, mapper.getClass().getClassLoader())) {
            return null;
        }
        return DeserializerGate.checkClassName(LIBRARY, ENTRY_POINT, className, mapper.getClass(), REFUSAL);
    }

    /**
     * What the hook on {@code CachingMapper.realClass} calls, at every lookup: a name the mapper
     * has cached a class for is judged by that class, under the policy in force now, so a class
     * let through in audit mode or under a looser policy is refused once enforce or the tighter
     * policy comes. A name not cached (or cached as XStream's own refusal) is left to
     * {@link #realClass} below, so one lookup is judged, and in audit mode logged, once.
     * Allocation-free when the class is allowed: one lookup in XStream's cache, one in the
     * policy's name cache, which a new policy starts afresh.
     *
     * @param name the name the document gives, before XStream's aliases
     * @param cachingMapper the {@code CachingMapper}
     * @return the refusal to throw, or null
     */
    public static Throwable cachedClass(Object name, Object cachingMapper) {
        DeserializerGate gate = DeserializerGate.installed();
        if (gate == null || gate.policy().mode() == Mode.OFF || name == null) {
            return null;
        }
        Field field = CACHE_FIELD.get(cachingMapper.getClass());
        Object cached;
        try {
            Object cache = field == null ? null : field.get(cachingMapper);
            cached = cache instanceof Map<?, ?> map ? map.get(name) : null;
        } catch (IllegalAccessException | RuntimeException e) {
            return null;
        }
        if (!(cached instanceof Class<?> type)) {
            return null;
        }
        // The names DefaultMapper saw for it: arrays by their own name ("[Lx.Y;"), as ArrayMapper asks.
        String className = type.getName();
        if (type.isPrimitive() || isTypeName(className) || className.equals(DYNAMIC_PROXY_MARKER)) {
            return null;
        }
        Policy p = gate.policy();
        if (p.serial().decideName(className) == SerialPolicy.NOT_ALLOWED && !type.isArray()
                && (type.isInterface() && !type.isAnnotation() || Modifier.isAbstract(type.getModifiers()))) {
            return null;
        }
        return DeserializerGate.checkClassName(LIBRARY, ENTRY_POINT, className, cachingMapper.getClass(), REFUSAL);
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
