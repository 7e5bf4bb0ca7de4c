package dev.safeload.deser;

import dev.safeload.instrument.edit.Refusal;
import dev.safeload.policy.Decision;
import dev.safeload.policy.SerialLimits;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.CallSite;
import java.lang.invoke.ConstantCallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;

/**
 * What the hook in Pyrolite's {@code PickleUtils.readbytes(InputStream, int)} calls: every
 * length-prefixed pickle value ({@code BINBYTES}, {@code BINUNICODE}, {@code LONG4}, their
 * 8-byte forms, {@code BYTEARRAY8}) is a {@code new byte[length]} made before a byte of it is
 * read, so seven bytes can ask for 2 GB. A length is refused, before the allocation, when
 * <ul>
 *   <li>the pickle is in memory ({@code Unpickler.loads}) and has fewer bytes left than the
 *       length claims ({@code serial.maxAlloc}: a claim the data cannot back);</li>
 *   <li>it exceeds {@code serial.maxArray}, as a {@code byte[]} of that length in a Java stream
 *       would;</li>
 *   <li>it exceeds half the heap ({@code serial.maxAlloc}), the share all reads may claim.</li>
 * </ul>
 * Lengths under 65,536 cost one comparison ({@link LengthClaim}).
 *
 * <p>A pickle's work is budgeted too, per {@code Unpickler.load}: every opcode samples the
 * load's CPU ({@link ReferenceBudget#objectRead}), and an opcode that hashes many keys at once
 * ({@code DICT}, {@code SETITEMS}, {@code ADDITEMS}, {@code FROZENSET}, {@code builtins.set}),
 * which no sample between opcodes can stop, is judged before it runs ({@link #opcode}).
 */
public final class PyroliteBridge {

    private PyroliteBridge() {
    }

    /** Null means go on. */
    public static Throwable checkLength(String library, String entryPoint, Object input, int length,
                                        Class<?> hooked, String exceptionType) {
        if (length < LengthClaim.CHECKED_LENGTH) {
            return null; // negative lengths fail inside Pyrolite as they would without the agent
        }
        // available() is exact for an in-memory pickle; for a socket it is only what has arrived.
        long remaining = input instanceof ByteArrayInputStream in ? in.available() : -1;
        return LengthClaim.check(library, entryPoint, length, remaining, "[B", hooked, exceptionType);
    }

    /** Pickle opcodes that hash what the stack holds: one key, or every key above the mark. */
    private static final int SETITEM = 's';
    private static final int SETITEMS = 'u';
    private static final int DICT = 'd';
    private static final int ADDITEMS = 0x90;
    private static final int FROZENSET = 0x91;

    /**
     * The most keys one opcode may insert with one hash code. Where keys with one hash code do
     * not compare (lists, or a mix of classes), a {@code HashMap} bin walks past every earlier
     * one, so an opcode's cost grows with the square of their count: 16,000 lists in one
     * {@code SETITEMS} took 7.3 s. Data does not do this: two of a thousand random string keys
     * share a hash code about once in 10,000 dicts, and 65 of them never.
     */
    static final int MAX_SHARED_HASH = 64;

    /**
     * The hook at the entry of {@code Unpickler.dispatch(short)}, before each opcode: samples the
     * load's CPU, and for an opcode that hashes keys, judges them first: the objects their
     * {@code hashCode} visits again through the memo (spent from {@code serial.maxWork}), and how
     * many share one hash code ({@link #MAX_SHARED_HASH}). Before a {@code LONG}, names its
     * stream, whose next line {@link #longLine} bounds.
     *
     * @param unpickler the {@code Unpickler}: its load's budget
     * @param items its stack's items ({@link #pickleItems}), or null
     * @param mark its stack's mark ({@link #pickleMark}), or null
     * @param input the pickle it reads ({@link #pickleInput}), or null
     * @return the exception to throw, or null
     */
    public static Throwable opcode(String library, String entryPoint, Object unpickler, short opcode, Object items,
                                   Object mark, Object input, Class<?> hooked, String exceptionType) {
        ReferenceBudget budget = ReferenceBudget.of(unpickler);
        Throwable slow = budget.objectRead(PICKLE, ReferenceBudget.NANOS_PER_OBJECT, library, entryPoint, hooked,
                exceptionType);
        if (opcode == LONG) {
            if (slow == null && input != null && judging()) {
                Object[] next = LONG_LINE.get();
                next[0] = input;
                next[1] = budget;
            }
            return slow;
        }
        if (slow != null || (opcode != SETITEM && opcode != SETITEMS && opcode != DICT && opcode != ADDITEMS
                && opcode != FROZENSET) || !(items instanceof List<?> stack) || !judging()) {
            return slow;
        }
        return hashingOpcode(budget, opcode, stack, mark, library, entryPoint, hooked, exceptionType);
    }

