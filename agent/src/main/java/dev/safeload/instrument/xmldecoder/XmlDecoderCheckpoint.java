package dev.safeload.instrument.xmldecoder;

import dev.safeload.deser.DeserializationRefusedError;
import dev.safeload.deser.DeserializerGate;
import dev.safeload.deser.ReferenceBudget;
import dev.safeload.policy.Decision;
import dev.safeload.policy.Policy;
import java.beans.Statement;
import java.lang.reflect.Array;

/**
 * Where the edits of {@code com.sun.beans.decoder} ({@link XmlDecoderEdits}) land: every class a
 * document names and every method, constructor, property and field it uses. Classes are judged
 * by the one policy ({@link DeserializerGate}); members by {@link XmlDecoderMembers}; the
 * containers calls get, by the document's {@code serial.maxWork} ({@link #spentAfter}). A refusal
 * is a {@link DeserializationRefusedError}: the decoder hands every {@code Exception} to its
 * {@code ExceptionListener} and goes on with the next statement, but it catches no
 * {@code Error}, so the document stops there and {@code readObject} throws it.
 *
 * <p>java.desktop cannot see agent classes, so the edits reach this through the JVM-wide filter
 * factory, a JDK object every module can reach ({@code SerialGate}, as a {@code Consumer}).
 */
public final class XmlDecoderCheckpoint {

    static final String LIBRARY = "xmldecoder";
    static final String ENTRY_POINT = "java.beans.XMLDecoder.readObject";
    private static final String REFUSAL = DeserializationRefusedError.class.getName();

    /** The array element that says which edit called; the strings {@link XmlDecoderEdits} pushes. */
    static final String CLASS = "class";
    static final String EXPRESSION = "expression";
    static final String METHOD = "method";
    static final String FIELD_GET = "field-get";
    static final String FIELD_SET = "field-set";
    static final String PROPERTY_GET = "property-get";
    static final String PROPERTY_SET = "property-set";
    static final String ARRAY = "array";

    private XmlDecoderCheckpoint() {
    }

    /**
     * One checkpoint: {@code {site, values...}} as the edit at that site pushes them. Returns
     * when the document may go on; throws the refusal in enforce mode.
     */
    public static void check(Object[] at) {
        if (DeserializerGate.installed() == null) {
            return; // the edits run only once the agent started; this is for a half-started one
        }
        Throwable refusal = switch ((String) at[0]) {
            case CLASS -> className((String) at[1]);
            // Expression(target, name, args).getValue(): ObjectElementHandler's every call, {document, expression}.
            case EXPRESSION -> spentAfter(expression((Statement) at[2]), at[1], ((Statement) at[2]).getTarget(),
                    ((Statement) at[2]).getArguments());
            // MethodElementHandler: {bean, name, type, args, document}; a static method when the element names a class.
            case METHOD -> spentAfter(at[3] != null ? call(at[3], (String) at[2]) : instanceCall(at[1], (String) at[2]),
                    at[5], at[3] != null ? at[3] : at[1], (Object[]) at[4]);
            case FIELD_GET -> field(at[1], (String) at[2], false);
            case FIELD_SET -> field(at[1], (String) at[2], true);
            case PROPERTY_GET -> property(at[1], (String) at[2], false);
            case PROPERTY_SET -> property(at[1], (String) at[2], true);
            case ARRAY -> array((Class<?>) at[1], (Integer) at[2]);
            default -> null;
        };
        if (refusal != null) {
            throw refusal instanceof Error error ? error : new DeserializationRefusedError(refusal.getMessage());
        }
    }

    /** A class a document names: {@code class} attributes and {@code <class>} elements. */
    private static Throwable className(String name) {
        if (name == null || isPrimitive(name) || LOOKUP_ONLY.contains(name)) {
            return null;
        }
        return DeserializerGate.checkClassName(LIBRARY, ENTRY_POINT, name, XmlDecoderCheckpoint.class, REFUSAL);
    }

    /**
     * {@code Enum.valueOf(Class, String)}, XMLEncoder's form for an enum constant: the enum class
     * argument is what the policy must allow.
     */
    private static Throwable expression(Statement expression) {
        Object[] args = expression.getArguments();
        if (expression.getTarget() == Enum.class && "valueOf".equals(expression.getMethodName()) && args.length == 2) {
            return args[0] instanceof Class<?> type ? checkClass(type)
                    : member(Enum.class, "valueOf", XmlDecoderMembers.listed(policy(), Enum.class, "valueOf"));
        }
        return call(expression.getTarget(), expression.getMethodName());
    }

    /** {@code Expression(target, name, ...)}: a constructor ("new") or static method when the target is a class. */
    private static Throwable call(Object target, String name) {
        if (target instanceof Class<?> type) {
            Throwable refused = checkClass(type);
            if (refused != null || "new".equals(name)) {
                return refused; // a public constructor of an allowed class
            }
            return member(type, name, XmlDecoderMembers.staticMethod(policy(), type, name));
        }
        return instanceCall(target, name);
    }

