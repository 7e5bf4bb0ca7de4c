package dev.safeload.deser;

import dev.safeload.policy.Decision;
import dev.safeload.policy.Mode;
import dev.safeload.policy.Policy;
import dev.safeload.policy.SerialPolicy;
import java.lang.annotation.Annotation;
import java.util.Collection;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the hooks in Hessian 4's {@code SerializerFactory} call. Every type name a Hessian
 * stream carries (an object definition, a typed map or list, an array's component, the name
 * inside a {@code java.lang.Class} value) is judged by the policy before Hessian loads the
 * class, and every class Hessian makes a deserializer for (also one the stream never names: the
 * declared type of a field) before the deserializer exists.
 *
 * <p>Hessian's default object deserializer builds objects without running a constructor
 * ({@code Unsafe.allocateInstance}; with the unsafe path off, a constructor fed nulls and zeros),
 * whether or not the class is {@code Serializable}. {@code ObjectInputStream} does that only to
 * classes whose authors declared them {@code Serializable}; any other class Hessian would build
 * that way must be named in {@code serial.allowWithoutConstructor}. That rule is applied where
 * the stream names the class: {@code getDeserializer(String)} turns any exception from the
 * deserializer lookup into a warning and reads the object as a {@code HashMap}.
 */
public final class HessianBridge {

    /** Hessian's own type names, which name no class (its {@code SerializerFactory._staticTypeMap}). */
    private static final Set<String> HESSIAN_TYPES = Set.of("void", "boolean", "byte", "short", "int", "long",
            "float", "double", "char", "string", "date", "object");

    /** The names of classes already seen to be Serializable: most traffic, so the lookup is done once. */
    private static final ConcurrentHashMap<String, Boolean> SERIALIZABLE = new ConcurrentHashMap<>();
    private static final int CACHE_LIMIT = 4096;

    private HessianBridge() {
    }