    /** An agent is installed and not off: the keys' walk and hashing are worth their time. */
    private static boolean judging() {
        DeserializerGate gate = DeserializerGate.installed();
        return gate != null && gate.policy().mode() != dev.safeload.policy.Mode.OFF;
    }

    /** Kept out of {@link #opcode}, which runs before every opcode, so that it stays small enough to inline. */
    private static Throwable hashingOpcode(ReferenceBudget budget, short opcode, List<?> stack, Object mark,
                                           String library, String entryPoint, Class<?> hooked, String exceptionType) {
        int from;
        int step;
        String container;
        if (opcode == SETITEM) {
            from = stack.size() - 2; // the key, under the value
            step = 2;
            container = "dict";
        } else {
            from = markAt(stack, mark) + 1; // keys and values in turn above the mark, or items
            step = opcode == SETITEMS || opcode == DICT ? 2 : 1;
            container = step == 2 ? "dict" : "set";
        }
        if (from <= 0 || from >= stack.size()) {
            return null; // no mark, or nothing above it: Pyrolite fails or inserts nothing
        }
        return judgeKeys(budget, stack, from, step, container, library, entryPoint, hooked, exceptionType);
    }

    /**
     * The hook at the entry of {@code SetConstructor.construct(Object[])}: {@code builtins.set}
     * and {@code __builtin__.set} (how protocols 0 to 3 write a set), whose list argument becomes
     * a {@code HashSet}, judged as {@link #opcode} judges a {@code FROZENSET}'s items.
     */
    public static Throwable setElements(String library, String entryPoint, Object args, Class<?> hooked,
                                        String exceptionType) {
        if (!(args instanceof Object[] a) || a.length == 0 || !(a[0] instanceof List<?> elements) || !judging()) {
            return null; // Pyrolite fails on anything else itself
        }
        return judgeKeys(ReferenceBudget.current(), elements, 0, 1, "set", library, entryPoint, hooked, exceptionType);
    }

    private static final String PICKLE = "pickle";

    /** Protocol 0's {@code LONG}: an integer in decimal text, up to a newline. */
    private static final int LONG = 'L';

    /**
     * The most digits a decimal text may have where Pyrolite makes a {@code BigInteger} or
     * {@code BigDecimal} of it: CPython's own default limit ({@code sys.int_info.default_max_str_digits}),
     * which its unpickler applies to the same {@code LONG}. {@code BigInteger(String)} takes time
     * with the square of the digits: a {@code LONG} of a million took 13.6 s.
     */
    static final int MAX_DIGITS = 4_300;

    /**
     * The stream whose next line is a {@code LONG}'s text, and its load's budget: named by
     * {@link #opcode} for the {@code PickleUtils.readline} that {@code Unpickler.load_long} calls
     * next on this thread ({@link #longLine}).
     */
    private static final ThreadLocal<Object[]> LONG_LINE = new ThreadLocal<>() {
        @Override
        protected Object[] initialValue() {
            return new Object[2];
        }
    };

    /**
     * The hook at the entry of {@code PickleUtils.readline(InputStream, boolean)}: for a
     * {@code LONG}'s line ({@link #opcode} named its stream), that stream bounded ({@link LongLine});
     * for any other line, the stream unchanged. Any stream, in memory or not: nothing is read ahead,
     * so the host's stream, and its mark, are left as Pyrolite alone would leave them.
     */
    public static Object longLine(String library, String entryPoint, Object input, Class<?> hooked,
                                  String exceptionType) {
        Object[] next = LONG_LINE.get();
        if (input == null || next[0] != input) {
            return input; // a null stream fails in Pyrolite as it would without the agent
        }
        ReferenceBudget budget = (ReferenceBudget) next[1];
        next[0] = null;
        next[1] = null;
        return new LongLine((InputStream) input, budget, library, entryPoint, hooked, exceptionType);
    }

    /**
     * A {@code LONG}'s line as Pyrolite reads it, a byte at a time from the host's stream, refused
     * at the byte past {@link #MAX_DIGITS} digits (with a sign and a trailing {@code L}): before
     * {@code new BigInteger(String)} gets the text. Not closed by Pyrolite, nor here.
     */
    private static final class LongLine extends InputStream {
        private final InputStream in;
        private final ReferenceBudget budget;
        private final String library;
        private final String entryPoint;
        private final Class<?> hooked;
        private final String exceptionType;
        /** The line's bytes read so far; -1 once judged (audit mode lets the line through). */
        private int length;

        LongLine(InputStream in, ReferenceBudget budget, String library, String entryPoint, Class<?> hooked,
                 String exceptionType) {
            this.in = in;
            this.budget = budget;
            this.library = library;
            this.entryPoint = entryPoint;
            this.hooked = hooked;
            this.exceptionType = exceptionType;
        }

