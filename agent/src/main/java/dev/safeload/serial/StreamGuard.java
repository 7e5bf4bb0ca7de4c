package dev.safeload.serial;

import dev.safeload.model.javaserial.CodeBearingValues;
import dev.safeload.policy.Decision;
import dev.safeload.policy.EnumProof;
import dev.safeload.policy.Mode;
import dev.safeload.policy.Policy;
import dev.safeload.policy.SerialLimits;
import dev.safeload.policy.SerialPolicy;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.LongBinaryOperator;
import java.util.function.ObjIntConsumer;
import java.util.function.ObjLongConsumer;

/**
 * The filter of one {@link ObjectInputStream}: the JDK calls it at every class descriptor,
 * proxy interface, array, back-reference and {@code readResolve}/{@code resolveObject}
 * replacement of the stream (the JEP 290 checkpoint), so it sees what every path reads,
 * including streams whose {@code resolveClass} never calls {@code super}. The host's own
 * filter for the stream, if any, runs after it; either one can refuse.
 *
 * <p>Advice inlined into java.base reaches it through JDK interfaces only, as the stream's
 * filter: {@link IntConsumer} announces reads starting (+1) and ending (-1), and every 256 entries
 * a {@code Hashtable} puts (0), since its String keys pass no checkpoint;
 * {@link ObjIntConsumer} hands over each class name read, before {@code resolveClass};
 * {@link LongBinaryOperator} answers for a back-reference whether the JDK's filter call can be
 * skipped; {@link ObjLongConsumer} is handed each object once its fields are read, before it is
 * handed out, with its depth and handle (the graph tracker's record of it) and for the fields a
 * library turns into code ({@link CodeBearingValues}); {@link Consumer} a proxy descriptor's
 * interface names before the proxy class is made; {@link BiConsumer} the elements and tag of
 * {@code List.of}'s, {@code Set.of}'s and {@code Map.of}'s serial proxy before it builds the
 * collection, and a {@code PriorityQueue}'s elements before it orders them. {@code
 * ConcurrentHashMap}'s table build tells the {@link IntConsumer} of each put into a tree bin
 * ({@value #TREE_PUT}).
 */
