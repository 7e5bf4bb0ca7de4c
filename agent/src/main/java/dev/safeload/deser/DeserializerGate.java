package dev.safeload.deser;

import dev.safeload.policy.Decision;
import dev.safeload.policy.EnumProof;
import dev.safeload.policy.Mode;
import dev.safeload.policy.Policy;
import dev.safeload.policy.SerialPolicy;
import dev.safeload.report.Event;
import dev.safeload.report.Metrics;
import dev.safeload.report.Reporter;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the hooks in deserializers other than {@code ObjectInputStream} (SnakeYAML, Jackson
 * polymorphic typing, XMLDecoder, XStream, Kryo, Hessian, ...) call before a document turns
 * into an instance of a class. It judges the class by the same policy as every
 * {@code ObjectInputStream} ({@code serial.allow}, the built-in allowlist, the gadget denylist,
 * presets and scoped rules), logs the same event as the stream guard, and in enforce mode hands
 * back the exception the hook throws, of the library's own type, with a message starting
 * {@code safeload:}. Unknown means refuse: a class the policy does not allow is refused.
 */
public final class DeserializerGate {

    private static volatile DeserializerGate installed;

    /** A decision cache bound: a document of random names must not grow it without end. */
    private static final int CACHE_LIMIT = 4096;

    private static final Decision ENUM = Decision.allow("serial.allow", "enum");

    /**
     * The root class the application handed the current read on this thread as a Class object
     * ({@code Yaml.loadAs(text, Config.class)}), by name, so no class loader is held. SnakeYAML
     * looks that class up by name like any tag, but the application chose it, not the document.
     */
    private static final ThreadLocal<String[]> APPLICATION_ROOT = new ThreadLocal<>() {
        // A class, not a lambda: the gate is made in premain, where a lambda bootstrap costs start-up.
        @Override
        protected String[] initialValue() {
            return new String[1];
        }
    };

    private final Reporter reporter;
    private volatile Policy policy;
    /**
     * Names {@link SerialPolicy#decideName} did not allow but the class itself may be (an enum):
     * the answer from loading the class without initialising it, so that costs once per name.
     * Cleared when the policy changes.
     */
    private final ConcurrentHashMap<String, Decision> provenByName = new ConcurrentHashMap<>();

    /**
     * Every name a lookup hook let through (allowed, or audited): what SnakeYAML's and Jackson's
     * own caches may now hold, and what a cache hit judges again. A name never let through here
     * is one the library did not look up through the gate (a tag the application registered,
     * {@code new Constructor(Config.class)}), left alone as before. Never cleared.
     */
    private final ConcurrentHashMap<String, Boolean> letThrough = new ConcurrentHashMap<>();
    /** Set once {@link #letThrough} is full: from then on every cache hit is judged (fail closed). */
    private volatile boolean letThroughFull;

    /**
     * The policy every name in {@link #letThrough} passed outright (by its patterns, or as an
     * enum), or null. While it is the policy in force, judging a cache hit again would allow
     * every name it holds once more, so the cache-hit hooks return at one field read. It becomes
     * null for good, and every cache hit is judged as before, at the first of: a policy change
     * (the tightening those hooks exist for), a name let through in audit mode, by a scoped rule
     * (whose verdict depends on each read's stack) or as SnakeYAML's application-chosen root,
     * and {@link #letThrough} filling up. The names a library cached before the agent attached
     * were never let through here, and are left alone either way.
     */
    private volatile Policy hitsPassUnder;

    /** Which cache-hit keys passed under which policy: a new policy (tightened, or the mode raised) starts empty. */
    private volatile HitVerdicts hitVerdicts = new HitVerdicts(null, new ConcurrentHashMap<>(), new ConcurrentHashMap<>(),
            new ConcurrentHashMap<>());