        @Override
        public int read() throws IOException {
            int c = in.read();
            if (length >= 0 && c != -1 && c != '\n' && ++length > MAX_DIGITS + 2) {
                length = -1;
                Throwable refused = budget.refuseOnce(Decision.reject("serial.maxWork", "a LONG of more than "
                        + MAX_DIGITS + " digits, as CPython refuses (sys.int_info.default_max_str_digits): Java reads"
                        + " decimal text in time that grows with the square of its digits"), "java.math.BigInteger",
                        library, entryPoint, hooked, exceptionType);
                Refusal.throwIfAny(refused); // as an entry hook throws it: of whatever type the bridge made
            }
            return c;
        }
    }

    /**
     * The hook at the entry of {@code AnyClassConstructor.construct(Object[])}: where it makes a
     * {@code BigDecimal} ({@code decimal.Decimal}) of a string, a string of more than
     * {@link #MAX_DIGITS} digits (and room for a sign, a point and an exponent) is refused, as
     * is a scale past 100,000 either way: the stream guard's bound, since one comparison of such a
     * number rescales it.
     *
     * @param type the class the constructor makes ({@link #constructedType}), or null
     */
    public static Throwable constructorArguments(String library, String entryPoint, Object type, Object args,
                                                 Class<?> hooked, String exceptionType) {
        if (type != BIG_DECIMAL || !(args instanceof Object[] a) || a.length != 1
                || !(a[0] instanceof String text) || !judging()) {
            return null;
        }
        String reason = null;
        if (text.length() > MAX_DIGITS + 16) {
            reason = "a decimal of " + text.length() + " characters, more than the " + MAX_DIGITS
                    + " digits CPython reads into an int: Java reads decimal text in time that grows with the square of"
                    + " its digits";
        } else {
            try {
                int scale = new java.math.BigDecimal(text).scale();
                if (SerialLimits.decimalScaleTooLarge(scale)) {
                    reason = "a decimal of scale " + scale + ", past " + SerialLimits.MAX_DECIMAL_SCALE
                            + ": one comparison with it would rescale it";
                }
            } catch (NumberFormatException e) {
                return null; // Pyrolite's constructor fails on it the same way
            }
        }
        if (reason == null) {
            return null;
        }
        return ReferenceBudget.current().refuseOnce(Decision.reject("serial.maxWork", reason), "java.math.BigDecimal",
                library, entryPoint, hooked, exceptionType);
    }

    private static Throwable judgeKeys(ReferenceBudget budget, List<?> stack, int from, int step, String container,
                                       String library, String entryPoint, Class<?> hooked, String exceptionType) {
        int keys = (stack.size() - from + step - 1) / step;
        boolean containers = false;
        Class<?> only = null;
        for (int i = from; i < stack.size(); i += step) {
            Object key = stack.get(i);
            Class<?> c = key == null ? null : key.getClass();
            only = i == from || c == only ? c : null;
            if (c == BIG_DECIMAL && SerialLimits.decimalScaleTooLarge(((java.math.BigDecimal) key).scale())) {
                return budget.refuseOnce(Decision.reject("serial.maxWork", "a decimal key of this " + container
                        + " has the scale " + ((java.math.BigDecimal) key).scale() + ", past "
                        + SerialLimits.MAX_DECIMAL_SCALE
                        + ": one comparison with another key would rescale it"), container, library, entryPoint,
                        hooked, exceptionType);
            }
            containers |= ReferenceExpansion.isHashedContainer(key);
        }
        if (containers) {
            long excess;
            try {
                excess = ReferenceExpansion.hashingExcess(stack, from, step);
            } catch (RuntimeException | StackOverflowError e) {
                return null; // a list the walk cannot finish: Pyrolite's own hashing fails on it first
            }
            Throwable refusal = budget.spend(excess, container, library, entryPoint, hooked, exceptionType);
            if (refusal != null) {
                return refusal;
            }
        }
        if (keys <= MAX_SHARED_HASH
                || only == String.class || only == Integer.class || only == Long.class || only == Double.class) {
            return null; // few keys, or of one class that compares cheaply: a bin of them is a tree searched in log time
        }
        int[] hashes = new int[keys];
        try {
            for (int i = 0; i < keys; i++) {
                Object key = stack.get(from + i * step);
                hashes[i] = key == null ? 0 : key.hashCode();
            }
        } catch (RuntimeException | StackOverflowError e) {
            return null; // a key whose hashCode fails (a list holding itself) fails Pyrolite's insertion too
        }
        long found = mostShared(hashes);
        if (found == NONE) {
            return null;
        }
        int shared = (int) found;
        int count = 0;
        for (int h : hashes) {
            count += h == shared ? 1 : 0;
        }
        return budget.refuseOnce(Decision.reject("serial.maxWork", count + " keys of one " + container
                + " share the hash code " + shared + ", more than the " + MAX_SHARED_HASH
                + " one opcode may insert: each would walk past every earlier one"), container, library,
                entryPoint, hooked, exceptionType);
    }

