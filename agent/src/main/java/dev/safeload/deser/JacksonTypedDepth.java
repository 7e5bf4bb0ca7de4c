package dev.safeload.deser;

import dev.safeload.policy.Decision;
import dev.safeload.policy.Mode;
import dev.safeload.policy.Policy;
import java.lang.invoke.CallSite;
import java.lang.invoke.ConstantCallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;

/**
 * Jackson's polymorphic values ({@code TypeDeserializerBase._findDeserializer}, once per typed
 * value, cache hit or not): names the {@code readValue} call they belong to for the log
 * ({@link DocumentReads}), and refuses a typed value nested deeper than {@code serial.maxDepth}
 * in the JSON. The depth is the parser's: objects and arrays open around the value, which is at
 * least the number of typed objects around it (default typing's wrapper arrays add one level
 * each, so with them about half as many typed objects fit). Jackson's own
 * {@code StreamReadConstraints} allow 1,000 levels. Each typed value also samples the read's CPU
 * budget ({@link ReferenceBudget#objectRead}).
 */
public final class JacksonTypedDepth {

    /**
     * By the context's class: {@code ctxt.getParser().getParsingContext().getNestingDepth()} as
     * one handle taking an Object (Jackson 2.15 and later), or null where a getter is missing. Only
     * where the hook's call site could not read the depth ({@link #UNKNOWN_DEPTH}).
     */
    private static final ClassValue<MethodHandle> DEPTH = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            try {
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                Method getParser = type.getMethod("getParser");
                Method getContext = getParser.getReturnType().getMethod("getParsingContext");
                Method getDepth = getContext.getReturnType().getMethod("getNestingDepth");
                if (getDepth.getReturnType() != int.class) {
                    return null;
                }
                MethodHandle chain = MethodHandles.filterReturnValue(MethodHandles.filterReturnValue(
                        lookup.unreflect(getParser), lookup.unreflect(getContext)), lookup.unreflect(getDepth));
                return chain.asType(MethodType.methodType(int.class, Object.class));
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    };

    /** {@code getParser()}, {@code getParsingContext()}, {@code getNestingDepth()} or {@code getParent()}, by class. */
    private static final ClassValue<Method> GET_PARSER = getter("getParser");
    private static final ClassValue<Method> GET_PARSING_CONTEXT = getter("getParsingContext");
    private static final ClassValue<Method> GET_NESTING_DEPTH = getter("getNestingDepth");
    private static final ClassValue<Method> GET_PARENT = getter("getParent");

    private JacksonTypedDepth() {
    }

    private static ClassValue<Method> getter(String name) {
        return new ClassValue<>() {
            @Override
            protected Method computeValue(Class<?> type) {
                try {
                    Method m = type.getMethod(name);
                    m.setAccessible(true);
                    return m;
                } catch (ReflectiveOperationException | RuntimeException e) {
                    return null;
                }
            }
        };
    }

    /**
     * The one hook on {@code _findDeserializer}, at every typed value: the cache hit's class check
     * ({@link DeserializerGate#checkCachedTypeId}, one field read while no policy change or audit
     * gave it anything to judge again), then the value's depth. One bridge call, not two: this
     * runs 17 times in a 3 µs read of the benchmark. The read is named for the log
     * ({@link DocumentReads#enter}, a thread-local and an identity hash) only where an event may
     * follow, not at every value: each Jackson hook that can log names its read by its own context
     * first, so a value that passes costs no per-thread lookup.
     *
     * @param resolver the type deserializer's {@code TypeIdResolver}
     * @param ctxt the {@code DeserializationContext}
     * @param typeId the id the document gave, named in the refusal
     * @param depth the parser's nesting depth as the hooked class read it ({@link #nestingDepth}),
     *     or {@link #UNKNOWN_DEPTH} for this class to read it
     * @return the exception to throw, or null
     */
    public static Throwable checkTypedValue(String library, String entryPoint, Object resolver, Object ctxt,
                                            Object typeId, int depth, Class<?> hooked, String exceptionType) {
        DeserializerGate gate = DeserializerGate.installed();
        if (gate == null) {
            return null;
        }
        Policy p = gate.policy();
        if (p.mode() == Mode.OFF) {
            return null;
        }
        if (!gate.cacheHitsPass(p)) {
            if (ctxt != null) {
                DocumentReads.enter(library, ctxt); // the re-check may log: under this read's id
            }
            Throwable refusal = DeserializerGate.checkCachedTypeId(library, entryPoint, resolver, typeId, hooked,
                    exceptionType);
            if (refusal != null) {
                return refusal;
            }
        }
        if (ctxt == null) {
            return null; // no parser to measure
        }
        long max = p.serial().limits().maxDepth();
        int at = depth == UNKNOWN_DEPTH ? depth(ctxt) : depth;
        if (at <= max) {
            // A typed HashSet of lists with one hash code costs each add a walk past every earlier one.
            return DocumentReads.objectRead(library, ctxt, typeId, entryPoint, hooked, exceptionType);
        }
        DocumentReads.enter(library, ctxt);
        return DeserializerGate.refuse(Decision.reject("serial.maxDepth", "this typed value is nested " + at
                        + " JSON levels deep; the limit is " + max), library, entryPoint,
                typeId instanceof String id ? id : String.valueOf(typeId), -1, hooked, exceptionType);
    }