    /**
     * @param passed keys that passed under {@code policy}
     * @param passedRelative MINIMAL_CLASS ids relative to a base package ({@code .Name}), by that package
     * @param audited class names audit mode already logged under {@code policy}: a cache hit does not log them again
     */
    private record HitVerdicts(Policy policy, ConcurrentHashMap<String, Boolean> passed,
                               ConcurrentHashMap<String, ConcurrentHashMap<String, Boolean>> passedRelative,
                               ConcurrentHashMap<String, Boolean> audited) {
    }

    /**
     * {@code MinimalClassNameIdResolver._basePackageName}, made readable, for the resolver class
     * that has it; null for any other. Jackson caches a {@code .Name} id as it is, so expanding
     * it as the resolver does is the only way to know which class a cache hit stands for.
     */
    private static final ClassValue<java.lang.reflect.Field> BASE_PACKAGE = new ClassValue<>() {
        @Override
        protected java.lang.reflect.Field computeValue(Class<?> type) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                if (c.getName().equals("com.".concat("fasterxml.jackson.databind.jsontype.impl.")
                        .concat("MinimalClassNameIdResolver"))) {
                    try {
                        java.lang.reflect.Field field = c.getDeclaredField("_basePackageName");
                        field.setAccessible(true);
                        return field.getType() == String.class ? field : null;
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        return null; // a Jackson without the field: its relative ids are left to the lookup hook
                    }
                }
            }
            return null;
        }
    };

    /** SnakeYAML's global tag prefix ({@code !!x} is {@code tag:yaml.org,2002:x}). */
    private static final String YAML_GLOBAL_TAG = "tag:yaml.org,2002:";

    /** Whether a Jackson {@code TypeIdResolver} class is the class-name one (or extends it, as MINIMAL_CLASS's does). */
    private static final ClassValue<Boolean> CLASS_NAME_RESOLVER = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                // Built at run time: the shade plugin would rewrite the constant to the agent's own relocated Jackson.
                if (c.getName().equals("com.".concat("fasterxml.jackson.databind.jsontype.impl.ClassNameIdResolver"))) {
                    return Boolean.TRUE;
                }
            }
            return Boolean.FALSE;
        }
    };

    public DeserializerGate(Policy policy, Reporter reporter) {
        this.reporter = reporter;
        this.policy = policy;
        this.hitsPassUnder = policy;
    }

    /** Makes {@code gate} the one the hooks call. */
    public static void install(DeserializerGate gate) {
        installed = gate;
    }

    /** The gate the hooks call, or null before the agent starts. */
    public static DeserializerGate installed() {
        return installed;
    }

    /** The policy in force. */
    public Policy policy() {
        return policy;
    }

    /** Replaces the policy with one volatile write. */
    public void policy(Policy next) {
        hitsPassUnder = null; // before the policy: a hook that sees the new policy never takes the fast path
        this.policy = next;
        provenByName.clear();
    }

    /**
     * True while a cache hit under {@code p} has nothing to judge again: every name the gate let
     * through passed outright under {@code p} itself ({@link #hitsPassUnder}). One field read.
     */
    public boolean cacheHitsPass(Policy p) {
        return hitsPassUnder == p;
    }

    /**
     * A deserializer is about to turn attacker data into this class; null means go on.
     * Allocation-free when the class is allowed.
     *
     * @param library the library's short name, e.g. {@code snakeyaml}, for the log
     * @param entryPoint the library's public method, e.g. {@code org.yaml.snakeyaml.Yaml.load}:
     *     the log names the outermost frame of that library on the stack instead when there is
     *     one (so {@code Yaml.loadAs} is named as such), and this when there is none
     * @param className the class name the document names, as {@code Class.forName} takes it
     *     (arrays as {@code [Lx.Y;})
     * @param hooked the hooked class, whose loader finds {@code exceptionType}
     * @param exceptionType the exception the library's callers handle, e.g.
     *     {@code org.yaml.snakeyaml.error.YAMLException}
     * @return the exception to throw, or null
     */
    public static Throwable checkClassName(String library, String entryPoint, String className, Class<?> hooked,
                                           String exceptionType) {
        DeserializerGate gate = installed;
        if (gate == null || className == null) {
            return null; // a null name fails inside the library as it would without the agent
        }
        Policy p = gate.policy;
        if (p.mode() == Mode.OFF) {
            return null;
        }
        Metrics.checked(entryPoint);
        Decision byName = p.serial().decideName(className);
        if (byName.allowed()) {
            gate.letThrough(className);
            return null;
        }
        Decision decision = gate.settleName(p, byName, className, hooked);
        if (!decision.allowed() && isApplicationRoot(library, className)) {
            gate.hitsPassUnder = null; // let through for this read only, and not to SnakeYAML's cache
            return null;
        }
        Throwable refusal = decision.allowed() ? null : gate.refuse(p, decision, library, entryPoint, className, null,
                hooked, exceptionType, null);
        if (refusal == null) {
            if (decision != ENUM) {
                gate.hitsPassUnder = null; // audited, or allowed by a scoped rule for this stack only
            }
            gate.letThrough(className);
            if (!decision.allowed()) {
                gate.audited(p, className);
            }
        }
        return refusal;
    }

    private void letThrough(String className) {
        if (!letThrough.containsKey(className)) { // read first: the allow path stays lock- and allocation-free
            if (letThrough.size() < CACHE_LIMIT) {
                letThrough.putIfAbsent(className, Boolean.TRUE);
            } else {
                hitsPassUnder = null;
                letThroughFull = true;
            }
        }
    }

    /**
     * SnakeYAML's {@code Constructor.getClassForNode}, on every tagged node, before its
     * {@code typeTags} cache answers: a global tag whose class the gate let through earlier (in
     * audit mode, or under a looser policy) is judged again by the policy in force now, so a
     * long-lived {@code Yaml} does not keep what the switch to enforce refuses. Allocation-free
     * once a tag passed under this policy.
     *
     * @param tag the node's tag, {@code Tag.getValue()}
     */
    public static Throwable checkCachedTag(String library, String entryPoint, Object tag, Class<?> hooked,
                                           String exceptionType) {
        DeserializerGate gate = installed;
        if (gate == null || !(tag instanceof String value)) {
            return null;
        }
        Policy p = gate.policy;
        if (p.mode() == Mode.OFF || gate.cacheHitsPass(p)) {
            return null;
        }
        HitVerdicts verdicts = gate.hitVerdicts(p);
        if (verdicts.passed().containsKey(value)) {
            return null;
        }
        String className = null;
        if (value.startsWith(YAML_GLOBAL_TAG)) {
            // As SnakeYAML's Tag.getClassName decodes it (UriEncoder.decode is URLDecoder with UTF-8).
            String encoded = value.substring(YAML_GLOBAL_TAG.length());
            className = encoded.indexOf('%') < 0 && encoded.indexOf('+') < 0 ? encoded
                    : java.net.URLDecoder.decode(encoded, java.nio.charset.StandardCharsets.UTF_8);
        }
        return gate.judgeCacheHit(p, verdicts, verdicts.passed(), value,
                className == null ? List.of() : List.of(className), library, entryPoint, hooked, exceptionType);
    }

    /**
     * Jackson's {@code TypeDeserializerBase._findDeserializer}, on every polymorphic value,
     * before its {@code _deserializers} cache answers: a class-name type id (the deserializer's
     * resolver is {@code ClassNameIdResolver} or extends it) whose classes the gate let through
     * earlier is judged again by the policy in force now. Logical names ({@code @JsonTypeName},
     * {@code Id.NAME}) are not class names and are left alone. Allocation-free once an id passed
     * under this policy.
     *
     * @param resolver the deserializer's {@code getTypeIdResolver()}
     * @param typeId the id the document gave
     */
    public static Throwable checkCachedTypeId(String library, String entryPoint, Object resolver, Object typeId,
                                              Class<?> hooked, String exceptionType) {
        DeserializerGate gate = installed;
        if (gate == null || resolver == null || !(typeId instanceof String id)) {
            return null;
        }
        Policy p = gate.policy;
        if (p.mode() == Mode.OFF || gate.cacheHitsPass(p) || !CLASS_NAME_RESOLVER.get(resolver.getClass())) {
            return null;
        }
        HitVerdicts verdicts = gate.hitVerdicts(p);
        java.lang.reflect.Field basePackage = id.startsWith(".") ? BASE_PACKAGE.get(resolver.getClass()) : null;
        if (basePackage != null) {
            String pkg = readString(basePackage, resolver);
            if (pkg != null) {
                ConcurrentHashMap<String, Boolean> passed = verdicts.passedRelative().get(pkg);
                if (passed != null && passed.containsKey(id)) {
                    return null;
                }
                if (passed == null && verdicts.passedRelative().size() < CACHE_LIMIT) {
                    passed = verdicts.passedRelative().computeIfAbsent(pkg, k -> new ConcurrentHashMap<>());
                }
                // As MinimalClassNameIdResolver._typeFromId expands it.
                String full = pkg.isEmpty() ? id.substring(1) : pkg.concat(id);
                return gate.judgeCacheHit(p, verdicts, passed, id, List.of(full), library, entryPoint, hooked,
                        exceptionType);
            }
        }
        if (verdicts.passed().containsKey(id)) {
            return null;
        }
        List<String> names = new java.util.ArrayList<>();
        for (String part : id.split("[<>,]")) { // as checkTypeName splits it, the way Jackson's TypeParser does
            String className = part.strip();
            if (!className.isEmpty()) {
                names.add(className);
            }
        }
        return gate.judgeCacheHit(p, verdicts, verdicts.passed(), id, names, library, entryPoint, hooked, exceptionType);
    }

    /** Notes that audit mode logged {@code className} under {@code p}, bounded like the other caches. */
    private void audited(Policy p, String className) {
        ConcurrentHashMap<String, Boolean> audited = hitVerdicts(p).audited();
        if (audited.size() < CACHE_LIMIT) {
            audited.putIfAbsent(className, Boolean.TRUE);
        }
    }

    private HitVerdicts hitVerdicts(Policy p) {
        HitVerdicts verdicts = hitVerdicts;
        if (verdicts.policy() != p) {
            verdicts = new HitVerdicts(p, new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
            hitVerdicts = verdicts; // two threads may each make one; either is right for p
        }
        return verdicts;
    }

    private static String readString(java.lang.reflect.Field field, Object owner) {
        try {
            return (String) field.get(owner);
        } catch (IllegalAccessException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The first time under this policy a cache-hit key is seen: each of its names the gate let
     * through before is judged; the key then passes quietly under this policy if every name was
     * allowed, or audited once (so audit mode logs one event per class, not one per read).
     * {@code passed} is where a key that passes is remembered, or null when that map is full.
     */
    private Throwable judgeCacheHit(Policy p, HitVerdicts verdicts, ConcurrentHashMap<String, Boolean> passed,
                                    String key, List<String> names, String library, String entryPoint, Class<?> hooked,
                                    String exceptionType) {
        boolean remember = true;
        for (String className : names) {
            if (!letThroughFull && !letThrough.containsKey(className)) {
                // Not resolved through the gate: no cache of the library holds it from an earlier policy. A name
                // a scoped rule names may be let through by this very read's lookup, for this stack only.
                remember &= p.serial().decideName(className) != Decision.UNDECIDED;
                continue;
            }
            Decision decision = p.serial().decideName(className);
            if (decision.allowed()) {
                continue;
            }
            remember &= decision != Decision.UNDECIDED; // a scoped rule depends on the stack of each read
            decision = settleName(p, decision, className, hooked);
            if (decision.allowed()) {
                continue;
            }
            if (isApplicationRoot(library, className)) {
                remember = false; // the application's root for this read only
                continue;
            }
            if (p.mode() != Mode.ENFORCE && verdicts.audited().containsKey(className)) {
                continue; // audit mode logged it already under this policy, at a lookup or an earlier cache hit
            }
            Throwable refusal = refuse(p, decision, library, entryPoint, className, Boolean.TRUE, hooked, exceptionType, null);
            if (refusal != null) {
                return refusal;
            }
            audited(p, className);
        }
        if (remember && passed != null && passed.size() < CACHE_LIMIT) {
            passed.putIfAbsent(key, Boolean.TRUE);
        }
        return null;
    }

    /**
     * Same, for a class already resolved (Kryo's and Hessian's class lookups): a proxy class is
     * judged by each of its interfaces, an array by its component.
     */
    public static Throwable checkClass(String library, String entryPoint, Class<?> type, Class<?> hooked,
                                       String exceptionType) {
        DeserializerGate gate = installed;
        if (gate == null || type == null) {
            return null;
        }
        Policy p = gate.policy;
        if (p.mode() == Mode.OFF) {
            return null;
        }
        Metrics.checked(entryPoint);
        SerialPolicy serial = p.serial();
        Decision decision = serial.decide(type);
        if (decision == SerialPolicy.SCOPED) {
            decision = serial.decideScoped(type, stackClasses());
        }
        if (decision.allowed() && Proxy.isProxyClass(type)) {
            // ObjectInputStream checks a proxy's interfaces as it reads their names; here nothing else would.
            for (Class<?> face : type.getInterfaces()) {
                Decision byFace = serial.decide(face);
                if (byFace == SerialPolicy.SCOPED) {
                    byFace = serial.decideScoped(face, stackClasses());
                }
                if (!byFace.allowed()) {
                    return gate.refuse(p, byFace, library, entryPoint, face.getName(), Boolean.TRUE, hooked,
                            exceptionType, null);
                }
            }
        }
        return decision.allowed() ? null : gate.refuse(p, decision, library, entryPoint, type.getName(), Boolean.TRUE,
                hooked, exceptionType, null);
    }

    /**
     * A read is starting whose root type the application chose itself, as a Class object: that
     * one class is not the document's to name, so it is not judged when the library looks it up
     * by name during this read. The next read on the thread replaces it ({@code Yaml.load} hands
     * {@code Object.class}).
     */
    public static void applicationChoseRoot(Object type) {
        if (installed != null && type instanceof Class<?> c) {
            APPLICATION_ROOT.get()[0] = c.getName();
        }
    }

    /**
     * A SnakeYAML read is starting that the application gave no root type ({@code loadAll}'s
     * documents, read through {@code BaseConstructor.getData}): the root an earlier
     * {@code loadAs} on this thread chose is not this document's to name.
     */
    public static void applicationChoseNoRoot() {
        if (installed != null) {
            APPLICATION_ROOT.get()[0] = null;
        }
    }

    /**
     * The root the application chose is only SnakeYAML's to look up, the library that marked it
     * ({@code BaseConstructor.getSingleData}): a later Jackson, XStream, Kryo or Hessian read on
     * the same thread names it from the document like any class.
     */
    private static boolean isApplicationRoot(String library, String className) {
        return "snakeyaml".equals(library) && className.equals(APPLICATION_ROOT.get()[0]);
    }

    /**
     * {@link #checkClassName} as an {@code EntryHook} calls it: a hooked method's reference
     * parameter is handed over as an Object. Anything but a String is left to the library.
     */
    public static Throwable checkClassName(String library, String entryPoint, Object className, Class<?> hooked,
                                           String exceptionType) {
        return className instanceof String name
                ? checkClassName(library, entryPoint, name, hooked, exceptionType) : null;
    }

    /** {@link #checkClass} as an {@code EntryHook} calls it, with the parameter as an Object; a non-Class is left alone. */
    public static Throwable checkClass(String library, String entryPoint, Object type, Class<?> hooked,
                                       String exceptionType) {
        return type instanceof Class<?> c ? checkClass(library, entryPoint, c, hooked, exceptionType) : null;
    }

    /**
     * A type name that may carry type parameters, as Jackson's class-name type ids do
     * ({@code java.util.ArrayList<com.acme.Dto>}, {@code java.util.EnumSet<com.acme.Color>}):
     * each class it names is checked, since Jackson resolves each. A plain name costs what
     * {@link #checkClassName} costs.
     */
    public static Throwable checkTypeName(String library, String entryPoint, Object typeName, Class<?> hooked,
                                          String exceptionType) {
        if (!(typeName instanceof String name)) {
            return null;
        }
        if (name.indexOf('<') < 0 && name.indexOf(',') < 0 && name.indexOf('>') < 0) {
            return checkClassName(library, entryPoint, name, hooked, exceptionType);
        }
        // Jackson's TypeParser splits on these three and trims each token.
        for (String part : name.split("[<>,]")) {
            String className = part.strip();
            if (!className.isEmpty()) {
                Throwable refusal = checkClassName(library, entryPoint, className, hooked, exceptionType);
                if (refusal != null) {
                    return refusal;
                }
            }
        }
        return null;
    }

    /**
     * {@link #checkTypeName} for Jackson's {@code ClassNameIdResolver._typeFromId}, which runs once
     * per type id and mapper (a cache miss): first names the {@code readValue} call {@code ctxt}
     * (its {@code DatabindContext}) belongs to, for the log's {@code safeload.stream}
     * ({@link DocumentReads}); the typed-value hook no longer does that at every value.
     */
    public static Throwable checkTypeId(String library, String entryPoint, Object typeName, Object ctxt,
                                       Class<?> hooked, String exceptionType) {
        if (ctxt != null && installed != null) {
            DocumentReads.enter(library, ctxt);
        }
        return checkTypeName(library, entryPoint, typeName, hooked, exceptionType);
    }

    /** {@link #checkClassName} for Jackson's {@code DeserializationContext.findClass}: names the read {@code ctxt} belongs to first. */
    public static Throwable checkClassNameIn(String library, String entryPoint, Object className, Object ctxt,
                                             Class<?> hooked, String exceptionType) {
        if (!(className instanceof String name)) {
            return null; // left to the library, as checkClassName does
        }
        if (ctxt != null && installed != null) {
            DocumentReads.enter(library, ctxt);
        }
        return checkClassName(library, entryPoint, name, hooked, exceptionType);
    }

    /** {@link #checkJavaTypeValue}, naming the read {@code ctxt} belongs to first. */
    public static Throwable checkJavaTypeValueIn(String library, String entryPoint, Object handledType, Object value,
                                                 Object ctxt, Class<?> hooked, String exceptionType) {
        if (ctxt != null && installed != null) {
            DocumentReads.enter(library, ctxt);
        }
        return checkJavaTypeValue(library, entryPoint, handledType, value, hooked, exceptionType);
    }

    /**
     * Jackson's {@code FromStringDeserializer.Std._deserialize}: a {@code JavaType} value is a
     * canonical type name ({@code java.util.List<com.acme.Dto>}) that Jackson parses and
     * initialises class by class, so each class it names is judged as a type id's are. Values of
     * the other kinds it reads (URL, File, Locale, ...) are left alone.
     *
     * @param handledType the deserializer's {@code handledType()}
     */
    public static Throwable checkJavaTypeValue(String library, String entryPoint, Object handledType, Object value,
                                               Class<?> hooked, String exceptionType) {
        if (!(handledType instanceof Class<?> type) || installed == null
                // Built at run time: the shade plugin would rewrite the constant to the agent's relocated Jackson.
                || !type.getName().equals("com.".concat("fasterxml.jackson.databind.JavaType"))) {
            return null;
        }
        return checkTypeName(library, entryPoint, value, hooked, exceptionType);
    }

    /**
     * The decision for a name the pattern lists did not allow: a scoped rule is settled by the
     * stack, and an unlisted enum (allowed for streams too) is proven by loading the class without
     * initialising it, which runs none of its code.
     */
    private Decision settleName(Policy p, Decision byName, String className, Class<?> hooked) {
        if (byName.rejected() && byName != SerialPolicy.NOT_ALLOWED) {
            return byName; // a deny pattern or a malformed name: nothing can allow it
        }
        Decision cached = provenByName.get(className);
        if (cached != null) {
            return cached;
        }
        ClassLoader hookedLoader = hooked != null ? hooked.getClassLoader() : null;
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (byName == Decision.UNDECIDED) {
            // Named by a scoped rule: the rule needs the class and the stack; never cached.
            Class<?> type = loadWithoutInit(className, context, hookedLoader);
            if (type == null) {
                return SerialPolicy.NOT_ALLOWED;
            }
            Decision d = p.serial().decide(type);
            return d == SerialPolicy.SCOPED ? p.serial().decideScoped(type, stackClasses()) : d;
        }
        Decision proven = className.startsWith("[") || !EnumProof.isEnum(className, context, hookedLoader)
                ? byName : ENUM;
        if (provenByName.size() < CACHE_LIMIT) {
            provenByName.putIfAbsent(className, proven);
        }
        return proven;
    }

    private static Class<?> loadWithoutInit(String name, ClassLoader... loaders) {
        for (ClassLoader loader : loaders) {
            if (loader == null) {
                continue;
            }
            try {
                return Class.forName(name, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                // not visible to this loader; try the next
            }
        }
        return null;
    }

    private static Set<String> stackClasses() {
        return StackWalker.getInstance().walk(s -> s.map(StackWalker.StackFrame::getClassName)
                .collect(java.util.stream.Collectors.toUnmodifiableSet()));
    }

    /**
     * A refusal a library's bridge decided by a rule of its own (a length prefix the data cannot
     * back, a class built without a constructor), logged and thrown like a class refusal; null
     * in audit mode, and when the agent is not running or is off.
     *
     * @param subject the class the rule refused, {@code [B} for a byte array
     * @param arrayLength the length claimed, or -1 when the rule is not about a length
     */
    public static Throwable refuse(Decision decision, String library, String entryPoint, String subject,
                                   long arrayLength, Class<?> hooked, String exceptionType) {
        DeserializerGate gate = installed;
        if (gate == null) {
            return null;
        }
        Policy p = gate.policy;
        if (p.mode() == Mode.OFF) {
            return null;
        }
        return gate.refuse(p, decision, library, entryPoint, subject, Boolean.TRUE, hooked, exceptionType,
                arrayLength >= 0 ? arrayLength : null);
    }

    /** Logs the refusal (or, in audit mode, the refusal enforce would make) and returns what to throw. */
    private Throwable refuse(Policy p, Decision decision, String library, String entryPoint, String className,
                             Boolean classFound, Class<?> hooked, String exceptionType, Long arrayLength) {
        return refuse(p, decision, library, entryPoint, className, null, classFound, hooked, exceptionType, arrayLength);
    }

    /**
     * A library's own rule refused a member of a class the policy allows (a method an XMLDecoder
     * document would call): logged and thrown as a class refusal is, with {@code safeload.member}
     * naming the method or field.
     *
     * @param member the method or field
     * @param decision the refusal, whose rule names the key that would allow it
     * @return the exception to throw, or null (audit mode, or no agent)
     */
    public static Throwable refuseMember(String library, String entryPoint, String className, String member,
                                         Decision decision, Class<?> hooked, String exceptionType) {
        DeserializerGate gate = installed;
        if (gate == null) {
            return null;
        }
        Policy p = gate.policy;
        if (p.mode() == Mode.OFF) {
            return null;
        }
        return gate.refuse(p, decision, library, entryPoint, className, member, Boolean.TRUE, hooked, exceptionType,
                null);
    }

    private Throwable refuse(Policy p, Decision decision, String library, String entryPoint, String className,
                             String member, Boolean classFound, Class<?> hooked, String exceptionType,
                             Long arrayLength) {
        String subject = member == null ? className : className + "." + member;
        boolean enforce = p.mode() == Mode.ENFORCE;
        String action = enforce ? "refuse" : "audit";
        LibraryCallSite site = LibraryCallSite.capture(entryPoint);
        Metrics.failed(action, site.entryPoint(), decision.rule());
        Event event = Event.of("alert", action)
                .put("message", (enforce ? "refused " : "would refuse ") + subject + " by rule " + decision.rule()
                        + ": " + decision.detail())
                .put("event.category", List.of("intrusion_detection"))
                .put("event.type", List.of(enforce ? "denied" : "allowed"))
                .put("event.outcome", enforce ? "failure" : "success")
                .put("event.module", "safeload")
                .put("event.dataset", "safeload.violations")
                .put("rule.name", decision.rule())
                .put("rule.ruleset", p.source())
                .put("safeload.mode", p.mode().label())
                .put("safeload.entry_point", site.entryPoint())
                .put("safeload.library", library)
                .put("safeload.stream", DocumentReads.id(library))
                .put("safeload.class", className)
                .put("safeload.member", member)
                .put("safeload.class_found", classFound)
                .put("safeload.array_length", arrayLength)
                .put("safeload.call_site", site.frame())
                .put("safeload.library_frame", site.libraryFrame())
                .put("safeload.policy_rule", decision.detail())
                .put("safeload.policy_digest", p.digest())
                .put("error.stack_trace", String.join("\n\tat ", site.stack()));
        String message = "safeload: refused " + subject + " (rule " + decision.rule() + ": " + decision.detail()
                + ") in " + site.entryPoint() + " at " + site.frame();
        // The key names the entry point too, so a shutdown summary can be counted under it.
        reporter.report(event, subject + '\u0000' + decision.rule() + '\u0000' + site.frame() + '\u0000'
                + site.entryPoint(), enforce ? message : null);
        return enforce ? exception(hooked, exceptionType, message) : null;
    }

    /**
     * The library's own exception with {@code message}: its public one-String constructor, or the
     * {@code (String context, Mark, String problem, Mark)} constructor SnakeYAML's marked
     * exceptions have instead (the problem is the message, so it still starts {@code safeload:}).
     * A SecurityException when the library has neither.
     */
    static Throwable exception(Class<?> hooked, String exceptionType, String message) {
        if (exceptionType != null) {
            try {
                Class<?> type = Class.forName(exceptionType, false, hooked == null ? null : hooked.getClassLoader());
                if (!Throwable.class.isAssignableFrom(type) || Modifier.isAbstract(type.getModifiers())) {
                    return new SecurityException(message);
                }
                try {
                    return (Throwable) type.getConstructor(String.class).newInstance(message);
                } catch (NoSuchMethodException e) {
                    for (Constructor<?> c : type.getDeclaredConstructors()) {
                        Class<?>[] params = c.getParameterTypes();
                        if (params.length == 4 && params[0] == String.class && params[2] == String.class
                                && !params[1].isPrimitive() && params[1] == params[3]) {
                            c.setAccessible(true);
                            return (Throwable) c.newInstance(null, null, message, null);
                        }
                    }
                }
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                // fall through to the unchecked exception every caller can take
            }
        }
        return new SecurityException(message);
    }
}