    /** {@code BigDecimal}'s class, compared by identity: loaded once Pyrolite's first load runs, not at start. */
    private static final Class<?> BIG_DECIMAL = java.math.BigDecimal.class;

    private static final long NONE = Long.MAX_VALUE;

    /**
     * A hash code more than {@link #MAX_SHARED_HASH} of {@code hashes} share, or {@link #NONE}.
     * One pass over an open-addressed table twice the keys' size: a sort cost as much as the
     * insertions it judged.
     */
    private static long mostShared(int[] hashes) {
        int size = Integer.highestOneBit(hashes.length * 2 - 1) << 1;
        int[] seen = new int[size];
        int[] counts = new int[size];
        int mask = size - 1;
        for (int h : hashes) {
            int slot = (h * 0x9E3779B9) >>> 1 & mask;
            while (counts[slot] != 0 && seen[slot] != h) {
                slot = (slot + 1) & mask;
            }
            seen[slot] = h;
            if (++counts[slot] > MAX_SHARED_HASH) {
                return h;
            }
        }
        return NONE;
    }

    /** Where {@code mark} is on the stack, from the top; -1 when it is not there. */
    private static int markAt(List<?> stack, Object mark) {
        if (mark == null) {
            return -1;
        }
        for (int i = stack.size() - 1; i >= 0; i--) {
            if (stack.get(i) == mark) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The bootstrap of a call site in Pyrolite's {@code Unpickler} (the hook's {@code this},
     * linked with that class's lookup): its stack's list of items ({@code stack.stack}), or null
     * where Pyrolite lacks those fields or has no stack yet.
     *
     * @param type {@code (Unpickler)Object}
     */
    public static CallSite pickleItems(MethodHandles.Lookup caller, String name, MethodType type) {
        return stackField(caller, type, "stack");
    }

    /** As {@link #pickleItems}: the stack's mark object ({@code stack.MARKER}). */
    public static CallSite pickleMark(MethodHandles.Lookup caller, String name, MethodType type) {
        return stackField(caller, type, "MARKER");
    }

    /** As {@link #pickleItems}: the pickle the {@code Unpickler} reads ({@code input}). */
    public static CallSite pickleInput(MethodHandles.Lookup caller, String name, MethodType type) {
        return ownField(caller, type, "input");
    }

    /**
     * The bootstrap of a call site in Pyrolite's {@code AnyClassConstructor}: the class it makes
     * ({@code type}), or null where it lacks that field.
     *
     * @param type {@code (AnyClassConstructor)Object}
     */
    public static CallSite constructedType(MethodHandles.Lookup caller, String name, MethodType type) {
        return ownField(caller, type, "type");
    }

    /** A site answering the field {@code field} of the class it is in, or null where that class lacks it. */
    private static CallSite ownField(MethodHandles.Lookup caller, MethodType type, String field) {
        Class<?> owner = type.parameterType(0);
        MethodHandle target;
        try {
            target = caller.unreflectGetter(owner.getDeclaredField(field)).asType(type);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            target = MethodHandles.dropArguments(MethodHandles.constant(Object.class, null), 0, owner).asType(type);
        }
        return new ConstantCallSite(target);
    }

    private static CallSite stackField(MethodHandles.Lookup caller, MethodType type, String field) {
        Class<?> unpickler = type.parameterType(0);
        MethodHandle target;
        try {
            java.lang.reflect.Field stack = unpickler.getDeclaredField("stack");
            Class<?> stackClass = stack.getType();
            java.lang.reflect.Field inner = stackClass.getDeclaredField(field);
            MethodHandle read = MethodHandles.privateLookupIn(stackClass, caller).unreflectGetter(inner)
                    .asType(MethodType.methodType(Object.class, Object.class));
            MethodHandle orNull = MethodHandles.lookup().findStatic(PyroliteBridge.class, "readOrNull",
                    MethodType.methodType(Object.class, MethodHandle.class, Object.class));
            target = MethodHandles.filterArguments(MethodHandles.insertArguments(orNull, 0, read), 0,
                    caller.unreflectGetter(stack).asType(MethodType.methodType(Object.class, unpickler)))
                    .asType(type);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            target = MethodHandles.dropArguments(MethodHandles.constant(Object.class, null), 0, unpickler).asType(type);
        }
        return new ConstantCallSite(target);
    }

    private static Object readOrNull(MethodHandle read, Object stack) throws Throwable {
        return stack == null ? null : read.invokeExact(stack);
    }
}
