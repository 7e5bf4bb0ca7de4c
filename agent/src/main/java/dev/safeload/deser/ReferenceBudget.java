package dev.safeload.deser;

import dev.safeload.policy.Decision;
import dev.safeload.policy.Mode;
import dev.safeload.policy.Policy;
import java.lang.ref.WeakReference;

/**
 * The limit {@code serial.maxWork} for one document of XStream, Kryo or Hessian: the expanded
 * sizes ({@link ReferenceExpansion}) of all its back-references, added up as the library
 * resolves each one, refused past {@code serial.maxWork}, before the container the reference
 * lands in hashes it. A document is the life of the library's reference table: one XStream
 * unmarshaller, one Kryo reference resolver until its {@code reset()}, one Hessian input's
 * reference list until it is cleared, one XMLDecoder (its {@code DocumentHandler}), where every
 * container a call gets as an argument is spent, since {@code idref} can hand any of them again. Budgets are kept per thread, a few at once, so a read
 * nested inside another (a converter that reads a document of its own) keeps its own.
 */
public final class ReferenceBudget {

    /** The budgets of the documents this thread read last, the most recent first. */
    private static final ThreadLocal<ReferenceBudget[]> RECENT = new ThreadLocal<>() {
        @Override
        protected ReferenceBudget[] initialValue() {
            return new ReferenceBudget[4];
        }
    };

    /** The document's owner, weakly: an unmarshaller holds the whole graph it read. */
    private WeakReference<Object> owner;
    private long work;
    /** Audit mode logged this document's refusal: it is not logged again. */
    private boolean audited;

    ReferenceBudget() {
    }

    /** The budget of {@code owner}'s document on this thread: its own, or a new one. */
    public static ReferenceBudget of(Object owner) {
        ReferenceBudget[] recent = RECENT.get();
        int i = 0;
        while (i < recent.length - 1 && recent[i] != null && recent[i].owner.get() != owner) {
            i++;
        }
        ReferenceBudget budget = recent[i];
        if (budget == null || budget.owner.get() != owner) {
            // A new document: the least recent slot is reused for it.
            budget = budget == null ? new ReferenceBudget() : budget;
            budget.owner = new WeakReference<>(owner);
            budget.reset();
        }
        System.arraycopy(recent, 0, recent, 1, i);
        recent[0] = budget;
        return budget;
    }

    /** {@code owner}'s reference table was emptied: its next document starts with the whole budget. */
    public static void forget(Object owner) {
        for (ReferenceBudget budget : RECENT.get()) {
            if (budget != null && budget.owner.get() == owner) {
                budget.reset();
            }
        }
    }

    void reset() {
        work = 0;
        audited = false;
    }

    /**
     * True when {@link #refer} walks {@code o}: a JDK collection, map or entry, or an
     * {@code Object[]} ({@link ReferenceExpansion}). Anything else costs one step, which a reader
     * that hands every value it builds to a call (XMLDecoder) need not spend.
     */
    public static boolean expands(Object o) {
        return ReferenceExpansion.isContainer(o);
    }

    /** The expansion counted so far. */
    long work() {
        return work;
    }

    /**
     * The document refers again to {@code referred}: its expanded size is spent; null, or the
     * refusal to throw (null in audit mode too, which logs once per document).
     */
    public Throwable refer(Object referred, String library, String entryPoint, Class<?> hooked, String exceptionType) {
        DeserializerGate gate = DeserializerGate.installed();
        if (gate == null || audited) {
            return null;
        }
        Policy p = gate.policy();
        if (p.mode() == Mode.OFF) {
            return null;
        }
        long size = ReferenceExpansion.of(referred);
        long sum = work + size;
        work = sum < 0 ? Long.MAX_VALUE : sum;
        long max = p.serial().limits().maxWork();
        if (work <= max) {
            return null;
        }
        Decision decision = Decision.reject("serial.maxWork", "the objects this document shares (back-references,"
                + " or containers handed to calls) expand to more than " + max
                + " objects for hashing (the last one to " + size + ")");
        Throwable refusal = DeserializerGate.refuse(decision, library, entryPoint,
                referred == null ? "null" : referred.getClass().getName(), -1, hooked, exceptionType);
        audited = refusal == null;
        return refusal;
    }

    /** Set while a bridge calls the hooked resolution method itself, so that its hook lets that call through. */
    private static final ThreadLocal<boolean[]> RESOLVING = new ThreadLocal<>() {
        @Override
        protected boolean[] initialValue() {
            return new boolean[1];
        }
    };

    /**
     * What the library's own resolution method answers for these arguments, asked by the bridge
     * from that method's entry hook (which {@link #resolving} lets through): the object a
     * back-reference names, read exactly as the library reads it. Null when the call fails; the
     * library then fails the same way itself.
     */
    public static Object resolve(java.lang.reflect.Method method, Object self, Object... args) {
        boolean[] resolving = RESOLVING.get();
        resolving[0] = true;
        try {
            return method.invoke(self, args);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        } finally {
            resolving[0] = false;
        }
    }

    /** True inside {@link #resolve}: the hook on the method it calls must do nothing. */
    public static boolean resolving() {
        return RESOLVING.get()[0];
    }

    /** {@code serial.maxDepth}: null while {@code depth} is within it, else the refusal to throw (null in audit mode). */
    public static Throwable checkDepth(long depth, String subject, String library, String entryPoint, Class<?> hooked,
                                       String exceptionType) {
        DeserializerGate gate = DeserializerGate.installed();
        if (gate == null) {
            return null;
        }
        Policy p = gate.policy();
        long max = p.serial().limits().maxDepth();
        if (depth <= max || p.mode() == Mode.OFF) {
            return null;
        }
        return DeserializerGate.refuse(Decision.reject("serial.maxDepth", "depth " + depth + " > " + max), library,
                entryPoint, subject, -1, hooked, exceptionType);
    }
}