final class StreamGuard implements ObjectInputFilter, IntConsumer, ObjIntConsumer<String>, LongBinaryOperator,
        Consumer<String[]>, ObjLongConsumer<Object>, BiConsumer<Object[], Integer> {

    /** Flag bits of {@link #accept(String, int)}, as the advice sets them. */
    static final int ENUM_FLAG = 1;
    static final int SUBCLASS_FLAG = 2;

    /** Objects hashed, counted through shared references ({@link GraphExpansion}): {@link SerialLimits#maxWork}. */
    static long maxHashWork(SerialLimits limits) {
        return limits.maxWork();
    }

    private static final long BACK_REFERENCE = Long.MIN_VALUE;
    private static final long ARRAY_LENGTH = 1L << 62;
    /** With {@link #BACK_REFERENCE}: the back-reference names a class descriptor, so an object starts. */
    private static final long DESCRIPTOR = 1L << 61;
    private static final long REFS_MASK = (1L << 40) - 1;

    private final SerialGate gate;
    private final boolean nested;
    private ObjectInputFilter hostFilter;
    private String pendingName;
    private int reads;
    private Set<String> reported;
    private Set<String> frames;
    private String id;
    /**
     * Set once the stream named a class that hashes without a table check ({@link
     * #hashesWithoutTable}): every read of the stream from then on counts its whole graph as hash
     * work, its tracker told again whenever a read takes one.
     */
    private boolean hashesAll;
    /** Set once an object was refused for a field: the stream stays refused (see accept(Object, long)). */
    private Decision refusedObject;
    private GraphExpansion expansion;
    /** The reads of the thread this stream's current read runs on, found when it started. */
    private ReadNesting.Reads thread;
    /** Made at the first sample, so a short read never has one. */
    private ReadClock clock;
    private int sinceSample;
    /** {@link ReadTicker#now} at this read's start or last sample: once it moves, a checkpoint samples. */
    private int tick;
    /** {@link ReadTicker#now} when this read started: the clock, made at its first sample, starts there. */
    private int readStartTick;
    /**
     * The fewest bytes a Hashtable entry that passes no checkpoint takes: two Strings of at least
     * 3 bytes (TC_STRING, a length, no characters); a null key or value fails the put, and any
     * other object, class, enum, array or back-reference reaches the filter.
     */
    private static final long MIN_ENTRY_BYTES = 6;
    /** The Hashtable edit tells the guard once per this many entries (ReadHashtableEdit's mask + 1). */
    static final int HASHTABLE_ENTRIES_PER_CALL = 256;
    /** Handed by the constructor of a stream that overrides {@code readObject} (JdkEdits.overridingStream). */
    static final int OVERRIDING_STREAM = -2;
    /** Handed after each put into a tree bin as {@code ConcurrentHashMap.readObject} builds its table. */
    static final int TREE_PUT = -3;
    /** Handed by PriorityQueue's edit where CollSer's hands its tag: the elements {@code heapify} is about to compare. */
    static final int PRIORITY_QUEUE = -1;
    /**
     * Characters {@code heapify} may scan per byte of the stream read before the queue, and of its
     * elements' own (each counted once: {@link ComparedElements}), beyond 64 per object of {@code
     * serial.maxWork}: at about 16 a nanosecond, some 60 ns a byte, under a tenth of the CPU
     * budget's 750. A queue of distinct strings weighs at most 64 times their own bytes: never refused.
     */
    private static final long COMPARED_PER_BYTE = 1024;
    /** {@code CollSer}'s tags (its low 8 bits) of {@code Set.of} and {@code Map.of}, whose tables are probed. */
    private static final int IMM_SET = 2;
    private static final int IMM_MAP = 3;
    /**
     * Probes a {@code Set.of} or {@code Map.of} table may make per key beyond {@code serial.maxWork}:
     * a million sequential strings ("user-0" on) make 49 a key, random hash codes under 2, keys
     * that share one hash code half their number (ProbedTables).
     */
    private static final long PROBES_PER_KEY = 128;

    /** The stream's byte count at its last filter call, and the Hashtable entries put since. */
    private long bytesSeen;
    private long entriesSinceFilterCall;
    /** Heap this stream's current read has claimed, counted in {@link HeapClaims}. */
    private long claimed;
    /**
     * Set once a class with a code-bearing field reached the filter: until then no object of the
     * stream can have one (every object's class passes the filter as its descriptor is read, before
     * any object of it exists), so {@link #accept(Object, long)} returns at once instead of looking its
     * class up.
     */
    private boolean codeBearing;
    /**
     * What {@link #applyAsLong} needs of the policy, taken from {@link #limitsOf} whenever the
     * gate's policy is another object: a reload is seen at the very next checkpoint.
     */
    private Policy limitsOf;
    private long maxRefs;
    private long maxDepth;
    private long maxWork;
    private long maxBytes;
    private boolean off;
    /**
     * For {@link #judge}: the longest array length it may allow by itself, -1 when it may allow
     * none (mode off, or Object[] or Map.Entry[] not allowed), and an array class other than
     * those two that the policy {@link #limitsOf} allowed on this stream.
     */
    private long smallArray = -1;
    private Class<?> allowedArray;
    /**
     * {@link #maxRefs} while a checkpoint may skip the JDK's filter call or {@link #verdict}: no
     * host filter for the stream, no object refused and no class name waiting to be judged; -1
     * otherwise. One test instead of four in {@link #applyAsLong}, whose compiled code must stay
     * under 2,500 bytes to be inlined, and in {@link #judge}.
     */
    private long skipRefs = -1;

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
        refreshSkipRefs();
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

    /**
     * Only reads {@code info}'s values and hands them to {@link #judge}: 35 bytes of bytecode, the
     * most the JIT inlines at a call site it does not count as frequent (MaxInlineSize). The
     * filter call in {@code filterCheck} is made at one checkpoint in five on the graph (array
     * lengths; a back-reference skips it), under JDK 25's threshold for a frequent site (one call
     * in four), so a larger method was called there and the {@code FilterInfo} the JDK allocates
     * at every class and array length escaped into it (5,000 objects of 48 bytes per read of a
     * 20,000-object graph). Inlined, that object is not allocated at all, on JDK 17 and 25. The
     * refusals and the host's filter take the values, not the object, for the same reason.
     */
    @Override
    public Status checkInput(FilterInfo info) {
        return judge(info.serialClass(), info.arrayLength(), info.depth(), info.references(), info.streamBytes());
    }

    /**
     * A class or array checkpoint, the agent's verdict and then the host's filter for the
     * stream, if any: either one can refuse, and either one's ALLOWED allows. An array length
     * of a class the policy in force allowed before (Object[] and Map.Entry[], which the JDK's
     * collections check at every container, and the stream's last other array class) is
     * allowed here when nothing else could change the verdict: within every limit, no name or
     * refusal pending, no host filter, no clock sample due. The answer is the one
     * {@link #verdict} gives, without its call: 5,000 of them per read of the 20,000-object graph.
     */
    private Status judge(Class<?> type, long length, long depth, long refs, long bytes) {
        if (length >= 0 && length <= smallArray && (type == Object[].class || type == Map.Entry[].class
                || type == allowedArray) && depth <= maxDepth && refs <= skipRefs && bytes <= maxBytes
                && sinceSample < ReadClock.SAMPLE_EVERY && gate.policy() == limitsOf) {
            if (type == Map.Entry[].class && expansion != null) {
                expansion.hashes((int) depth); // HashMap, HashSet, Hashtable: about to hash
            }
            bytesSeen = bytes;
            entriesSinceFilterCall = 0;
            return Status.ALLOWED;
        }
        Decision ours = verdict(type, length, depth, refs, bytes);
        ObjectInputFilter host = hostFilter;
        if (host == null) {
            return ours.allowed() ? Status.ALLOWED : Status.UNDECIDED;
        }
        Status theirs = host.checkInput(new Values(type, length, depth, refs, bytes));
        if (theirs == Status.REJECTED) {
            return Status.REJECTED;
        }
        return ours.allowed() || theirs == Status.ALLOWED ? Status.ALLOWED : Status.UNDECIDED;
    }

    /** What the host's filter is shown: the checkpoint's values, as the JDK's own FilterInfo holds them. */
    private record Values(Class<?> serialClass, long arrayLength, long depth, long references, long streamBytes)
            implements FilterInfo {
    }

    /**
     * The agent's part of a class or array checkpoint: what it tells the graph tracker, the field
     * check and the clock, then the policy and the limits; refuses by throwing in enforce mode.
     * With {@link #judge}, more than 325 bytes of bytecode, on purpose: the JIT never inlines it,
     * so {@link #checkInput} stays small enough to be inlined even once compiled on its own (a
     * compiled method of more than 2,500 bytes of machine code is not inlined).
     */
    private Decision verdict(Class<?> type, long length, long depth, long refs, long bytes) {
        String pending = pendingName;
        pendingName = null;
        refreshSkipRefs();
        if (length >= 0) {
            if (expansion != null && type == Map.Entry[].class) {
                expansion.hashes((int) depth); // HashMap, HashSet, Hashtable: about to hash
            }
        } else if (type != null) {
            gate.classResolved(type);
            if (!codeBearing && (isJdkClass(type) ? isBigDecimal(type) : CodeBearingValues.bearsCode(type))) {
                codeBearing = true; // a BigDecimal's scale is judged too, once it is read
            }
            if (!hashesAll && hashesWithoutTable(type)) {
                hashesAll = true; // before any object of the class is read: its descriptor comes first
                if (expansion != null) {
                    expansion.hashesAll();
                }
            }
        }
        ReadClock time = clock;
        if (time != null && pending != null) {
            time.resolveEnds();
        }
        Policy policy = gate.policy();
        if (policy.mode() == Mode.OFF) {
            return Decision.UNDECIDED;
        }
        Decision ours;
        SerialPolicy serial = policy.serial();
        SerialLimits limits = serial.limits();
        if (refusedObject != null) {
            ours = refusedObject;
        } else if (depth > limits.maxDepth() || refs > limits.maxRefs() || bytes > limits.maxBytes()) {
            ours = overLimit(limits, depth, refs, bytes);
        } else if (type == null) {
            ours = pending == null ? Decision.UNDECIDED : unresolved(serial, pending);
        } else {
            Decision sized = length >= HeapClaims.COUNTED_ELEMENTS || length > limits.maxArray()
                    ? largeArray(limits, type, length) : null;
            if (sized != null) {
                ours = sized;
            } else {
                ours = serial.decide(type);
                if (ours == SerialPolicy.SCOPED) {
                    ours = serial.decideScoped(type, frames());
                } else if (length >= 0 && ours.allowed() && policy == limitsOf) {
                    allowedArray = type; // judge() allows its next lengths within the limits
                }
            }
        }
        bytesSeen = bytes;
        entriesSinceFilterCall = 0;
        if (sinceSample >= ReadClock.SAMPLE_EVERY && !ours.rejected()) {
            sinceSample = 0;
            ours = overBudget();
        }
        if (ours.rejected()) {
            gate.refuse(this, policy, ours, type, pending, depth, refs, bytes, length);
            ours = Decision.UNDECIDED;
        }
        return ours;
    }

    /**
     * A class of the boot or platform loader: no field of it, nor of its superclasses (JDK
     * classes too), is in the code-bearing table, so a JVM that reads only JDK types never
     * loads the table's classes.
     */
    private static boolean isJdkClass(Class<?> type) {
        ClassLoader loader = type.getClassLoader();
        return loader == null || loader == PLATFORM_LOADER;
    }

    private static final ClassLoader PLATFORM_LOADER = ClassLoader.getPlatformClassLoader();

    /** By name: {@code BigDecimal.class} here would load the class into every JVM's first read. */
    private static boolean isBigDecimal(Class<?> type) {
        return type.getName().equals("java.math.BigDecimal");
    }

    /**
     * A JDK class whose reading hashes the objects it holds without checking a {@code Map.Entry[]}
     * as the JDK's hashed containers do: {@code ConcurrentHashMap} (and a subclass), which hashes
     * each key as it reads it, and {@code java.util.CollSer}, the serial proxy of {@code Set.of}
     * and {@code Map.of}, whose {@code readResolve} hashes its elements. Only at a class
     * checkpoint, once per class a stream names.
     */
    static boolean hashesWithoutTable(Class<?> type) {
        return ConcurrentHashMap.class.isAssignableFrom(type)
                || type.getClassLoader() == null && type.getName().equals("java.util.CollSer");
    }

    /** serial.maxWork when this read's CPU is past its budget for the bytes seen so far; UNDECIDED otherwise. */
    private Decision overBudget() {
        ReadClock time = clock;
        if (time == null) {
            time = new ReadClock();
            time.start(readStartTick);
            clock = time;
        }
        long bytes = bytesSeen + MIN_ENTRY_BYTES * entriesSinceFilterCall;
        long spent = time.overBudget(bytes);
        return spent < 0 ? Decision.UNDECIDED : Decision.reject("serial.maxWork", "this read used "
                + spent / 1_000_000 + " ms of CPU, more than 0.75 s per MB read (" + bytes + " bytes)");
    }

    /**
     * The clock, sampled between filter calls (a Hashtable's entries). The byte count is a lower
     * bound (within 255 entries), so the budget a tighter one: the count at the last filter call,
     * plus {@value #MIN_ENTRY_BYTES} bytes for each entry put since. A bound on the entries, not just the
     * last count, keeps a large ordinary table of Strings (50 MB, 2 million entries, about 0.7 s)
     * within its budget.
     */
    private void sampleClock() {
        Policy policy = gate.policy();
        if (policy.mode() == Mode.OFF) {
            return;
        }
        Decision decision = overBudget();
        if (decision.rejected()) {
            gate.refuseLimit(this, policy, decision, -1, -1);
        }
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

    private static Decision overLimit(SerialLimits limits, long depth, long refs, long bytes) {
        if (depth > limits.maxDepth()) {
            return Decision.reject("serial.maxDepth", "depth " + depth + " > " + limits.maxDepth());
        }
        if (refs > limits.maxRefs()) {
            return Decision.reject("serial.maxRefs", "references " + refs + " > " + limits.maxRefs());
        }
        return Decision.reject("serial.maxBytes", "bytes " + bytes + " > " + limits.maxBytes());
    }

    /**
     * The class named in the stream is not on the class path: a probe for gadgets, or a missing
     * dependency. Judge the name; an allowed one fails later as ClassNotFound.
     */
    private static Decision unresolved(SerialPolicy serial, String pendingName) {
        Decision byName = serial.decideName(pendingName);
        return byName.rejected() ? byName : Decision.UNDECIDED;
    }

    /** An array of at least {@link HeapClaims#COUNTED_ELEMENTS} or over serial.maxArray: the refusal, or null. */
    private Decision largeArray(SerialLimits limits, Class<?> type, long length) {
        if (length > limits.maxArray()) {
            return Decision.reject("serial.maxArray", "array length " + length + " > " + limits.maxArray());
        }
        if (length > 65_536 && !HeapCheck.fits(type, length)) {
            return Decision.reject("serial.maxArray", "array length " + length
                    + " cannot fit in the free heap");
        }
        if (reads > 0) {
            long bytes = length * HeapCheck.elementBytes(type);
            claimed += bytes;
            long inFlight = HeapClaims.claim(bytes);
            long budget = HeapClaims.budget();
            if (inFlight > budget) {
                return Decision.reject("serial.maxAlloc", "reads in flight claim " + (inFlight >> 20)
                        + " MB of heap through array lengths, more than half the heap (" + (budget >> 20)
                        + " MB)");
            }
        }
        return null;
    }

    /**
     * A checkpoint, as the advice on {@code filterCheck} packs it: {@code handles} holds the
     * stream's next handle (high half) and, for a back-reference, the one it refers to (low
     * half); {@code position} the depth (from bit 40), the reference count (low 40 bits), bit
     * 62 for an array length, the sign bit for a back-reference and bit 61 for one that names a
     * class descriptor. Every checkpoint feeds
     * {@link GraphExpansion}. Answers 0 for a back-reference within the limits when nothing else
     * needs the JDK's filter call (no host filter for the stream, no name waiting to be judged, no
     * object refused), so the call and its {@code FilterInfo} are skipped, and 1 to make the call.
     * The stream's byte count is then judged at its next class, array or replacement instead.
     */
    @Override
    public long applyAsLong(long handles, long position) {
        boolean backReference = position < 0;
        long depth = (position & ~(BACK_REFERENCE | ARRAY_LENGTH | DESCRIPTOR)) >>> 40;
        GraphExpansion graph = expansion;
        if (graph == null) {
            graph = ownTracker();
        }
        // A descriptor's handle is never a weighed object: its back-reference starts a new one.
        graph.checkpoint((int) depth, (int) (handles >>> 32), backReference && (position & DESCRIPTOR) == 0
                ? (int) handles : -1, (position & ARRAY_LENGTH) != 0, position & REFS_MASK);
        Policy current = gate.policy();
        if (current != limitsOf) {
            adopt(current);
        }
        if (graph.mayExceed(maxWork)) {
            judgeWork(graph, current, depth, position & REFS_MASK);
        }
        // The ticker at every checkpoint (a plain load): a costly call per checkpoint runs once past a tick, not 16 times.
        int now = ReadTicker.now();
        if (now != tick) {
            tick = now;
            sinceSample = ReadClock.SAMPLE_EVERY; // 50 ms passed: a costly call per checkpoint shows
            ReadTicker.used(now);
        } else {
            sinceSample++;
        }
        if (sinceSample >= ReadClock.SAMPLE_EVERY || !backReference) {
            return 1; // a sampled checkpoint makes the filter call: the clock needs the byte count
        }
        // skipRefs is -1 while a name waits to be judged, a host filter or a refusal needs the call
        return (position & REFS_MASK) <= skipRefs && depth <= maxDepth ? 0 : 1;
    }

    /** No read was announced (the readObject0 edit is missing on this JDK): a tracker of its own. */
    private GraphExpansion ownTracker() {
        GraphExpansion graph = new GraphExpansion();
        if (hashesAll) {
            graph.hashesAll();
        }
        expansion = graph;
        return graph;
    }

    /**
     * serial.maxWork, once the graph's objects and hash work so far could be over it; out of
     * {@link #applyAsLong}, whose compiled code must stay under 2,500 bytes to be inlined.
     */
    private void judgeWork(GraphExpansion graph, Policy policy, long depth, long refs) {
        if (graph.work() > maxWork && !off) {
            gate.refuseLimit(this, policy, Decision.reject("serial.maxWork", "hashing this graph visits more than "
                    + maxWork + " objects through shared references"), depth, refs);
        }
    }

    /** Takes what {@link #applyAsLong} needs from {@code policy}, so a checkpoint reads one volatile field. */
    private void adopt(Policy policy) {
        SerialLimits limits = policy.serial().limits();
        maxRefs = limits.maxRefs();
        maxDepth = limits.maxDepth();
        maxWork = maxHashWork(limits);
        maxBytes = limits.maxBytes();
        off = policy.mode() == Mode.OFF;
        smallArray = !off && policy.serial().decide(Object[].class).allowed()
                && policy.serial().decide(Map.Entry[].class).allowed()
                ? Math.min(limits.maxArray(), HeapClaims.COUNTED_ELEMENTS - 1) : -1;
        allowedArray = null;
        limitsOf = policy;
        refreshSkipRefs();
    }

    private void refreshSkipRefs() {
        skipRefs = hostFilter == null && refusedObject == null && pendingName == null && limitsOf != null ? maxRefs : -1;
    }

    /** A class descriptor was read; {@code flags} has {@link #ENUM_FLAG} and {@link #SUBCLASS_FLAG}. */
    @Override
    public void accept(String className, int flags) {
        pendingName = className;
        skipRefs = -1; // until verdict judges the name: its class checkpoint (or the unresolved one) makes the filter call
        if (clock != null) {
            clock.resolveStarts();
        }
        // A subclass's resolveClass is the host's code and may initialise the class it loads;
        // refuse a forbidden name before it runs. The JDK's own resolveClass never initialises.
        if ((flags & SUBCLASS_FLAG) != 0) {
            Policy policy = gate.policy();
            if (policy.mode() == Mode.ENFORCE) {
                Decision byName = policy.serial().decideName(className);
                if (byName.rejected() && !((flags & ENUM_FLAG) != 0 && byName == SerialPolicy.NOT_ALLOWED
                        && EnumProof.isEnum(className, callerLoader(), Thread.currentThread().getContextClassLoader()))) {
                    // The enum flag is the writer's claim: an unlisted name passes only when the
                    // class, loaded without initialisation, proves to be an enum.
                    pendingName = null;
                    gate.refuseName(this, policy, byName, className);
                }
            }
        }
    }

    /**
     * The loader of the nearest caller outside java.base and the agent, as the JDK's own
     * {@code resolveClass} picks it (latestUserDefinedLoader).
     */
    private static ClassLoader callerLoader() {
        ClassLoader platform = ClassLoader.getPlatformClassLoader();
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
                .map(StackWalker.StackFrame::getDeclaringClass)
                .filter(c -> c.getClassLoader() != null && c.getClassLoader() != platform
                        && !c.getPackageName().equals(StreamGuard.class.getPackageName()))
                .map(Class::getClassLoader).findFirst().orElse(null));
    }

    /**
     * A proxy descriptor's interface names, before {@code resolveProxyClass} makes the class: a
     * refused stream must not leave a proxy class behind, since none is ever unloaded.
     */
    private void proxyInterfaces(String[] interfaces) {
        Policy policy = gate.policy();
        if (policy.mode() != Mode.ENFORCE) {
            return; // audit: the filter reports each interface once the class exists
        }
        for (String name : interfaces) {
            Decision byName = policy.serial().decideName(name);
            if (byName.rejected()) {
                gate.refuseName(this, policy, byName, name);
            }
        }
    }

    /**
     * A read on this stream started (+1) or ended (-1), or a Hashtable being read put another
     * {@value #HASHTABLE_ENTRIES_PER_CALL} entries (0), or a ConcurrentHashMap being read put a key
     * into a tree bin ({@value #TREE_PUT}): a sample of the CPU clock, as at every
     * {@value ReadClock#SAMPLE_EVERY} checkpoints. Or the stream, just made, overrides {@code
     * readObject} ({@value #OVERRIDING_STREAM}; its guard is new, so no read has started): tested
     * last, so a read's start costs what it did, and its end one comparison more.
     */
    @Override
    public void accept(int delta) {
        if (delta == 0) {
            entriesSinceFilterCall += HASHTABLE_ENTRIES_PER_CALL;
            sampleClock();
        } else if (delta > 0) {
            if (reads++ == 0) {
                ReadNesting.Reads on = ReadNesting.current();
                thread = on;
                // Nested streams read inside this one take the next level's tracker.
                expansion = GraphExpansion.take(this, on, on.enter());
                if (hashesAll) {
                    expansion.hashesAll(); // kept if the tracker was this stream's last; told again if not
                }
                sinceSample = 0;
                tick = ReadTicker.readStarts();
                readStartTick = tick;
                if (clock != null) {
                    clock.start(tick);
                }
            }
        } else if (delta == TREE_PUT) {
            // Before a read's end, which it would be taken for. The byte count is the last filter
            // call's, a lower bound where keys are strings: a tighter budget.
            sampleClock();
        } else if (reads > 0) {
            if (--reads == 0) {
                thread.exit(); // the thread that started the read: a read ends where it began
                if (claimed != 0) {
                    HeapClaims.release(claimed); // and HeapClaims is not even loaded by a read that claimed nothing
                    claimed = 0;
                }
            }
        } else if (delta == OVERRIDING_STREAM) {
            gate.overridingStreamMade();
        }
    }

    /**
     * An object's fields were read (ordinary or externalizable, by the JDK or by its own
     * {@code readObject}), at depth {@code where >>> 32} with handle {@code (int) where}. The graph
     * tracker takes the handle for the object's level: for the first object of a class, opened at
     * its class checkpoint, it could only guess it (a superclass's descriptor or the class's
     * annotations take handles before the object's), and a back-reference to the object must find
     * its weight. Then a code-bearing field whose value its rule does not admit refuses the
     * stream. Nothing but a flag test while no class the stream named has such a field (most
     * streams), and one class lookup, with no allocation, per object after one did.
     *
     * <p>Unlike a refused class, the refused object is already in the stream's handle table; a
     * host {@code readObject} that swallowed the exception could reach it by a back-reference.
     * So in enforce mode every later check of the stream, back-references included, is refused.
     */
    @Override
    public void accept(Object object, long where) {
        GraphExpansion graph = expansion;
        if (graph != null) {
            graph.objectRead((int) (where >>> 32), (int) where);
        }
        if (codeBearing) {
            judgeFields(object);
        }
    }

    /**
     * The elements of {@code List.of}'s, {@code Set.of}'s or {@code Map.of}'s serial proxy, read,
     * with its tag: for a set or a map, the probes its table will make ({@link ProbedTables}) are
     * counted before {@code readResolve} builds it, and more than {@code serial.maxWork} plus
     * {@value #PROBES_PER_KEY} a key refuses the stream. Strings pass no checkpoint, so a set of
     * colliding strings is seen nowhere else. Or, tagged {@value #PRIORITY_QUEUE}, a
     * PriorityQueue's elements, before {@code heapify} compares them ({@link ComparedElements}).
     * Refusals name the class the stream named, {@code java.util.CollSer} or {@code
     * java.util.PriorityQueue}.
     */
    @Override
    public void accept(Object[] elements, Integer tag) {
        int kind = tag & 0xff;
        if (elements == null || tag != PRIORITY_QUEUE && kind != IMM_SET && kind != IMM_MAP) {
            return;
        }
        Policy policy = gate.policy();
        if (policy.mode() == Mode.OFF) {
            return;
        }
        if (tag == PRIORITY_QUEUE) {
            long[] measured = ComparedElements.measure(elements); // work, and the bytes the elements took
            long work = measured[0];
            long limit = 64 * maxHashWork(policy.serial().limits()) + COMPARED_PER_BYTE * (bytesSeen + measured[1]);
            if (work > limit) {
                gate.refuseName(this, policy, Decision.reject("serial.maxWork", "PriorityQueue of "
                        + elements.length + " elements would scan about " + work + " characters to order them, more than "
                        + limit + " (" + COMPARED_PER_BYTE + " a byte read and 64 an object of serial.maxWork):"
                        + " large values repeated by back-reference"), "java.util.PriorityQueue");
            }
            return;
        }
        int keys = kind == IMM_SET ? elements.length : elements.length / 2;
        long limit = maxHashWork(policy.serial().limits()) + PROBES_PER_KEY * keys;
        if (ProbedTables.collisions(elements, kind == IMM_MAP, limit) > limit) {
            String built = kind == IMM_SET ? "Set.of of " + keys + " elements" : "Map.of of " + keys + " keys";
            gate.refuseName(this, policy, Decision.reject("serial.maxWork", built + " would probe past more than "
                    + limit + " taken slots to build its table (serial.maxWork and " + PROBES_PER_KEY
                    + " a key): their hash codes collide"), "java.util.CollSer");
        }
    }

    /** A proxy descriptor's interface names, from the readProxyDesc edit. */
    @Override
    public void accept(String[] interfaces) {
        proxyInterfaces(interfaces);
    }

    private void judgeFields(Object object) {
        Decision refused = object instanceof BigDecimal number ? judgeScale(number)
                : CodeBearingValues.judge(object); // one ClassValue lookup for a class with no listed field
        if (refused == null) {
            return;
        }
        Policy policy = gate.policy();
        if (policy.mode() != Mode.OFF) {
            if (policy.mode() == Mode.ENFORCE) {
                refusedObject = Decision.reject(refused.rule(), "the stream held " + object.getClass().getName()
                        + ", refused: " + refused.detail());
                refreshSkipRefs();
            }
            gate.refuseName(this, policy, refused, object.getClass().getName());
        }
    }

    /**
     * A {@code BigDecimal} past {@link SerialLimits#MAX_DECIMAL_SCALE}: a
     * {@code ConcurrentSkipListMap} compares its keys as it reads them, each comparison one call.
     */
    private static Decision judgeScale(BigDecimal number) {
        int scale = number.scale();
        return !SerialLimits.decimalScaleTooLarge(scale) ? null : Decision.reject("serial.maxWork", "a BigDecimal"
                + " of scale " + scale + ": comparing it with another scale, or making it an integer, multiplies by"
                + " 10 to the power of that scale in one call; the bound is " + SerialLimits.MAX_DECIMAL_SCALE
                + " either way");
    }

    /** True the first time {@code key} is seen on this stream: audit logs a class once per stream. */
    boolean firstReport(String key) {
        if (reported == null) {
            reported = new HashSet<>();
        }
        return reported.add(key);
    }
}
