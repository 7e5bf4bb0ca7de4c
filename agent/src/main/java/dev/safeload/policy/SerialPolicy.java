package dev.safeload.policy;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which classes a Java serialization stream may name, and how large it may grow. Default-deny:
 * a class is allowed only if an allow pattern matches it and no deny pattern does; deny always
 * wins. Arrays are judged by their component class. Decisions are cached per class, so a class
 * already seen costs one {@link ClassValue} lookup and no allocation.
 */
public final class SerialPolicy {

    private static final int NAME_CACHE_LIMIT = 4096;

    private static final Decision PRIMITIVE_ARRAY = Decision.allow("serial.allow", "primitive array");
    private static final Decision ENUM = Decision.allow("serial.allow", "enum");
    private static final Decision PROXY = Decision.allow("serial.allow", "proxy class; each interface is checked");
    /** What a class no pattern names gets; the one refusal a proven enum is exempt from. */
    public static final Decision NOT_ALLOWED = Decision.reject("serial.allow", "not in the allowlist");

    /** What {@link #decide} answers for a class named by a scoped rule: ask {@link #decideScoped}. */
    public static final Decision SCOPED = Decision.undecided("serial.scope", "depends on the code reading the stream");

    private final ClassPatterns allow;
    private final ClassPatterns deny;
    /** The {@code class@scope} rules, made at the first class one of them names ({@link #withJdkScoped}). */
    private final Once<List<ScopedRule>> scoped;
    /** The class patterns of every scoped rule: which classes {@link #decide} leaves to {@link #decideScoped}. */
    private final ClassPatterns scopedClasses;
    private final SerialLimits limits;
    /** Classes Kryo and Hessian may build without a constructor although they are not Serializable. */
    private final ClassPatterns unconstructed;
    private final ClassValue<Decision> byClass = new ClassValue<>() {
        @Override
        protected Decision computeValue(Class<?> type) {
            return decideUncached(type);
        }
    };
    private final ConcurrentHashMap<String, Decision> byName = new ConcurrentHashMap<>();
    /**
     * The decisions for the two array classes the JDK's own {@code readObject} methods check at
     * every {@code ArrayList}, {@code HashMap}, {@code HashSet} and {@code Hashtable} read
     * ({@code checkArray}), taken once: an identity test instead of a {@link ClassValue} lookup
     * at each (3,750 per read of the 20,000-object graph). Taken at the first use, not at start;
     * a race only computes the same immutable decision twice.
     */
    private Decision objectArray;
    private Decision entryArray;

    public SerialPolicy(ClassPatterns allow, ClassPatterns deny, SerialLimits limits) {
        this(allow, deny, List.of(), limits);
    }

    public SerialPolicy(ClassPatterns allow, ClassPatterns deny, List<ScopedRule> scoped, SerialLimits limits) {
        this(allow, deny, scoped, limits, ClassPatterns.empty());
    }

    /**
     * @param unconstructed the {@code serial.allowWithoutConstructor} patterns: allowed classes
     *     that are not {@code Serializable} and that Kryo or Hessian may still build without
     *     running a constructor (Objenesis, {@code Unsafe.allocateInstance})
     */
    public SerialPolicy(ClassPatterns allow, ClassPatterns deny, List<ScopedRule> scoped, SerialLimits limits,
                        ClassPatterns unconstructed) {
        this(allow, deny, Once.ready(List.copyOf(scoped)), classesOf(scoped, List.of()), limits, unconstructed);
    }

    private SerialPolicy(ClassPatterns allow, ClassPatterns deny, Once<List<ScopedRule>> scoped,
                         ClassPatterns scopedClasses, SerialLimits limits, ClassPatterns unconstructed) {
        this.allow = allow;
        this.deny = deny;
        this.scoped = scoped;
        this.scopedClasses = scopedClasses;
        this.limits = limits;
        this.unconstructed = unconstructed;
    }

    /**
     * A policy with the JDK's scoped allows ({@link Presets#defaultScopedAllow}) before {@code
     * own}. Those 32 rules (64 pattern sets) are made at the first class one of them names, an
     * RMI or JMX class, which most JVMs never read: the start compiles only their class patterns,
     * all it needs to tell such a class apart. {@code own} are the policy's, made and checked at
     * start.
     */
    public static SerialPolicy withJdkScoped(ClassPatterns allow, ClassPatterns deny, List<ScopedRule> own,
                                             SerialLimits limits, ClassPatterns unconstructed) {
        List<ScopedRule> ownRules = List.copyOf(own);
        ClassPatterns scopedClasses = ownRules.isEmpty() ? Presets.defaultScopedClassPatterns()
                : classesOf(ownRules, Presets.defaultScopedClasses());
        return new SerialPolicy(allow, deny, Once.of(new JdkScopedThen(ownRules)), scopedClasses, limits, unconstructed);
    }

    /** The JDK's scoped allows, then the policy's own rules. A class, not a lambda: made at premain. */
    private record JdkScopedThen(List<ScopedRule> own) implements java.util.function.Supplier<List<ScopedRule>> {
        @Override
        public List<ScopedRule> get() {
            List<ScopedRule> all = new java.util.ArrayList<>(Presets.defaultScopedAllow());
            all.addAll(own);
            return List.copyOf(all);
        }
    }