    private static Throwable instanceCall(Object target, String name) {
        if (target == null) {
            return null; // the decoder fails on its own before calling anything
        }
        Class<?> type = target.getClass();
        Throwable refused = checkClass(type);
        return refused != null ? refused : member(type, name, XmlDecoderMembers.instanceMethod(policy(), type, name));
    }

    /**
     * A call the policy let through spends {@code serial.maxWork} for each JDK container among its
     * arguments: the container's expanded size, every path through it ({@code ReferenceBudget}).
     * {@code add} and {@code put} hash their argument, and {@code idref} hands one set to a
     * hundred calls, so thirty levels of two sets, each adding both sets below, hash 2^30 objects.
     * Other arguments cost nothing, and a document that shares nothing spends its size times its
     * depth, about what hashing it costs anyway. Each call also samples the document's CPU
     * ({@code ReferenceBudget.objectRead}).
     */
    private static Throwable spentAfter(Throwable refused, Object document, Object target, Object[] args) {
        if (refused != null || document == null) {
            return refused;
        }
        ReferenceBudget budget = ReferenceBudget.of(document);
        Throwable slow = budget.objectRead(target instanceof Class<?> ? target : target == null ? "null"
                : target.getClass(), ReferenceBudget.NANOS_PER_CALL, LIBRARY, ENTRY_POINT, XmlDecoderCheckpoint.class,
                REFUSAL);
        if (slow != null || args == null) {
            return slow;
        }
        for (Object arg : args) {
            if (ReferenceBudget.expands(arg)) {
                Throwable over = budget.refer(arg, LIBRARY, ENTRY_POINT,
                        XmlDecoderCheckpoint.class, REFUSAL);
                if (over != null) {
                    return over;
                }
            }
        }
        return null;
    }

    /** A public field: read on any allowed class or object; a static field written only when listed. */
    private static Throwable field(Object bean, String name, boolean write) {
        if (bean == null) {
            return null;
        }
        boolean isStatic = bean instanceof Class<?>;
        Class<?> type = isStatic ? (Class<?>) bean : bean.getClass();
        Throwable refused = checkClass(type);
        if (refused != null || !write || !isStatic) {
            return refused;
        }
        return member(type, name, XmlDecoderMembers.listed(policy(), type, name));
    }

    /** {@code <void property="p">}: the bean accessor; with a null name the indexed get/set of an array or list. */
    private static Throwable property(Object bean, String name, boolean write) {
        if (bean == null) {
            return null;
        }
        Class<?> type = bean.getClass();
        Throwable refused = checkClass(type);
        if (refused != null) {
            return refused;
        }
        if (name == null) {
            String method = write ? "set" : "get";
            return type.isArray() ? null : member(type, method, XmlDecoderMembers.instanceMethod(policy(), type, method));
        }
        // The event names the accessor xmldecoder.allowMethods would list (setP), so learn writes that entry.
        String accessor = name.isEmpty() ? name
                : (write ? "set" : "get") + Character.toUpperCase(name.charAt(0)) + name.substring(1);
        return member(type, accessor, XmlDecoderMembers.property(policy(), type, name, write));
    }

    /** {@code <array class="C" length="n">}: refused before {@code Array.newInstance} when n passes serial.maxArray. */
    private static Throwable array(Class<?> component, Integer length) {
        Class<?> type = component == null ? Object.class : component;
        long max = policy().serial().limits().maxArray();
        if (length == null || length <= max) {
            return null;
        }
        return DeserializerGate.refuse(Decision.reject("serial.maxArray", length + " > " + max), LIBRARY, ENTRY_POINT,
                Array.newInstance(type, 0).getClass().getName(), length, XmlDecoderCheckpoint.class, REFUSAL);
    }

    private static Throwable checkClass(Class<?> type) {
        return DeserializerGate.checkClass(LIBRARY, ENTRY_POINT, type, XmlDecoderCheckpoint.class, REFUSAL);
    }

    private static Throwable member(Class<?> type, String member, Decision decision) {
        return decision.allowed() ? null : DeserializerGate.refuseMember(LIBRARY, ENTRY_POINT, type.getName(), member,
                decision, XmlDecoderCheckpoint.class, REFUSAL);
    }

    /** The policy in force ({@link #check} returns at once while no gate is installed). */
    private static Policy policy() {
        DeserializerGate gate = DeserializerGate.installed();
        return gate != null ? gate.policy() : null;
    }

    /**
     * Names whose lookup runs nothing, and whose every use is a call checked as such: the root
     * {@code <java class="java.beans.XMLDecoder">} every XMLEncoder document has (an
     * {@code isInstance} test), and {@code java.lang.Enum}, the target of XMLEncoder's
     * {@code Enum.valueOf} form.
     */
    private static final java.util.Set<String> LOOKUP_ONLY = java.util.Set.of("java.beans.XMLDecoder", "java.lang.Enum");

    private static boolean isPrimitive(String name) {
        return switch (name) {
            case "boolean", "byte", "char", "short", "int", "long", "float", "double", "void" -> true;
            default -> false;
        };
    }
}
