package dev.safeload.serial;

import dev.safeload.model.javaserial.CodeBearingValues;
import dev.safeload.policy.Decision;
import dev.safeload.policy.Mode;
import dev.safeload.policy.Policy;
import dev.safeload.policy.SerialLimits;
import dev.safeload.policy.SerialPolicy;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.LongBinaryOperator;
import java.util.function.ObjIntConsumer;

/**
 * The filter of one {@link ObjectInputStream}: the JDK calls it at every class descriptor,
 * proxy interface, array, back-reference and {@code readResolve}/{@code resolveObject}
 * replacement of the stream (the JEP 290 checkpoint), so it sees what every path reads,
 * including streams whose {@code resolveClass} never calls {@code super}. The host's own
 * filter for the stream, if any, runs after it; either one can refuse.
 *
 * <p>Advice inlined into java.base reaches it through JDK interfaces only, as the stream's
 * filter: {@link IntConsumer} announces reads starting (+1) and ending (-1), and
 * {@link ObjIntConsumer} hands over each class name read, before {@code resolveClass};
 * {@link LongBinaryOperator} answers for a back-reference whether the JDK's filter call can be
 * skipped; {@link Consumer} is handed each object once its fields are read, before it is handed
 * out, for the fields a library turns into code ({@link CodeBearingValues}).
 */