    /** {@code _refs} of {@code Hessian2Input} or {@code HessianInput}; null for a Hessian shaped otherwise. */
    private static final ClassValue<java.lang.reflect.Field> REFS = new ClassValue<>() {
        @Override
        protected java.lang.reflect.Field computeValue(Class<?> type) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                try {
                    java.lang.reflect.Field refs = c.getDeclaredField("_refs");
                    refs.setAccessible(true);
                    return refs.getType().isAssignableFrom(CountedReferences.class) ? refs : null;
                } catch (NoSuchFieldException e) {
                    // declared higher up
                } catch (RuntimeException e) {
                    return null;
                }
            }
            return null;
        }
    };

    /**
     * {@code Hessian2Input.addRef} or {@code HessianInput.addRef}: before the input's first
     * object can be referred to, its reference list becomes a {@link CountedReferences}, which
     * spends every back-reference's expanded size from the document's {@code serial.maxWork}.
     * Always null: the refusal comes from the list.
     */
    public static Throwable countReferences(String library, String entryPoint, Object input, Class<?> hooked,
                                            String exceptionType) {
        DeserializerGate gate = DeserializerGate.installed();
        if (gate == null || gate.policy().mode() == Mode.OFF) {
            return null;
        }
        java.lang.reflect.Field field = REFS.get(input.getClass());
        try {
            Object refs = field == null ? null : field.get(input);
            if (field != null && !(refs instanceof CountedReferences)) {
                CountedReferences counted = new CountedReferences(library, entryPoint, hooked, exceptionType);
                if (refs instanceof Collection<?> earlier) {
                    counted.addAll(earlier);
                }
                field.set(input, counted);
            }
        } catch (IllegalAccessException | RuntimeException e) {
            // a Hessian shaped otherwise: not counted
        }
        return null;
    }

    /**
     * {@code SerializerFactory.getDeserializer(String)}: a type name from the stream; null means go on.
     *
     * @param factory the {@code SerializerFactory}, whose class loader resolves the name as Hessian would
     */
    public static Throwable checkTypeName(String library, String entryPoint, Object typeName, Object factory,
                                          Class<?> hooked, String exceptionType) {
        if (!(typeName instanceof String type) || type.isEmpty() || DeserializerGate.installed() == null) {
            return null;
        }
        String name = type;
        if (name.charAt(0) == '[') {
            int dims = 0;
            while (dims < name.length() && name.charAt(dims) == '[') {
                dims++;
            }
            name = name.substring(dims); // Hessian writes an array as [ and its component's type name
        }
        if (HESSIAN_TYPES.contains(name) || "java.lang.Class".equals(name)) {
            return null; // a Class value's own name is judged by checkClassValue
        }
        Throwable refused = AuditedNames.checkClassName(library, entryPoint, name, hooked, exceptionType);
        Policy p = DeserializerGate.installed().policy();
        if (refused != null || p.mode() == Mode.OFF || SERIALIZABLE.containsKey(name)) {
            return refused;
        }
        Decision byName = p.serial().decideName(name);
        if (byName.rejected() && byName != SerialPolicy.NOT_ALLOWED) {
            return null; // denied, and logged by audit mode; no other rule could matter
        }
        // Allowed, or an unlisted class audit mode let through: once serial.allow names it (as
        // learn would), enforce mode also applies the constructor rule, so audit mode logs it now too.
        Class<?> resolved = resolve(name, factory, hooked);
        return resolved == null ? null : checkConstruction(library, entryPoint, resolved, hooked, exceptionType);
    }

    /**
     * {@code SerializerFactory.loadDeserializer(Class)}: a class Hessian is about to make a
     * deserializer for, once per class and factory; null means go on.
     */
    public static Throwable checkDeserializedClass(String library, String entryPoint, Object deserialized,
                                                   Class<?> hooked, String exceptionType) {
        if (!(deserialized instanceof Class<?> type)) {
            return null;
        }
        Class<?> c = type;
        while (c.isArray()) {
            c = c.getComponentType();
        }
        if (c.isPrimitive() || c.isInterface() || java.lang.reflect.Modifier.isAbstract(c.getModifiers())
                || c == Class.class) {
            return null; // Hessian builds no instance of these itself: a JDK default, or what the stream names
        }
        DeserializerGate gate = DeserializerGate.installed();
        if (gate != null && gate.policy().mode() == Mode.AUDIT && AuditedNames.contains(c.getName())) {
            return null; // the stream named it, and the name hook logged it
        }
        Throwable refused = DeserializerGate.checkClass(library, entryPoint, c, hooked, exceptionType);
        if (refused != null || gate == null || gate.policy().mode() == Mode.OFF) {
            return refused;
        }
        Decision decision = gate.policy().serial().decide(c);
        if (decision.rejected() && decision != SerialPolicy.NOT_ALLOWED) {
            return null; // denied, and logged by audit mode
        }
        return c == type ? checkConstruction(library, entryPoint, c, hooked, exceptionType) : null;
    }

    /**
     * {@code ClassDeserializer.create(String)}: the class a {@code java.lang.Class} value names,
     * which Hessian loads (initialising it when the factory has no class loader), judged as
     * {@code ObjectInputStream} judges a class object in its stream; null means go on.
     */
    public static Throwable checkClassValue(String library, String entryPoint, Object value, Class<?> hooked,
                                            String exceptionType) {
        if (!(value instanceof String className) || HESSIAN_TYPES.contains(className)
                || PRIMITIVES.contains(className)) {
            return null;
        }
        return DeserializerGate.checkClassName(library, entryPoint, className, hooked, exceptionType);
    }

    /**
     * {@code ArrayDeserializer} or {@code BasicDeserializer}'s {@code readList(in, length)} or
     * {@code readLengthList(in, length)}: an array of {@code length} elements is about to be
     * allocated, before any is read; judged as Kryo's lengths are ({@link LengthClaim}): past the
     * bytes a Hessian 2 input over a byte array has left, past {@code serial.maxArray}, or past
     * half the heap. A negative length (Hessian 1's open list) allocates nothing. Null means go on.
     *
     * @param deserializer the hooked deserializer: its {@code getType()} names the array
     */
    public static Throwable checkArrayLength(String library, String entryPoint, Object deserializer, Object input,
                                             int length, Class<?> hooked, String exceptionType) {
        if (length < LengthClaim.CHECKED_LENGTH || DeserializerGate.installed() == null) {
            return null;
        }
        String arrayClass = "[Ljava.lang.Object;";
        try {
            Object type = deserializer.getClass().getMethod("getType").invoke(deserializer);
            if (type instanceof Class<?> c && c.isArray()) {
                arrayClass = c.getName();
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // a Hessian shaped otherwise: judged as an Object[]
        }
        return LengthClaim.check(library, entryPoint, length, remaining(input), arrayClass, hooked, exceptionType);
    }

    /** No Java class has more fields than a class file can declare. */
    static final int MAX_FIELDS = 65_535;

    /**
     * {@code createFields(len)}: an object definition's field count, for which Hessian allocates
     * two arrays before it reads a single field name. Past 65,535, what a class file can declare,
     * no class can back it: refused under {@code serial.maxAlloc}. Null means go on.
     */
    public static Throwable checkFieldCount(String library, String entryPoint, int count, Class<?> hooked,
                                            String exceptionType) {
        if (count <= MAX_FIELDS || DeserializerGate.installed() == null) {
            return null;
        }
        return DeserializerGate.refuse(Decision.reject("serial.maxAlloc", "an object definition of " + count
                        + " fields; a class declares at most " + MAX_FIELDS), library, entryPoint, "[Ljava.lang.String;",
                count, hooked, exceptionType);
    }

    /** {@code Hessian2Input}'s buffer and stream, by input class; null for any other input. */
    private static final ClassValue<java.lang.reflect.Field[]> BUFFERED = new ClassValue<>() {
        @Override
        protected java.lang.reflect.Field[] computeValue(Class<?> type) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                if (c.getName().equals("com.caucho.hessian.io.Hessian2Input")) {
                    try {
                        java.lang.reflect.Field[] fields = {c.getDeclaredField("_offset"), c.getDeclaredField("_length"),
                            c.getDeclaredField("_is")};
                        for (java.lang.reflect.Field f : fields) {
                            f.setAccessible(true);
                        }
                        return fields;
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        return null;
                    }
                }
            }
            return null;
        }
    };

    /**
     * The bytes a Hessian 2 input has left when it reads from a byte array (its buffer and the
     * array's rest), else -1: a socket's {@code available()} says what has arrived, not what will.
     */
    private static long remaining(Object input) {
        java.lang.reflect.Field[] fields = input == null ? null : BUFFERED.get(input.getClass());
        if (fields == null) {
            return -1;
        }
        try {
            Object is = fields[2].get(input);
            if (!(is instanceof java.io.ByteArrayInputStream bytes)) {
                return -1;
            }
            return (long) fields[1].getInt(input) - fields[0].getInt(input) + bytes.available();
        } catch (IllegalAccessException | RuntimeException e) {
            return -1;
        }
    }

    private static final Set<String> PRIMITIVES = Set.of("boolean", "byte", "short", "int", "long", "float",
            "double", "char", "void");

    /** The constructor rule for a class the policy allows. */
    private static Throwable checkConstruction(String library, String entryPoint, Class<?> type, Class<?> hooked,
                                               String exceptionType) {
        if (KryoBridge.buildsWithAConstructor(type)) {
            if (SERIALIZABLE.size() < CACHE_LIMIT) {
                SERIALIZABLE.putIfAbsent(type.getName(), Boolean.TRUE);
            }
            return null;
        }
        if (type.isEnum() || Collection.class.isAssignableFrom(type) || Map.class.isAssignableFrom(type)
                || Iterator.class.isAssignableFrom(type) || Enumeration.class.isAssignableFrom(type)
                || Annotation.class.isAssignableFrom(type) || type == Class.class) {
            return null; // Hessian's own deserializers: a public constructor, a constant or a proxy
        }
        DeserializerGate gate = DeserializerGate.installed();
        if (gate == null || gate.policy().serial().unconstructedPatterns().match(type.getName()) != null) {
            return null;
        }
        return DeserializerGate.refuse(KryoBridge.UNCONSTRUCTED, library, entryPoint, type.getName(), -1, hooked,
                exceptionType);
    }

    /** The class {@code name} names for Hessian, loaded without initialisation, or null. */
    private static Class<?> resolve(String name, Object factory, Class<?> hooked) {
        ClassLoader loader = null;
        try {
            Object l = factory.getClass().getMethod("getClassLoader").invoke(factory);
            loader = l instanceof ClassLoader cl ? cl : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            // fall back to the library's own loader
        }
        for (ClassLoader candidate : new ClassLoader[] {loader, hooked == null ? null : hooked.getClassLoader()}) {
            if (candidate == null) {
                continue;
            }
            try {
                return Class.forName(name, false, candidate);
            } catch (ClassNotFoundException | LinkageError e) {
                // not visible here; Hessian will say so itself
            }
        }
        return null;
    }
}
