package dev.safeload.deser;

import dev.safeload.policy.Decision;
import dev.safeload.policy.Mode;
import dev.safeload.policy.Policy;
import dev.safeload.policy.SerialPolicy;
import java.io.Serializable;
import java.lang.reflect.Modifier;

/**
 * What the hooks in Kryo 5 call. A class name in the stream is judged by
 * {@link DeserializerGate#checkClassName} where {@code DefaultClassResolver} reads it, before
 * {@code Class.forName}; this class judges every class Kryo is about to instantiate (also one
 * the stream never names: a field whose declared type is final), once per registration, at
 * {@code Kryo.newInstantiator}, before the first instance exists.
 *
 * <p>Two rules beyond {@code serial.allow}:
 * <ul>
 *   <li>A class the application registered with {@code kryo.register} is its own allowlist,
 *       written in its code: an unlisted registered class is allowed. The gadget denylist and
 *       {@code serial.deny} still refuse it.</li>
 *   <li>Kryo rebuilds an object field by field whether or not it is {@code Serializable}, and
 *       with an Objenesis strategy ({@code StdInstantiatorStrategy}, or as the fallback of
 *       {@code DefaultInstantiatorStrategy}) without running any constructor.
 *       {@code ObjectInputStream} does that only to classes whose authors declared them
 *       {@code Serializable}; any other class built that way must be named in
 *       {@code serial.allowWithoutConstructor}.</li>
 * </ul>
 */
public final class KryoBridge {

    /** Kryo's own strategy: a constructor when the class has a no-argument one, else its fallback. */
    private static final String DEFAULT_STRATEGY = "com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy";

    private KryoBridge() {
    }

    /**
     * {@code DefaultClassResolver.getTypeByName}: a class name the stream carries, before Kryo
     * looks it up and loads it; null means go on.
     */
    public static Throwable checkName(String library, String entryPoint, Object className, Class<?> hooked,
                                      String exceptionType) {
        return className instanceof String name
                ? AuditedNames.checkClassName(library, entryPoint, name, hooked, exceptionType) : null;
    }

    /**
     * Kryo is about to make the instantiator of {@code type}; null means go on.
     *
     * @param kryo the {@code Kryo} instance, for its registrations and instantiator strategy
     * @param instantiated the class (hooked parameters arrive as {@code Object})
     */
    public static Throwable checkInstantiation(String library, String entryPoint, Object kryo, Object instantiated,
                                               Class<?> hooked, String exceptionType) {
        DeserializerGate gate = DeserializerGate.installed();
        if (gate == null || !(instantiated instanceof Class<?> type)) {
            return null;
        }
        Policy p = gate.policy();
        if (p.mode() == Mode.OFF) {
            return null;
        }
        SerialPolicy serial = p.serial();
        Decision decision = serial.decide(type);
        if (decision == SerialPolicy.NOT_ALLOWED && registeredExplicitly(kryo, type)) {
            return null;
        }
        boolean audit = p.mode() == Mode.AUDIT;
        if (!(decision.rejected() && audit && AuditedNames.contains(type.getName()))) { // else logged by name
            Throwable refused = DeserializerGate.checkClass(library, entryPoint, type, hooked, exceptionType);
            if (refused != null || decision.rejected() && !(audit && decision == SerialPolicy.NOT_ALLOWED)) {
                return refused;
            }
        }
        // Allowed, or an unlisted class audit mode let through: once serial.allow names it (as
        // learn would), enforce mode also applies this rule, so audit mode logs it now too.
        if (buildsWithAConstructor(type) || serial.unconstructedPatterns().match(type.getName()) != null
                || runsAConstructor(kryo, type)) {
            return null;
        }
        return DeserializerGate.refuse(UNCONSTRUCTED, library, entryPoint, type.getName(), -1, hooked, exceptionType);
    }