final class StreamGuard implements ObjectInputFilter, IntConsumer, ObjIntConsumer<String>, LongBinaryOperator,
        Consumer<Object> {

    /** Flag bits of {@link #accept(String, int)}, as the advice sets them. */
    static final int ENUM_FLAG = 1;
    static final int SUBCLASS_FLAG = 2;

    private final SerialGate gate;
    private final boolean nested;
    private ObjectInputFilter hostFilter;
    private String pendingName;
    private int reads;
    private Set<String> reported;
    private Set<String> frames;
    private String id;
    /** Set once an object was refused for a field: the stream stays refused (see accept(Object)). */
    private Decision refusedObject;

    StreamGuard(SerialGate gate, ObjectInputFilter hostFilter, boolean nested) {
        this.gate = gate;
        this.hostFilter = hostFilter;
        this.nested = nested;
    }

    ObjectInputFilter hostFilter() {
        return hostFilter;
    }

    void hostFilter(ObjectInputFilter filter) {
        this.hostFilter = filter;
    }

    boolean nested() {
        return nested;
    }

    /**
     * This stream's name in the log, given at its first report: {@code learn} groups a stream's
     * classes by it, to tell an attack's accomplices (java.lang.Class, FileOutputStream) from traffic.
     */
    String id() {
        String i = id;
        if (i == null) {
            i = StreamIds.next();
            id = i;
        }
        return i;
    }

    /** Stream ids: unique in this JVM, and, by a random prefix, across the JVMs whose logs are read together. */
    private static final class StreamIds {
        private static final String PREFIX = Long.toHexString(new java.util.SplittableRandom().nextLong() >>> 16);
        private static final java.util.concurrent.atomic.AtomicLong NEXT = new java.util.concurrent.atomic.AtomicLong();

        static String next() {
            return PREFIX + "-" + NEXT.incrementAndGet();
        }
    }

    @Override
    public Status checkInput(FilterInfo info) {
        String pending = pendingName;
        pendingName = null;
        Policy policy = gate.policy();
        Decision ours = Decision.UNDECIDED;
        if (policy.mode() != Mode.OFF) {
            ours = evaluate(policy.serial(), info, pending);
            if (ours.rejected()) {
                gate.refuse(this, policy, ours, info, pending);
                ours = Decision.UNDECIDED;
            }
        }
        ObjectInputFilter host = hostFilter;
        Status theirs = host == null ? Status.UNDECIDED : host.checkInput(info);
        if (theirs == Status.REJECTED) {
            return Status.REJECTED;
        }
        return ours.allowed() || theirs == Status.ALLOWED ? Status.ALLOWED : Status.UNDECIDED;
    }

    /**
     * The classes on the stack reading this stream, for scoped rules: taken once, the first time
     * a scoped rule needs them, since every read of a stream comes from the same caller.
     */
    private Set<String> frames() {
        Set<String> f = frames;
        if (f == null) {
            f = StackWalker.getInstance().walk(s -> s.map(StackWalker.StackFrame::getClassName)
                    .collect(java.util.stream.Collectors.toUnmodifiableSet()));
            frames = f;
        }
        return f;
    }

    /** Allocation-free unless something is refused. */
    private Decision evaluate(SerialPolicy serial, FilterInfo info, String pendingName) {
        if (refusedObject != null) {
            return refusedObject;
        }
        SerialLimits limits = serial.limits();
        if (info.depth() > limits.maxDepth()) {
            return Decision.reject("serial.maxDepth", "depth " + info.depth() + " > " + limits.maxDepth());
        }
        if (info.references() > limits.maxRefs()) {
            return Decision.reject("serial.maxRefs", "references " + info.references() + " > " + limits.maxRefs());
        }
        if (info.streamBytes() > limits.maxBytes()) {
            return Decision.reject("serial.maxBytes", "bytes " + info.streamBytes() + " > " + limits.maxBytes());
        }
        Class<?> type = info.serialClass();
        if (type == null) {
            if (pendingName == null) {
                return Decision.UNDECIDED;
            }
            // The class named in the stream is not on the class path: a probe for gadgets, or a
            // missing dependency. Judge the name; an allowed one fails later as ClassNotFound.
            Decision byName = serial.decideName(pendingName, false);
            return byName.rejected() ? byName : Decision.UNDECIDED;
        }
        long length = info.arrayLength();
        if (length >= 0) {
            if (length > limits.maxArray()) {
                return Decision.reject("serial.maxArray", "array length " + length + " > " + limits.maxArray());
            }
            if (length > 65_536 && !HeapCheck.fits(type, length)) {
                return Decision.reject("serial.maxArray", "array length " + length
                        + " cannot fit in the free heap");
            }
        }
        Decision decision = serial.decide(type);
        return decision == SerialPolicy.SCOPED ? serial.decideScoped(type, frames()) : decision;
    }

    /**
     * A back-reference was read, with the stream's reference count and depth so far: 0 when both
     * are within the limits and nothing else needs the JDK's filter call (no host filter for
     * the stream, no name waiting to be judged), so the call and its {@code FilterInfo} are
     * skipped; 1 to make the call. The stream's byte count is then judged at its next class,
     * array or replacement instead.
     */
    @Override
    public long applyAsLong(long references, long depth) {
        if (hostFilter != null || pendingName != null || refusedObject != null) {
            return 1;
        }
        SerialLimits limits = gate.policy().serial().limits();
        return references <= limits.maxRefs() && depth <= limits.maxDepth() ? 0 : 1;
    }

    /** A class descriptor was read; {@code flags} has {@link #ENUM_FLAG} and {@link #SUBCLASS_FLAG}. */
    @Override
    public void accept(String className, int flags) {
        pendingName = className;
        // A subclass's resolveClass is the host's code and may initialise the class it loads;
        // refuse a forbidden name before it runs. The JDK's own resolveClass never initialises.
        if ((flags & SUBCLASS_FLAG) != 0) {
            Policy policy = gate.policy();
            if (policy.mode() == Mode.ENFORCE) {
                Decision byName = policy.serial().decideName(className, (flags & ENUM_FLAG) != 0);
                if (byName.rejected()) {
                    pendingName = null;
                    gate.refuseName(this, policy, byName, className);
                }
            }
        }
    }

    /** A read on this stream started (+1) or ended (-1). */
    @Override
    public void accept(int delta) {
        if (delta > 0) {
            if (reads++ == 0) {
                ReadNesting.enter();
            }
        } else if (reads > 0 && --reads == 0) {
            ReadNesting.exit();
        }
    }

    /**
     * An object's fields were read (ordinary or externalizable, by the JDK or by its own
     * {@code readObject}): a code-bearing field whose value its rule does not admit refuses the
     * stream. One class lookup, and no allocation, for every other object.
     *
     * <p>Unlike a refused class, the refused object is already in the stream's handle table; a
     * host {@code readObject} that swallowed the exception could reach it by a back-reference.
     * So in enforce mode every later check of the stream, back-references included, is refused.
     */
    @Override
    public void accept(Object object) {
        Policy policy = gate.policy();
        Decision refused = policy.mode() == Mode.OFF ? null : CodeBearingValues.judge(object);
        if (refused != null) {
            if (policy.mode() == Mode.ENFORCE) {
                refusedObject = Decision.reject(refused.rule(), "the stream held " + object.getClass().getName()
                        + ", refused: " + refused.detail());
            }
            gate.refuseName(this, policy, refused, object.getClass().getName());
        }
    }

    /** True the first time {@code key} is seen on this stream: audit logs a class once per stream. */
    boolean firstReport(String key) {
        if (reported == null) {
            reported = new HashSet<>();
        }
        return reported.add(key);
    }
}
