package dev.safeload.deser;

import dev.safeload.policy.Decision;
import dev.safeload.policy.Mode;
import dev.safeload.policy.Policy;
import dev.safeload.serial.ReadClock;
import dev.safeload.serial.ReadTicker;
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
 *
 * <p>A document's CPU is budgeted too ({@link #objectRead}), as the stream guard budgets a
 * read's: keys with one hash code cost each insertion a walk past every earlier key, a cost
 * no count of references sees. These readers cannot tell how many bytes they consumed, so the
 * budget is per object read instead of per megabyte.
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
    /** The objects read: {@link #objectRead}'s calls. */
    private long objects;
    /** This document's CPU clock, made at its first sample. */
    private ReadClock clock;
    /** {@link ReadTicker#now} at the last sample: once it moves, the next object samples. */
    private int tick;
    /** {@link ReadTicker#now} when the document started: its clock, made at its first sample, starts there. */
    private int startTick;

    /**
     * The CPU a document may spend per object it reads, on top of the 0.75 s any read may, in a
     * JVM that has not compiled the reader yet: 3 times XStream's per element (1 µs), 6 times
     * Hessian's per object (0.5 µs), 30 times Kryo's (0.1 µs), 2 times SnakeYAML's per node
     * (1.3 µs, its parse included) (BENCHMARKS.md, "Session 19"). On top, not the larger of the
     * two, so a read's first, interpreted, objects have the 0.75 s. Keys with one hash code,
     * whose cost grows with the square of their count, outrun it within about 12,000.
     */
    public static final long NANOS_PER_OBJECT = 3_000;

    /**
     * {@link #NANOS_PER_OBJECT} for XMLDecoder, per call: under the agent it took 12 µs per call
     * over its first 60,000 calls and 3.6 µs over 800,000 (a 41 MB document). Its documents
     * spend 100 bytes or more on a call.
     */
    public static final long NANOS_PER_CALL = 10_000;

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
        objects = 0;
        tick = ReadTicker.readStarts();
        startTick = tick;
        if (clock != null) {
            clock.start(tick);
        }
    }

    /** A new top-level read of {@code owner} starts on this thread: its clock and counts start afresh. */
    public static void documentStarts(Object owner) {
        ReferenceBudget budget = of(owner);
        if (budget.objects != 0 || budget.work != 0) {
            budget.reset();
        }
    }

    /**
     * The document is about to read one more object: every {@value ReadClock#SAMPLE_EVERY}
     * objects, or 50 ms ({@link ReadTicker}, looked at every object), its CPU is sampled, and
     * past 0.75 s plus {@code nanosPerObject} ({@link #NANOS_PER_OBJECT}, or
     * {@link #NANOS_PER_CALL}) per object read, it is refused under {@code serial.maxWork}. Null,
     * or the refusal to throw (null in audit mode too, which logs once per document).
     * Allocation-free between samples.
     *
     * @param subject what is being read, for the refusal: a class or its name
     */
    public Throwable objectRead(Object subject, long nanosPerObject, String library, String entryPoint,
                                Class<?> hooked, String exceptionType) {
        int now = ReadTicker.now(); // at every object: a costly call per object runs once past a tick
        if ((++objects & (ReadClock.SAMPLE_EVERY - 1)) != 0 && now == tick || audited) {
            return null;
        }
        if (now != tick) {
            ReadTicker.used(now);
        }
        tick = now;
        DeserializerGate gate = DeserializerGate.installed();
        if (gate == null || gate.policy().mode() == Mode.OFF) {
            return null;
        }
        ReadClock time = clock;
        if (time == null) {
            time = new ReadClock();
            time.start(startTick);
            clock = time;
        }
        long read = objects;
        long spent = time.overBudgetNanos(ReadClock.BUDGET_FLOOR_NANOS + read * nanosPerObject);
        if (spent < 0) {
            return null;
        }
        return refuseOnce(Decision.reject("serial.maxWork", "this document used " + spent / 1_000_000
                + " ms of CPU, more than 0.75 s and " + nanosPerObject / 1000 + " microseconds for each of the " + read
                + " objects it read"), subject instanceof Class<?> c ? c.getName() : String.valueOf(subject), library,
                entryPoint, hooked, exceptionType);
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
        long max = maxWork();
        if (max < 0) {
            return null;
        }
        long size = ReferenceExpansion.of(referred);
        if (!spent(size, max)) {
            return null;
        }
        return refuseOnce(Decision.reject("serial.maxWork", "the objects this document shares (back-references,"
                + " or containers handed to calls) expand to more than " + max
                + " objects for hashing (the last one to " + size + ")"),
                referred == null ? "null" : referred.getClass().getName(), library, entryPoint, hooked, exceptionType);
    }

    /** The budget this thread used last (its document's owner may be gone), or a fresh one. */
    static ReferenceBudget current() {
        ReferenceBudget last = RECENT.get()[0];
        return last != null ? last : new ReferenceBudget();
    }

    /**
     * The document is about to hash objects {@code excess} more times than it holds them
     * (shared through references): spent from {@code serial.maxWork} as {@link #refer}'s sizes
     * are. Null, or the refusal to throw (null in audit mode too, which logs once per document).
     */
    Throwable spend(long excess, String subject, String library, String entryPoint, Class<?> hooked,
                    String exceptionType) {
        long max = excess <= 0 ? -1 : maxWork();
        if (max < 0 || !spent(excess, max)) {
            return null;
        }
        return refuseOnce(Decision.reject("serial.maxWork", "the keys this document hashes reach shared objects"
                + " again: hashing them visits " + (excess == Long.MAX_VALUE ? "more than 2^63" : String.valueOf(excess))
                + " objects more than the document holds, past the " + max + " it may"), subject, library, entryPoint,
                hooked, exceptionType);
    }

    /** {@code serial.maxWork}, or -1 when nothing is to be counted: no agent, off, or this document's refusal logged. */
    private long maxWork() {
        DeserializerGate gate = DeserializerGate.installed();
        if (gate == null || audited) {
            return -1;
        }
        Policy p = gate.policy();
        return p.mode() == Mode.OFF ? -1 : p.serial().limits().maxWork();
    }

    /** Adds {@code amount} to the document's work, saturating: true once past {@code max}. */
    private boolean spent(long amount, long max) {
        long sum = work + amount;
        work = sum < 0 ? Long.MAX_VALUE : sum;
        return work > max;
    }

    /** Refuses under {@code decision}, once per document: null in audit mode, which logs it once. */
    Throwable refuseOnce(Decision decision, String subject, String library, String entryPoint, Class<?> hooked,
                         String exceptionType) {
        if (audited) {
            return null;
        }
        Throwable refusal = DeserializerGate.refuse(decision, library, entryPoint, subject, -1, hooked, exceptionType);
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