    /** {@code Kryo.depth}, the objects open in a read, per Kryo class; null for a Kryo shaped otherwise. */
    private static final ClassValue<java.lang.reflect.Field> DEPTH = new ClassValue<>() {
        @Override
        protected java.lang.reflect.Field computeValue(Class<?> type) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                if (c.getName().equals("com.esotericsoftware.kryo.Kryo")) {
                    try {
                        java.lang.reflect.Field depth = c.getDeclaredField("depth");
                        depth.setAccessible(true);
                        return depth.getType() == int.class ? depth : null;
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        return null;
                    }
                }
            }
            return null;
        }
    };

    /**
     * Per Kryo and input class, the public methods a reference is read ahead with:
     * {@code Kryo.getReferenceResolver}, {@code ReferenceResolver.useReferences} and
     * {@code getReadObject}, {@code Input.canReadVarInt}, {@code position}, {@code readVarInt},
     * {@code setPosition}.
     */
    private static final ClassValue<java.lang.reflect.Method[]> METHODS = new ClassValue<>() {
        @Override
        protected java.lang.reflect.Method[] computeValue(Class<?> type) {
            try {
                if (type.getName().startsWith("com.esotericsoftware.kryo.io.")
                        || type.getName().startsWith("com.esotericsoftware.kryo.unsafe.")) {
                    return new java.lang.reflect.Method[] {type.getMethod("canReadVarInt"), type.getMethod("position"),
                        type.getMethod("readVarInt", boolean.class), type.getMethod("setPosition", int.class)};
                }
                if (type.getName().equals("com.esotericsoftware.kryo.Kryo")) {
                    return new java.lang.reflect.Method[] {type.getMethod("getReferenceResolver")};
                }
                return new java.lang.reflect.Method[] {type.getMethod("useReferences", Class.class),
                    type.getMethod("getReadObject", Class.class, int.class)};
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    };

    /**
     * {@code Kryo.readObject}, {@code readObjectOrNull}, {@code readClassAndObject}: one more
     * object is about to open inside the {@code Kryo.depth} open already, judged by
     * {@code serial.maxDepth} and by the CPU the top-level read has spent
     * ({@link ReferenceBudget#objectRead}); null means go on.
     *
     * @param type the class asked for, when the read names one
     */
    public static Throwable readDepth(String library, String entryPoint, Object kryo, Object type, Class<?> hooked,
                                      String exceptionType) {
        if (DeserializerGate.installed() == null) {
            return null;
        }
        java.lang.reflect.Field depth = DEPTH.get(kryo.getClass());
        int open;
        try {
            open = depth == null ? 0 : depth.getInt(kryo);
        } catch (IllegalAccessException | RuntimeException e) {
            return null;
        }
        Throwable deep = ReferenceBudget.checkDepth(open + 1L,
                type instanceof Class<?> c ? c.getName() : String.valueOf(type), library, entryPoint, hooked,
                exceptionType);
        if (deep != null) {
            return deep;
        }
        if (open == 0) {
            ReferenceBudget.documentStarts(kryo); // a top-level read: Kryo's own unit of work
        }
        return ReferenceBudget.of(kryo).objectRead(type, ReferenceBudget.NANOS_PER_OBJECT, library, entryPoint, hooked,
                exceptionType);
    }

    /** {@link #readDepth} for {@code readClassAndObject}, whose class the stream names next. */
    public static Throwable readDepth(String library, String entryPoint, Object kryo, String type, Class<?> hooked,
                                      String exceptionType) {
        return readDepth(library, entryPoint, kryo, (Object) type, hooked, exceptionType);
    }

    /**
     * {@code Kryo.readReferenceOrNull}: the next object may be a back-reference, an id Kryo will
     * look up with {@code getReadObject}. The id is read ahead as Kryo reads it (and the input's
     * position put back), the object it names is looked up the same way, and its expanded size
     * is spent from the document's {@code serial.maxWork}: here, because Kryo wraps any exception
     * from {@code getReadObject} in its own message. Null means go on.
     */
    public static Throwable referenceAhead(String library, String entryPoint, Object kryo, Object input, Object type,
                                           Class<?> hooked, String exceptionType) {
        DeserializerGate gate = DeserializerGate.installed();
        if (gate == null || gate.policy().mode() == Mode.OFF || !(type instanceof Class<?> c) || c.isPrimitive()
                || input == null) {
            return null; // a primitive is read as its wrapper, which Kryo's resolvers never reference
        }
        if (!MAY_EXPAND.get(c) || isNewObjectOrNull(input)) {
            return null;
        }
        try {
            java.lang.reflect.Method[] kryoMethods = METHODS.get(kryoClassOf(kryo.getClass()));
            java.lang.reflect.Method[] inputMethods = METHODS.get(input.getClass());
            Object resolver = kryoMethods == null ? null : kryoMethods[0].invoke(kryo);
            java.lang.reflect.Method[] resolverMethods = resolver == null ? null : METHODS.get(resolver.getClass());
            if (inputMethods == null || resolverMethods == null
                    || !Boolean.TRUE.equals(resolverMethods[0].invoke(resolver, c))
                    || !Boolean.TRUE.equals(inputMethods[0].invoke(input))) {
                return null;
            }
            int position = (Integer) inputMethods[1].invoke(input);
            int id = (Integer) inputMethods[2].invoke(input, Boolean.TRUE);
            inputMethods[3].invoke(input, position);
            if (id < 2) {
                return null; // null, or a new object: 0 and 1 in Kryo's reference ids
            }
            Object referred = resolverMethods[1].invoke(resolver, c, id - 2);
            return referred == null ? null
                    : ReferenceBudget.of(resolver).refer(referred, library, entryPoint, hooked, exceptionType);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null; // a Kryo shaped otherwise, or a reference Kryo itself will fail to resolve
        }
    }

    /**
     * Whether a reference of this declared type can name an object whose expanded size is more
     * than one ({@link ReferenceExpansion}): a collection, map, entry or object array, or a type
     * wide enough to hold one. Any other reference counts one, too little to matter, and is not
     * read ahead: most of Kryo's reads (a DTO, a string, a boxed number) stop here.
     */
    private static final ClassValue<Boolean> MAY_EXPAND = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return type == Object.class || type.isInterface() && !type.isAnnotation()
                    || java.util.Collection.class.isAssignableFrom(type) || java.util.Map.class.isAssignableFrom(type)
                    || java.util.Map.Entry.class.isAssignableFrom(type)
                    || type.isArray() && !type.getComponentType().isPrimitive()
                    || java.lang.reflect.Modifier.isAbstract(type.getModifiers());
        }
    };

    /**
     * {@code Input.buffer} and {@code Input.position}, for {@code Input} and {@code UnsafeInput},
     * which read from that array; null for the other inputs.
     */
    private static final ClassValue<java.lang.reflect.Field[]> BUFFER = new ClassValue<>() {
        @Override
        protected java.lang.reflect.Field[] computeValue(Class<?> type) {
            if (!type.getName().equals("com.esotericsoftware.kryo.io.Input")
                    && !type.getName().equals("com.esotericsoftware.kryo.unsafe.UnsafeInput")) {
                return null;
            }
            Class<?> input = type.getName().endsWith(".io.Input") ? type : type.getSuperclass();
            try {
                java.lang.reflect.Field buffer = input.getDeclaredField("buffer");
                java.lang.reflect.Field position = input.getDeclaredField("position");
                java.lang.reflect.Field limit = input.getDeclaredField("limit");
                buffer.setAccessible(true);
                position.setAccessible(true);
                limit.setAccessible(true);
                return buffer.getType() == byte[].class ? new java.lang.reflect.Field[] {buffer, position, limit} : null;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    };

    /**
     * True when the next byte in the input's buffer is 0 or 1, Kryo's null and new-object
     * markers, so no back-reference follows: most objects, told apart by two field reads
     * instead of the calls that read a reference ahead.
     */
    private static boolean isNewObjectOrNull(Object input) {
        java.lang.reflect.Field[] fields = BUFFER.get(input.getClass());
        if (fields == null) {
            return false;
        }
        try {
            int position = fields[1].getInt(input);
            if (position >= fields[2].getInt(input)) {
                return false;
            }
            byte next = ((byte[]) fields[0].get(input))[position];
            return next == 0 || next == 1;
        } catch (IllegalAccessException | RuntimeException e) {
            return false;
        }
    }

    /** Kryo itself above the application's subclass of it, whose public methods are Kryo's. */
    private static Class<?> kryoClassOf(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals("com.esotericsoftware.kryo.Kryo")) {
                return c;
            }
        }
        return type;
    }

    /** {@code ReferenceResolver.reset}: the document ended; the next one starts with the whole budget. */
    public static Throwable referencesReset(Object resolver) {
        if (DeserializerGate.installed() != null) {
            ReferenceBudget.forget(resolver);
        }
        return null;
    }

    /**
     * A length Kryo is about to allocate for before reading the data behind it: a primitive
     * array ({@code Input.readBytes(int)}, {@code readInts}, ...) or a collection's or map's
     * capacity ({@code CollectionSerializer.create}, {@code MapSerializer.create}); null means go
     * on. See {@link LengthClaim}.
     *
     * @param input Kryo's {@code Input}: when it reads from a byte array, the bytes left are known
     * @param arrayClass what the length allocates, as a JVM array name
     */
    public static Throwable checkLength(String library, String entryPoint, Object input, int length, String arrayClass,
                                        Class<?> hooked, String exceptionType) {
        if (length < LengthClaim.CHECKED_LENGTH) {
            return null;
        }
        return LengthClaim.check(library, entryPoint, length, remaining(input), arrayClass, hooked, exceptionType);
    }

    /**
     * {@code ObjectArraySerializer.read} or {@code StringArraySerializer.read}: the array's
     * ({@code arrayClass}'s) length plus one is the next varint, read
     * ahead as Kryo reads it (the input's position put back) and judged as {@link #checkLength}
     * judges a length, before Kryo allocates the array; null means go on.
     */
    public static Throwable checkObjectArrayLength(String library, String entryPoint, String arrayClass, Object input,
                                                   Class<?> hooked, String exceptionType) {
        if (DeserializerGate.installed() == null || input == null) {
            return null;
        }
        long length;
        try {
            java.lang.reflect.Method[] inputMethods = METHODS.get(input.getClass());
            if (inputMethods == null || !Boolean.TRUE.equals(inputMethods[0].invoke(input))) {
                return null;
            }
            int position = (Integer) inputMethods[1].invoke(input);
            length = ((Integer) inputMethods[2].invoke(input, Boolean.TRUE)) - 1L; // 0 is null
            inputMethods[3].invoke(input, position);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
        if (length < LengthClaim.CHECKED_LENGTH) {
            return null;
        }
        return LengthClaim.check(library, entryPoint, length, remaining(input), arrayClass, hooked, exceptionType);
    }

    /**
     * The bytes left in a Kryo {@code Input} that reads from an array, or -1 for one that reads a
     * stream. Only {@code Input} itself is read so: its subclasses keep their own buffers.
     */
    private static long remaining(Object input) {
        try {
            Class<?> type = input.getClass();
            if (!"com.esotericsoftware.kryo.io.Input".equals(type.getName())) {
                return -1;
            }
            if (type.getMethod("getInputStream").invoke(input) != null) {
                return -1;
            }
            return (Integer) type.getMethod("limit").invoke(input) - (long) (Integer) type.getMethod("position").invoke(input);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return -1;
        }
    }

    static final Decision UNCONSTRUCTED = Decision.reject("serial.allowWithoutConstructor",
            "not Serializable, and built without running a constructor");

    /**
     * Classes whose construction needs no extra key: {@code Serializable} ones (their authors
     * accepted being rebuilt from fields, as {@code ObjectInputStream} does) and those no
     * instantiator can build at all.
     */
    static boolean buildsWithAConstructor(Class<?> type) {
        return Serializable.class.isAssignableFrom(type) || type.isInterface() || type.isArray()
                || type.isPrimitive() || Modifier.isAbstract(type.getModifiers());
    }

    /**
     * Whether Kryo's strategy will call one of {@code type}'s constructors. Only Kryo's own
     * {@code DefaultInstantiatorStrategy} is known to: with no fallback it builds by the
     * no-argument constructor or fails, with one it falls back only when that constructor is
     * missing. Any other strategy (Objenesis's, or the application's own) counts as none.
     */
    private static boolean runsAConstructor(Object kryo, Class<?> type) {
        try {
            Object strategy = kryo.getClass().getMethod("getInstantiatorStrategy").invoke(kryo);
            if (strategy == null || !DEFAULT_STRATEGY.equals(strategy.getClass().getName())) {
                return false;
            }
            if (strategy.getClass().getMethod("getFallbackInstantiatorStrategy").invoke(strategy) == null) {
                return true;
            }
            if (type.isMemberClass() && !Modifier.isStatic(type.getModifiers())) {
                return false; // an inner class has no no-argument constructor: it takes its outer instance
            }
            type.getDeclaredConstructor();
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return false; // a Kryo we cannot read: the stricter answer
        }
    }

    /**
     * Whether the application registered {@code type} itself ({@code kryo.register}, an id of
     * zero or more) rather than Kryo registering it when the stream named it (id -1).
     */
    static boolean registeredExplicitly(Object kryo, Class<?> type) {
        try {
            Object resolver = kryo.getClass().getMethod("getClassResolver").invoke(kryo);
            Object registration = resolver.getClass().getMethod("getRegistration", Class.class).invoke(resolver, type);
            if (registration == null) {
                return false;
            }
            Object id = registration.getClass().getMethod("getId").invoke(registration);
            return id instanceof Integer i && i >= 0;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** How many causes {@link #javaSerializationMessage} looks through: a cycle, or a chain of thousands, ends there. */
    private static final int CAUSES = 16;

    /**
     * The message of the {@code KryoException} that {@code JavaSerializer.read} wraps a failed
     * nested {@code ObjectInputStream} read in: the stream guard's refusal's, starting
     * {@code safeload:}, when the cause is one or has one among its causes; else Kryo's. The
     * guard's {@code InvalidClassException(className, "safeload: rejected by rule R: D")} says
     * {@code className; safeload: ...}, so it is told the way every other Kryo refusal is:
     * {@code safeload: refused className (rule R: D) in ...JavaSerializer.read}.
     */
    public static String javaSerializationMessage(String message, Throwable cause) {
        Throwable c = cause;
        for (int i = 0; i < CAUSES && c != null; i++) {
            String m = c.getMessage();
            if (m != null && m.startsWith("safeload:")) {
                return m;
            }
            if (m != null && c instanceof java.io.InvalidClassException ice && ice.classname != null
                    && m.startsWith(ice.classname + "; safeload: ")) {
                String detail = m.substring(ice.classname.length() + 2);
                return detail.startsWith(REJECTED_BY)
                        ? "safeload: refused " + ice.classname + " (rule " + detail.substring(REJECTED_BY.length())
                                + ") in " + JAVA_SERIALIZER_READ
                        : detail + " (" + ice.classname + ")";
            }
            c = c.getCause() == c ? null : c.getCause();
        }
        return message;
    }

    /** How the stream guard's refusal of a class begins ({@code SerialGate}). */
    private static final String REJECTED_BY = "safeload: rejected by rule ";
    private static final String JAVA_SERIALIZER_READ = "com.esotericsoftware.kryo.serializers.JavaSerializer.read";
}