    /** What {@link #nestingDepth} answers where the hooked class cannot read the depth itself. */
    public static final int UNKNOWN_DEPTH = -1;

    /**
     * The bootstrap of the hook's {@code invokedynamic} call site in Jackson's
     * {@code TypeDeserializerBase}: {@code ctxt.getParser().getParsingContext().getNestingDepth()}
     * linked once in that class with its own lookup, so the JIT inlines three field getters where a
     * method handle looked up by class per call could not be. A null context, parser or parsing
     * context answers 0, as {@link #depth} does: no NullPointerException Jackson would not throw.
     * Where a getter is missing (before Jackson 2.15 there is no {@code getNestingDepth}) the site
     * answers {@link #UNKNOWN_DEPTH} and {@link #depth} counts the levels reflectively.
     *
     * @param type {@code (DeserializationContext)int}
     */
    public static CallSite nestingDepth(MethodHandles.Lookup caller, String name, MethodType type) {
        Class<?> context = type.parameterType(0);
        MethodHandle target;
        try {
            Method getParser = context.getMethod("getParser");
            Method getParsingContext = getParser.getReturnType().getMethod("getParsingContext");
            Method getNestingDepth = getParsingContext.getReturnType().getMethod("getNestingDepth");
            if (getNestingDepth.getReturnType() != int.class || type.returnType() != int.class) {
                throw new NoSuchMethodException("getNestingDepth() is not an int");
            }
            MethodHandle fromParsingContext = zeroIfNull(caller.unreflect(getNestingDepth));
            MethodHandle fromParser = zeroIfNull(MethodHandles.filterArguments(fromParsingContext, 0,
                    caller.unreflect(getParsingContext)));
            target = zeroIfNull(MethodHandles.filterArguments(fromParser, 0, caller.unreflect(getParser)))
                    .asType(type);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            target = MethodHandles.dropArguments(MethodHandles.constant(int.class, UNKNOWN_DEPTH), 0, context)
                    .asType(type);
        }
        return new ConstantCallSite(target);
    }

    /** {@code (T)int} that answers 0 for a null T instead of calling {@code target}. */
    private static MethodHandle zeroIfNull(MethodHandle target) throws ReflectiveOperationException {
        Class<?> receiver = target.type().parameterType(0);
        MethodHandle isNull = MethodHandles.lookup().findStatic(java.util.Objects.class, "isNull",
                MethodType.methodType(boolean.class, Object.class)).asType(MethodType.methodType(boolean.class, receiver));
        return MethodHandles.guardWithTest(isNull,
                MethodHandles.dropArguments(MethodHandles.constant(int.class, 0), 0, receiver), target);
    }

    /** The parser's nesting depth at the value, or 0 when it cannot be read (left to Jackson's own limit). */
    static int depth(Object ctxt) {
        MethodHandle chain = DEPTH.get(ctxt.getClass());
        if (chain != null) {
            try {
                return (int) chain.invokeExact(ctxt);
            } catch (RuntimeException e) {
                return 0; // no parser (null): nothing to measure
            } catch (Error e) {
                throw e;
            } catch (Throwable e) {
                return 0; // the getters declare no checked exception
            }
        }
        try {
            Method getParser = GET_PARSER.get(ctxt.getClass());
            Object parser = getParser == null ? null : getParser.invoke(ctxt);
            if (parser == null) {
                return 0;
            }
            Method getContext = GET_PARSING_CONTEXT.get(parser.getClass());
            Object context = getContext == null ? null : getContext.invoke(parser);
            if (context == null) {
                return 0;
            }
            Method nesting = GET_NESTING_DEPTH.get(context.getClass());
            if (nesting != null) {
                return (Integer) nesting.invoke(context);
            }
            int depth = -1; // before 2.15: count the parents; the root context is level 0
            for (Object c = context; c != null && depth < 100_000; depth++) {
                Method parent = GET_PARENT.get(c.getClass());
                c = parent == null ? null : parent.invoke(c);
            }
            return depth;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return 0;
        }
    }
}