    /** The class patterns of {@code rules}, after {@code more}, as one set. */
    private static ClassPatterns classesOf(List<ScopedRule> rules, List<String> more) {
        if (rules.isEmpty() && more.isEmpty()) {
            return ClassPatterns.empty();
        }
        List<String> patterns = new java.util.ArrayList<>(more);
        for (ScopedRule rule : rules) {
            patterns.addAll(rule.classes().patterns());
        }
        return ClassPatterns.builtIn(patterns);
    }

    /**
     * The decision for a class {@link #decide} answered {@link #SCOPED} for: {@code frames} are
     * the classes on the stack that reads the stream. Deny rules win over allow rules, scoped or
     * not; with no scoped rule matching this stack, the unscoped rules decide.
     */
    public Decision decideScoped(Class<?> type, java.util.Set<String> frames) {
        Decision unscoped = decideUnscoped(type);
        String name = componentName(type);
        Decision allowed = null;
        for (ScopedRule rule : scoped.get()) {
            if (rule.classes().match(name) == null || frames.stream().noneMatch(f -> rule.scope().match(f) != null)) {
                continue;
            }
            if (!rule.allow()) {
                return Decision.reject("serial.deny", "!" + rule.text());
            }
            allowed = Decision.allow("serial.allow", rule.text());
        }
        return allowed != null && !"serial.deny".equals(unscoped.rule()) ? allowed : unscoped;
    }

    private static String componentName(Class<?> type) {
        Class<?> c = type;
        while (c.isArray()) {
            c = c.getComponentType();
        }
        return c.getName();
    }


    /** The decision for a class the stream resolved (for an array, its component decides). */
    public Decision decide(Class<?> type) {
        if (type == Object[].class) {
            Decision d = objectArray;
            return d != null ? d : (objectArray = byClass.get(type));
        }
        if (type == java.util.Map.Entry[].class) {
            Decision d = entryArray;
            return d != null ? d : (entryArray = byClass.get(type));
        }
        return byClass.get(type);
    }

    /**
     * The decision for a class known only by the name written in the stream, before it is
     * resolved, or because it cannot be, whatever flags its descriptor carries (an enum flag
     * proves nothing before the class is resolved: {@link EnumProof}).
     */
    public Decision decideName(String streamName) {
        Decision cached = byName.get(streamName);
        if (cached != null) {
            return cached;
        }
        Decision decision = decideNameUncached(streamName);
        if (byName.size() < NAME_CACHE_LIMIT) {
            // Bounded: a stream of random names must not grow the cache without end.
            byName.putIfAbsent(streamName, decision);
        }
        return decision;
    }

    public SerialLimits limits() {
        return limits;
    }

    public ClassPatterns allowPatterns() {
        return allow;
    }

    public ClassPatterns denyPatterns() {
        return deny;
    }

    /** The {@code serial.allowWithoutConstructor} patterns. */
    public ClassPatterns unconstructedPatterns() {
        return unconstructed;
    }

    /** The {@code class@scope} rules, allow and deny. */
    public List<ScopedRule> scopedRules() {
        return scoped.get();
    }

    private Decision decideUncached(Class<?> type) {
        String name = componentName(type);
        if (namedByScopedRule(name)) {
            return SCOPED;
        }
        return decideUnscoped(type);
    }

    private Decision decideUnscoped(Class<?> type) {
        Class<?> component = type;
        while (component.isArray()) {
            component = component.getComponentType();
        }
        if (component.isPrimitive()) {
            return PRIMITIVE_ARRAY;
        }
        Decision byPattern = decideByPattern(component.getName());
        if (byPattern != null) {
            return byPattern;
        }
        if (Enum.class.isAssignableFrom(component) && component != Enum.class) {
            return ENUM;
        }
        if (Proxy.isProxyClass(component)) {
            return PROXY;
        }
        return NOT_ALLOWED;
    }

    private Decision decideNameUncached(String streamName) {
        String name = streamName;
        if (name.startsWith("[")) {
            int dims = 0;
            while (dims < name.length() && name.charAt(dims) == '[') {
                dims++;
            }
            String element = name.substring(dims);
            if (element.length() == 1 && "ZBCSIJFD".contains(element)) {
                return PRIMITIVE_ARRAY;
            }
            if (element.length() < 3 || element.charAt(0) != 'L' || !element.endsWith(";")) {
                return Decision.reject("serial.allow", "malformed array class name");
            }
            name = element.substring(1, element.length() - 1);
        }
        Decision byPattern = decideByPattern(name);
        if (byPattern != null) {
            return byPattern;
        }
        if (namedByScopedRule(name)) {
            // Only the stack can settle a scoped rule.
            return Decision.UNDECIDED;
        }
        return NOT_ALLOWED;
    }

    /** Whether a scoped rule names {@code name}: one lookup in their class patterns, the rules themselves not made. */
    private boolean namedByScopedRule(String name) {
        return !scopedClasses.isEmpty() && scopedClasses.match(name) != null;
    }

    private Decision decideByPattern(String name) {
        String denied = deny.match(name);
        if (denied != null) {
            return Decision.reject("serial.deny", "!" + denied);
        }
        String allowed = allow.match(name);
        if (allowed != null) {
            return Decision.allow("serial.allow", allowed);
        }
        return null;
    }
}
