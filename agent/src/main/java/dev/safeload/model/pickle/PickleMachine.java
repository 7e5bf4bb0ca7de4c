package dev.safeload.model.pickle;

import dev.safeload.model.Finding;
import dev.safeload.model.Severity;
import dev.safeload.model.pickle.PyValue.Call;
import dev.safeload.model.pickle.PyValue.Dict;
import dev.safeload.model.pickle.PyValue.Global;
import dev.safeload.model.pickle.PyValue.Opaque;
import dev.safeload.model.pickle.PyValue.Seq;
import dev.safeload.policy.Decision;
import java.io.EOFException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A symbolic pickle interpreter: it runs the opcodes of {@link PickleOp} the way CPython's
 * unpickler does, with a stack, marks, memo and frames, but every import is judged by
 * {@link PickleImports} instead of being imported, and every call only records what it would
 * call. Nothing in the pickle is ever executed.
 *
 * <p>Memory is bounded whatever the pickle says: the stack, marks and memo have caps, strings
 * and containers keep only what the checks need, and findings are deduplicated. Reading is
 * streaming; long byte strings are skipped, not read.
 */
public final class PickleMachine {

    public static final String RULE_DANGEROUS = "pickle.import.dangerous";
    public static final String RULE_UNKNOWN = "pickle.import.unknown";
    public static final String RULE_COMPUTED = "pickle.import.computed";
    public static final String RULE_TRAVERSAL = "pickle.import.traversal";
    public static final String RULE_EXTENSION = "pickle.import.extension";
    public static final String RULE_INDIRECT_CALL = "pickle.call.indirect";
    /** A call of an allowed global with arguments that make it harmful ({@code bytes(10**12)}). */
    public static final String RULE_CALL_ARGUMENTS = "pickle.call.arguments";
    public static final String RULE_BUILD_GLOBAL = "pickle.build.global";
    public static final String RULE_MALFORMED = "pickle.malformed";
    public static final String RULE_TRUNCATED = "pickle.truncated";
    public static final String RULE_LIMIT = "pickle.limit";
    public static final String RULE_OUT_OF_BAND = "pickle.out-of-band";
    public static final String RULE_JOBLIB_ARRAY = "joblib.array";
    /** An opcode that crosses a frame's end: the readers of one pickle then see different opcodes. */
    public static final String RULE_FRAME = "pickle.frame";
    /** A protocol-0 literal that CPython's unpicklers read differently from each other. */
    public static final String RULE_LITERAL = "pickle.literal";

    private static final String NUMPY_ARRAY_WRAPPER = "joblib.numpy_pickle.NumpyArrayWrapper";
    private static final int MAX_DISTINCT_FINDINGS = 64;
    private static final int LINE_MAX = 64 * 1024;
    private static final int SPARSE_MEMO = 1 << 16;
    private static final int SMALL_KEEP = 8;
    private static final long MEMO_CHARS = 64L << 20;
    private static final Seq EMPTY_TUPLE = new Seq(Seq.Kind.TUPLE);
    private static final Long[] SMALL = new Long[65536];

    static {
        for (int i = 0; i < SMALL.length; i++) {
            SMALL[i] = (long) i;
        }
    }

    /**
     * Caps on one run.
     *
     * @param maxStack stack items (CPython has no cap; real pickles stay in the hundreds)
     * @param maxMarks open MARKs, i.e. nesting depth
     * @param maxMemo memo indices kept densely; past them only strs, globals and call results
     *     (what later imports and arrays need) are kept, up to 65536; GETs of dropped entries
     *     yield unknown values
     * @param maxRetained container items kept for the checks (the memo also keeps up to 64 Mi
     *     characters of str values, the names later imports may fetch)
     * @param maxStringKept longest str kept as a value; longer ones are only counted
     */
    public record Limits(int maxStack, int maxMarks, int maxMemo, long maxRetained, int maxStringKept) {
        public static final Limits DEFAULTS = new Limits(1 << 16, 1 << 16, 1 << 20, 1 << 18, 1024);
    }

    /**
     * How one pickle ended.
     *
     * @param complete whether it reached STOP without a structural error
     * @param value the value STOP returned, or null
     * @param start offset of its first opcode
     * @param end offset just after its last byte read
     * @param error the rule that stopped it early ({@link #RULE_TRUNCATED} at the end of input), or null
     */
    public record Outcome(boolean complete, Object value, long start, long end, String error) {
    }

    private static final class Stop extends Exception {
        final String rule;
        final String message;
        final long offset;

        Stop(String rule, long offset, String message) {
            super(message, null, false, false);
            this.rule = rule;
            this.offset = offset;
            this.message = message;
        }
    }

    private final PickleImports imports;
    private final Limits limits;
    private final List<Finding> findings;
    private final Map<String, int[]> seen = new LinkedHashMap<>();
    private boolean lenient;
    private boolean joblibArrays;
    private boolean arrayWrapperBuilt;
    private final List<Object> persistentIds = new ArrayList<>();

    private final byte[] line = new byte[LINE_MAX];
    private final byte[] scratch = new byte[64];
    private final String[] cacheStrings = new String[2048];
    private final byte[][] cacheBytes = new byte[2048][];

    private Object[] stack = new Object[256];
    private int sp;
    private int[] marks = new int[64];
    private int mp;
    private Object[] memo = new Object[256];
    private Map<Long, Object> sparseMemo;
    private long memoSize;
    private long memoChars;
    private boolean memoDropped;
    private int proto;
    private long frameEnd;
    private long retained;
    private String where;
    private long opOffset;
    private PickleInput in;

    /** A machine that judges imports by {@code imports} and adds what it finds to {@code findings}. */
    public PickleMachine(PickleImports imports, Limits limits, List<Finding> findings) {
        this.imports = imports;
        this.limits = limits;
        this.findings = findings;
    }

    /**
     * Lenient mode, for bytes that are probably not a pickle (tensor data that happens to start
     * like one): structural errors end the run silently, and only imports of well-formed Python
     * names are reported, since those are what a loader would act on before failing.
     */
    public PickleMachine lenient(boolean on) {
        this.lenient = on;
        return this;
    }

    /**
     * joblib mode: after BUILD of a {@code NumpyArrayWrapper}, the array's bytes (or, for object
     * arrays, a nested pickle) follow in the stream, as joblib's {@code NumpyUnpickler} reads them.
     */
    public PickleMachine joblibArrays(boolean on) {
        this.joblibArrays = on;
        return this;
    }

    /**
     * Whether a run BUILT a joblib {@code NumpyArrayWrapper}: then {@code joblib.load} of the
     * same bytes reads array data after it, so the joblib reading must be judged too, whatever
     * the file looked like.
     */
    public boolean arrayWrapperBuilt() {
        return arrayWrapperBuilt;
    }

    /** Persistent ids seen (PyTorch's storage descriptors), within the retention budget. */
    public List<Object> persistentIds() {
        return persistentIds;
    }

    /**
     * Interprets one pickle from the current position of {@code input} up to its STOP.
     * {@code location} names the pickle in findings ({@code archive/data.pkl}).
     */
    public Outcome run(PickleInput input, String location) throws IOException {
        this.in = input;
        this.where = location;
        resetState();
        long start = input.position();
        String error;
        try {
            Object value = loop();
            return new Outcome(true, value, start, input.position(), null);
        } catch (Stop s) {
            error = s.rule;
            // A frame violation splits the C file reader from the others even in bytes that are
            // probably not a pickle: pickle.load there reads on where this reading stops.
            if (!lenient || s.rule.equals(RULE_FRAME)) {
                report(s.rule, Severity.HIGH, s.offset, s.message);
            }
        } catch (EOFException e) {
            error = RULE_TRUNCATED;
            if (!lenient) {
                report(RULE_TRUNCATED, Severity.HIGH, opOffset,
                        "pickle ends in the middle of " + describe(opOffset) + " (truncated)");
            }
        }
        return new Outcome(false, null, start, input.position(), error);
    }

    private void resetState() {
        Arrays.fill(stack, 0, sp, null);
        sp = 0;
        mp = 0;
        Arrays.fill(memo, null);
        sparseMemo = null;
        memoSize = 0;
        memoChars = 0;
        memoDropped = false;
        proto = 0;
        frameEnd = -1;
        retained = 0;
    }

    private String describe(long offset) {
        return "the opcode at offset " + offset;
    }

    private Object loop() throws IOException, Stop {
        while (true) {
            long at = in.position();
            opOffset = at;
            int b = in.read();
            if (b < 0) {
                throw new Stop(RULE_TRUNCATED, at, "pickle ends without STOP (truncated)");
            }
            PickleOp op = PickleOp.of(b);
            if (op == null) {
                throw new Stop(RULE_MALFORMED, at, String.format("unknown opcode 0x%02x", b));
            }
            int from = -1;
            if (op.toMark) {
                from = popMark(op);
            }
            if (op.needs > 0 && (op.toMark ? from : sp) - base() < op.needs) {
                throw new Stop(RULE_MALFORMED, at, op + " needs " + op.needs + " stack item(s) above the mark");
            }
            switch (op) {
                case INT -> push(intLiteral(readLine(op)));
                case BININT -> push(longValue((int) in.readLE(4)));
                case BININT1 -> push(SMALL[in.readByte()]);
                case BININT2 -> push(SMALL[(int) in.readLE(2)]);
                case LONG -> push(longLiteral(readLine(op)));
                case LONG1 -> push(readLong(in.readByte()));
                case LONG4 -> push(readLong(checkedLength(in.readLE(4), true, op)));
                case STRING -> push(quotedString(readLineOrSkip(op)));
                case BINSTRING -> push(readString(checkedLength(in.readLE(4), true, op), false));
                case SHORT_BINSTRING -> push(readString(in.readByte(), false));
                case BINBYTES -> skipBytes(in.readLE(4), Opaque.BYTES);
                case SHORT_BINBYTES -> skipBytes(in.readByte(), Opaque.BYTES);
                case BINBYTES8 -> skipBytes(checkedLength(in.readLE(8), false, op), Opaque.BYTES);
                case BYTEARRAY8 -> skipBytes(checkedLength(in.readLE(8), false, op), Opaque.BYTEARRAY);
                case NEXT_BUFFER -> {
                    if (!lenient) {
                        report(RULE_OUT_OF_BAND, Severity.MEDIUM, at,
                                "NEXT_BUFFER asks for out-of-band data; a plain load fails here");
                    }
                    push(Opaque.BUFFER);
                }
                case READONLY_BUFFER -> {
                    // The buffer stays on the stack, read-only.
                }
                case UNICODE -> push(rawUnicodeEscape(readLineOrSkip(op)));
                case SHORT_BINUNICODE -> push(readString(in.readByte(), true));
                case BINUNICODE -> push(readString(in.readLE(4), true));
                case BINUNICODE8 -> push(readString(checkedLength(in.readLE(8), false, op), true));
                case NONE -> push(Opaque.NONE);
                case NEWTRUE -> push(Boolean.TRUE);
                case NEWFALSE -> push(Boolean.FALSE);
                case FLOAT -> {
                    checkFloat(readLine(op));
                    push(Opaque.FLOAT);
                }
                case BINFLOAT -> {
                    in.skip(8);
                    push(Opaque.FLOAT);
                }
                case EMPTY_LIST -> push(new Seq(Seq.Kind.LIST));
                case EMPTY_TUPLE -> push(EMPTY_TUPLE);
                case EMPTY_DICT -> push(new Dict());
                case EMPTY_SET -> push(new Seq(Seq.Kind.SET));
                case APPEND -> {
                    Object v = stack[--sp];
                    addAll(stack[sp - 1], v);
                }
                case APPENDS, ADDITEMS -> addItems(stack[from - 1], from);
                case LIST -> replaceWithSeq(Seq.Kind.LIST, from);
                case TUPLE -> replaceWithSeq(Seq.Kind.TUPLE, from);
                case FROZENSET -> replaceWithSeq(Seq.Kind.FROZENSET, from);
                case TUPLE1, TUPLE2, TUPLE3 -> replaceWithSeq(Seq.Kind.TUPLE, sp - op.needs);
                case DICT -> {
                    Dict d = new Dict();
                    setItems(d, from);
                    Arrays.fill(stack, from, sp, null);
                    sp = from;
                    push(d);
                }
                case SETITEM -> {
                    Object target = stack[sp - 3];
                    if (target instanceof Dict d) {
                        put(d, stack[sp - 2], stack[sp - 1]);
                    }
                    sp -= 2;
                }
                case SETITEMS -> setItems(stack[from - 1], from);
                case POP -> {
                    if (sp > base()) {
                        stack[--sp] = null;
                    } else {
                        popMark(op);
                    }
                }
                case DUP -> push(stack[sp - 1]);
                case MARK -> {
                    if (mp == limits.maxMarks()) {
                        throw new Stop(RULE_LIMIT, at, "more than " + limits.maxMarks() + " nested MARKs");
                    }
                    if (mp == marks.length) {
                        marks = Arrays.copyOf(marks, mp * 2);
                    }
                    marks[mp++] = sp;
                }
                case POP_MARK -> {
                    // popMark above already dropped the items.
                }
                case GET -> push(memoGet(parseIndex(readLine(op), op)));
                case BINGET -> push(memoGet(in.readByte()));
                case LONG_BINGET -> push(memoGet(in.readLE(4)));
                case PUT -> memoPut(parseIndex(readLine(op), op));
                case BINPUT -> memoPut(in.readByte());
                case LONG_BINPUT -> memoPut(in.readLE(4));
                case MEMOIZE -> memoPut(memoSize);
                case EXT1, EXT2, EXT4 -> {
                    long code = op == PickleOp.EXT1 ? in.readByte()
                            : op == PickleOp.EXT2 ? in.readLE(2) : (int) in.readLE(4);
                    if (code <= 0) {
                        throw new Stop(RULE_MALFORMED, at, op + " specifies code <= 0");
                    }
                    if (!lenient) {
                        report(RULE_EXTENSION, Severity.HIGH, at, op + " imports extension code " + code
                                + " from the copyreg registry; it is empty by default, so what it names cannot be checked");
                    }
                    push(Opaque.UNKNOWN);
                }
                case GLOBAL -> push(resolve(readName(op), readName(op), op));
                case STACK_GLOBAL -> {
                    Object name = stack[--sp];
                    Object module = stack[--sp];
                    if (module instanceof String m && name instanceof String n) {
                        push(resolve(m, n, op));
                    } else {
                        // Even in bytes that are probably not a pickle, a str this machine lost
                        // track of may be a real import for the unpickler (it needs exact str).
                        if (!lenient || mayBeStr(module) && mayBeStr(name)) {
                            report(RULE_COMPUTED, Severity.CRITICAL, at, "STACK_GLOBAL imports a name that is not a literal"
                                    + " string (module " + kind(module) + ", name " + kind(name) + ")");
                        }
                        push(Opaque.UNKNOWN);
                    }
                }
                case REDUCE -> {
                    Object args = stack[--sp];
                    Object callee = stack[sp - 1];
                    checkCallee(callee, op);
                    checkArguments(callee, args, null, op);
                    stack[sp - 1] = new Call(callee, args);
                }
                case BUILD -> {
                    Object state = stack[--sp];
                    build(stack[sp - 1], state);
                }
                case INST -> {
                    Global g = resolve(readName(op), readName(op), op);
                    Call call = new Call(g, seqOf(Seq.Kind.TUPLE, from, sp));
                    checkArguments(g, call.args, null, op);
                    sp = from;
                    push(call);
                }
                case OBJ -> {
                    if (sp == from) {
                        throw new Stop(RULE_MALFORMED, at, "OBJ without a class after MARK");
                    }
                    Object cls = stack[from];
                    checkCallee(cls, op);
                    Call call = new Call(cls, seqOf(Seq.Kind.TUPLE, from + 1, sp));
                    checkArguments(cls, call.args, null, op);
                    sp = from;
                    push(call);
                }
                case NEWOBJ -> {
                    Object args = stack[--sp];
                    Object cls = stack[sp - 1];
                    checkCallee(cls, op);
                    checkArguments(cls, args, null, op);
                    stack[sp - 1] = new Call(cls, args);
                }
                case NEWOBJ_EX -> {
                    Object kwargs = stack[--sp];
                    Object args = stack[--sp];
                    Object cls = stack[sp - 1];
                    checkCallee(cls, op);
                    checkArguments(cls, args, kwargs, op);
                    stack[sp - 1] = new Call(cls, args);
                }
                case PROTO -> {
                    int v = in.readByte();
                    if (v > 5) {
                        throw new Stop(RULE_MALFORMED, at, "unsupported pickle protocol " + v);
                    }
                    proto = v;
                }
                case STOP -> {
                    Object value = stack[--sp];
                    if (sp != 0 || mp != 0) {
                        throw new Stop(RULE_MALFORMED, at, "STOP leaves " + sp + " item(s) and " + mp
                                + " MARK(s) behind; no pickler writes that");
                    }
                    if (frameEnd > in.position()) {
                        // Picklers end the frame right after STOP. pickle.load on a file reads a
                        // frame of 8 KiB or more whole, so its remainder is gone and a reader that
                        // reads on (torch legacy, joblib) starts where this reading does not.
                        throw new Stop(RULE_FRAME, at, "the frame holding STOP runs " + (frameEnd - in.position())
                                + " byte(s) past it: pickle.load from a file drops them, so the next read starts"
                                + " elsewhere than here; no pickler writes that");
                    }
                    return value;
                }
                case FRAME -> {
                    if (frameEnd > at) {
                        throw new Stop(RULE_FRAME, at, "a FRAME starts " + (frameEnd - at) + " byte(s) before the current frame"
                                + " ends: pickle.py refuses it, the C unpickler nests it; no pickler writes that");
                    }
                    long len = checkedLength(in.readLE(8), false, op);
                    if (len > in.remaining()) {
                        throw new EOFException();
                    }
                    frameEnd = in.position() + len;
                }
                case PERSID -> {
                    int n = readLine(op);
                    for (int i = 0; i < n; i++) {
                        if (line[i] < 0) {
                            throw new Stop(RULE_MALFORMED, at, "PERSID argument is not ASCII; CPython refuses it");
                        }
                    }
                    recordPersistentId(new String(line, 0, n, StandardCharsets.ISO_8859_1));
                    push(Opaque.PERSISTENT);
                }
                case BINPERSID -> {
                    recordPersistentId(stack[sp - 1]);
                    stack[sp - 1] = Opaque.PERSISTENT;
                }
                default -> throw new AssertionError(op);
            }
            if (frameEnd >= 0 && at < frameEnd && in.position() > frameEnd) {
                // C unpickler on a file (pickle.load, torch.load of a zip's BytesIO, no peek): the
                // frame is its whole buffer, so an argument running past it is read from after the
                // frame and the frame's last bytes are dropped; loads() and pickletools read straight
                // on; pickle.py refuses. Three readers, three pickles: refuse.
                throw new Stop(RULE_FRAME, at, op + " at " + at + " reads past the end of its frame (" + frameEnd
                        + "): pickle.load from a file reads other opcodes here than loads() and pickletools");
            }
            if (op.toMark && op != PickleOp.LIST && op != PickleOp.TUPLE && op != PickleOp.FROZENSET
                    && op != PickleOp.DICT && op != PickleOp.INST && op != PickleOp.OBJ) {
                Arrays.fill(stack, from, Math.max(from, sp), null);
                sp = from;
            }
        }
    }

    // ---- imports and calls ----

    private Global resolve(String module, String name, PickleOp op) {
        if (proto < 3) {
            String[] mapped = Python2Names.map(module, name);
            module = mapped[0];
            name = mapped[1];
        }
        Global g = new Global(module, name, opOffset);
        String qualified = g.qualifiedName();
        if (lenient && !(isDottedIdentifier(module) && isDottedIdentifier(name))) {
            return g;
        }
        if (name.indexOf('.') >= 0) {
            for (String part : name.split("\\.", -1)) {
                if (part.startsWith("__") && part.endsWith("__") || part.equals("<locals>")) {
                    report(RULE_TRAVERSAL, Severity.CRITICAL, opOffset, op + " walks attribute " + part
                            + " in " + qualified + ": a way to reach any object from an allowed one");
                    return g;
                }
            }
        }
        Decision d = imports.decide(module, name);
        if (d.rejected()) {
            if (d.rule().equals("pickle.deny")) {
                report(RULE_DANGEROUS, Severity.CRITICAL, opOffset, op + " imports " + qualified
                        + ", which can run code or touch files (" + d.detail() + ")");
            } else {
                report(RULE_UNKNOWN, Severity.HIGH, opOffset, op + " imports " + qualified
                        + ", which is not in the pickle allowlist (model.pickle.allow: " + d.detail() + ")");
            }
        }
        return g;
    }

    private static boolean mayBeStr(Object v) {
        return v instanceof String || v == Opaque.LONG_STR || v == Opaque.UNKNOWN;
    }

    private void checkCallee(Object callee, PickleOp op) {
        if (!(callee instanceof Global) && !lenient) {
            report(RULE_INDIRECT_CALL, Severity.HIGH, opOffset, op + " calls " + kind(callee)
                    + " rather than an imported global; no pickler writes that");
        }
    }

    /**
     * Globals that are harmless only with some arguments: {@code bytes(n)} allocates n bytes, so
     * bytes and bytearray pass only as CPython calls them ({@link BytesConstructor}).
     */
    private void checkArguments(Object callee, Object args, Object kwargs, PickleOp op) {
        if (lenient || !(callee instanceof Global g) || !BytesConstructor.NAMES.contains(g.qualifiedName())) {
            return;
        }
        String refusal = BytesConstructor.refusal(args, kwargs);
        if (refusal != null) {
            report(RULE_CALL_ARGUMENTS, Severity.HIGH, opOffset, op + " calls " + g.qualifiedName() + " with " + refusal
                    + "; only the calls CPython writes pass (no argument, one str, bytes or list of small ints, or a"
                    + " str with 'latin1'), since bytes(n) allocates n bytes");
        }
    }

    private void build(Object target, Object state) throws IOException, Stop {
        if (target instanceof Global g) {
            if (!lenient || isDottedIdentifier(g.module()) && isDottedIdentifier(g.name())) {
                report(RULE_BUILD_GLOBAL, Severity.CRITICAL, opOffset, "BUILD sets attributes on " + g.qualifiedName()
                        + " itself, not on an instance: it would patch an imported class or function");
            }
            return;
        }
        if (target instanceof Call c) {
            c.state = state;
            Global g = c.global();
            if (g != null && g.qualifiedName().equals(NUMPY_ARRAY_WRAPPER)) {
                arrayWrapperBuilt = true;
                if (joblibArrays) {
                    joblibArray(c);
                }
            }
        }
    }

    /** joblib writes each array's bytes right after its wrapper's BUILD; skip them, or check the nested pickle. */
    private void joblibArray(Call wrapper) throws IOException, Stop {
        long at = opOffset;
        if (!(wrapper.state instanceof Dict state)) {
            throw new Stop(RULE_JOBLIB_ARRAY, at, "joblib array wrapper without a state dict; cannot find where its data ends");
        }
        if (state.keys.size() != state.size) {
            // Past the retention budget a dict keeps only its first few entries, but BUILD lets
            // the last of repeated keys win: joblib would size the array by a shape never seen here.
            throw new Stop(RULE_JOBLIB_ARRAY, at, "joblib array wrapper whose state dict was not kept whole"
                    + " (after a large container); its shape or dtype may be a later entry than the ones read");
        }
        NumpyDtype dtype = NumpyDtype.of(state.get("dtype"));
        Object shape = state.get("shape");
        long count = 1;
        if (!(shape instanceof Seq s) || !s.complete()) {
            throw new Stop(RULE_JOBLIB_ARRAY, at, "joblib array with an unreadable shape; cannot find where its data ends");
        }
        for (Object dim : s.items) {
            if (!(dim instanceof Long n) || n < 0) {
                throw new Stop(RULE_JOBLIB_ARRAY, at, "joblib array with a shape that is not whole numbers");
            }
            count = multiply(count, n, at);
        }
        if (frameEnd > in.position()) {
            throw new Stop(RULE_JOBLIB_ARRAY, at, "joblib array data starts inside a pickle frame;"
                    + " joblib would read it from after the frame");
        }
        if (dtype == null) {
            throw new Stop(RULE_JOBLIB_ARRAY, at, "joblib array of a dtype this check cannot size");
        }
        frameEnd = -1; // the frame ended with the BUILD (checked above); the array is read from after it
        if (dtype.hasObject()) {
            // joblib calls pickle.load on the file here: a complete, separate pickle.
            PickleMachine nested = new PickleMachine(imports, limits, findings);
            nested.lenient = lenient;
            Outcome o = nested.run(in, where);
            if (!o.complete()) {
                throw new Stop(RULE_JOBLIB_ARRAY, at, "the object array's nested pickle did not end cleanly");
            }
            return;
        }
        // joblib: getattr(self, 'numpy_array_alignment_bytes', None) is not None -> one length byte and padding.
        Object alignment = state.get("numpy_array_alignment_bytes");
        if (alignment != null && alignment != Opaque.NONE) {
            in.skip(in.readByte());
        }
        in.skip(multiply(count, dtype.itemSize(), at));
    }

    private static long multiply(long a, long b, long at) throws Stop {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new Stop(RULE_JOBLIB_ARRAY, at, "joblib array size overflows");
        }
    }

    private void recordPersistentId(Object pid) {
        if (retained < limits.maxRetained()) {
            retained++;
            persistentIds.add(pid);
        }
    }

    // ---- stack, marks and memo ----

    private int base() {
        return mp == 0 ? 0 : marks[mp - 1];
    }

    private void push(Object v) throws Stop {
        if (sp == stack.length) {
            if (sp >= limits.maxStack()) {
                throw new Stop(RULE_LIMIT, opOffset, "stack deeper than " + limits.maxStack() + " items");
            }
            stack = Arrays.copyOf(stack, Math.min(sp * 2, limits.maxStack()));
        }
        stack[sp++] = v;
    }

    private int popMark(PickleOp op) throws Stop {
        if (mp == 0) {
            throw new Stop(RULE_MALFORMED, opOffset, op + " without a MARK");
        }
        return marks[--mp];
    }

    private void memoPut(long index) throws Stop {
        if (sp == base()) {
            throw new Stop(RULE_MALFORMED, opOffset, "memo PUT with an empty stack");
        }
        Object v = stack[sp - 1];
        if (v instanceof String str) {
            // Names must survive in the memo for later STACK_GLOBALs; only a flood of text is dropped.
            memoChars += str.length();
            if (memoChars > MEMO_CHARS) {
                v = Opaque.UNKNOWN;
            }
        } else if (v instanceof Seq || v instanceof Dict || v instanceof Call) {
            // Containers and call results are kept while the budget lasts; past it they stay on
            // the stack only, except dtypes, which joblib arrays share through the memo.
            if (retained < limits.maxRetained()) {
                retained++;
            } else if (!(v instanceof Call c && c.global() != null && c.global().name().equals("dtype"))) {
                v = Opaque.UNKNOWN;
            }
        }
        if (index < 0) {
            throw new Stop(RULE_MALFORMED, opOffset, "negative memo index");
        }
        if (index < limits.maxMemo()) {
            int i = (int) index;
            if (i >= memo.length) {
                memo = Arrays.copyOf(memo, (int) Math.min(Math.max((long) i + 1, memo.length * 2L), limits.maxMemo()));
            }
            if (memo[i] == null) {
                memoSize++;
            }
            memo[i] = v;
            return;
        }
        // Past the dense part only what later imports and arrays need is kept: names (str),
        // globals and call results (such as a dtype that joblib arrays share).
        boolean needed = v instanceof String || v instanceof Global || v instanceof Call;
        if (sparseMemo == null) {
            sparseMemo = new HashMap<>();
        }
        if (needed && sparseMemo.size() < SPARSE_MEMO) {
            if (sparseMemo.put(index, v) == null) {
                memoSize++;
            }
        } else {
            memoDropped = true;
            memoSize++;
        }
    }

    private Object memoGet(long index) throws Stop {
        Object v = null;
        if (index >= 0 && index < memo.length) {
            v = memo[(int) index];
        } else if (sparseMemo != null) {
            v = sparseMemo.get(index);
        }
        if (v == null) {
            if (memoDropped) {
                return Opaque.UNKNOWN;
            }
            throw new Stop(RULE_MALFORMED, opOffset, "memo GET of index " + index + ", which was never PUT");
        }
        return v;
    }

    // ---- containers ----

    private void addAll(Object target, Object v) {
        if (target instanceof Seq s) {
            s.size++;
            if (retained < limits.maxRetained()) {
                retained++;
                s.add(v);
            } else if (s.items.size() < SMALL_KEEP && (isScalar(v) || BytesConstructor.isEncodedBytes(v))) {
                s.add(v); // bytearray(_codecs.encode(...)) stays judgeable past the budget
            }
        }
    }

    /**
     * Past the retention budget, small containers still keep a few scalars (and a dict a few
     * small tuples): a joblib array's shape and dtype must stay readable after a large
     * vocabulary. The memo drops such containers past the budget, so only the bounded stack and
     * the few calls kept in the memo can hold them.
     */
    private static boolean isScalar(Object v) {
        return v instanceof Long || v instanceof String || v instanceof Boolean || v instanceof Opaque
                || v instanceof Global || v instanceof BigInteger;
    }

    private void addItems(Object target, int from) {
        for (int i = from; i < sp; i++) {
            addAll(target, stack[i]);
        }
    }

    private void replaceWithSeq(Seq.Kind kind, int from) throws Stop {
        Seq s = seqOf(kind, from, sp);
        Arrays.fill(stack, from, sp, null);
        sp = from;
        push(s);
    }

    private Seq seqOf(Seq.Kind kind, int from, int to) {
        if (from == to && kind == Seq.Kind.TUPLE) {
            return EMPTY_TUPLE;
        }
        Seq s = new Seq(kind);
        for (int i = from; i < to; i++) {
            addAll(s, stack[i]);
        }
        return s;
    }

    private void setItems(Object target, int from) throws Stop {
        if (((sp - from) & 1) != 0) {
            throw new Stop(RULE_MALFORMED, opOffset, "odd number of items for a dict");
        }
        if (target instanceof Dict d) {
            for (int i = from; i < sp; i += 2) {
                put(d, stack[i], stack[i + 1]);
            }
        }
    }

    private void put(Dict d, Object key, Object value) {
        d.size++;
        if (retained < limits.maxRetained()) {
            retained += 2;
            d.put(key, value);
        } else if (d.keys.size() < SMALL_KEEP && key instanceof String
                && (isScalar(value) || value instanceof Seq || value instanceof Call)) {
            d.put(key, value);
        }
    }

    // ---- arguments ----

    private int readLine(PickleOp op) throws IOException, Stop {
        int n = in.readLine(line);
        if (n < 0) {
            throw new Stop(RULE_LIMIT, opOffset, op + " argument longer than " + LINE_MAX + " bytes");
        }
        return n;
    }

    /** A text line whose content may be long: returns -1 (and skips the line) when it is. */
    private int readLineOrSkip(PickleOp op) throws IOException {
        int n = in.readLine(line);
        if (n < 0) {
            while (in.readByte() != '\n') {
                // skip the rest of an over-long line
            }
            return -1;
        }
        return n;
    }

    private String readName(PickleOp op) throws IOException, Stop {
        int n = readLine(op);
        try {
            // CPython decodes GLOBAL and INST names as strict UTF-8.
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(line, 0, n)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new Stop(RULE_MALFORMED, opOffset, op + " names a module or global that is not UTF-8");
        }
    }

    private long checkedLength(long n, boolean signed32, PickleOp op) throws Stop {
        if (signed32 ? (int) n < 0 : n < 0) {
            throw new Stop(RULE_MALFORMED, opOffset, op + " has a negative length");
        }
        return signed32 ? (int) n : n;
    }

    private void skipBytes(long n, Opaque kind) throws IOException, Stop {
        in.skip(n);
        push(kind);
    }

    private Object readString(long n, boolean utf8) throws IOException {
        if (n > limits.maxStringKept() || n > line.length) {
            in.skip(n);
            return Opaque.LONG_STR;
        }
        int len = (int) n;
        in.readFully(line, 0, len);
        return cachedString(line, len, utf8);
    }

    private Object cachedString(byte[] b, int len, boolean utf8) {
        int h = utf8 ? 1 : 7;
        for (int i = 0; i < len; i++) {
            h = 31 * h + b[i];
        }
        int slot = (h ^ (h >>> 15)) & (cacheStrings.length - 1);
        byte[] cb = cacheBytes[slot];
        String cs = cacheStrings[slot];
        if (cb != null && cb.length == len && Arrays.equals(cb, 0, len, b, 0, len)
                && (utf8 || cs.length() == len)) {
            return cs;
        }
        String s = new String(b, 0, len, utf8 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        if (utf8) {
            cacheBytes[slot] = Arrays.copyOf(b, len);
            cacheStrings[slot] = s;
        }
        return s;
    }

    private Object readLong(long n) throws IOException {
        if (n == 0) {
            return SMALL[0];
        }
        if (n > 64) {
            in.skip(n);
            return Opaque.BIG_INT;
        }
        byte[] be = n <= scratch.length ? scratch : new byte[(int) n];
        int len = (int) n;
        in.readFully(be, 0, len);
        byte[] bigEndian = new byte[len];
        for (int i = 0; i < len; i++) {
            bigEndian[i] = be[len - 1 - i];
        }
        BigInteger v = new BigInteger(bigEndian);
        return v.bitLength() < 64 ? longValue(v.longValue()) : v;
    }

    private static Object longValue(long v) {
        return v >= 0 && v < SMALL.length ? SMALL[(int) v] : Long.valueOf(v);
    }

    /**
     * INT as both CPython unpicklers read it: the C one with {@code strtol(s, 0)} first (so
     * {@code I010} is octal 8, and any 0 or 1 of two characters is a bool), pickle.py with
     * {@code int(s, 0)} (where {@code 010} is an error). Where they differ the pickle means two
     * things, and that is a finding; the C reading (the default) is kept.
     */
    private Object intLiteral(int n) throws Stop {
        Object c = PythonLiterals.cInt(line, n);
        Object py = PythonLiterals.pyInt(line, n);
        return agreed("INT", n, c, py);
    }

    /** LONG: both readers drop one 'L' right before the newline and read the rest with int(s, 0). */
    private Object longLiteral(int n) throws Stop {
        Object c = PythonLiterals.cLong(line, n);
        Object py = PythonLiterals.pyLong(line, n);
        return agreed("LONG", n, c, py);
    }

    private Object agreed(String op, int n, Object c, Object py) throws Stop {
        String text = abbreviate(new String(line, 0, n, StandardCharsets.ISO_8859_1));
        if (c == null && py == null) {
            throw new Stop(RULE_MALFORMED, opOffset, "invalid " + op + " literal \"" + text + "\"");
        }
        // Lenient runs stand for pickle.load (the C reader only), so only its reading counts there.
        if (!lenient && (c == null || !c.equals(py))) {
            report(RULE_LITERAL, Severity.HIGH, opOffset, op + " literal \"" + text + "\" reads as " + show(c)
                    + " in CPython's C unpickler and as " + show(py) + " in pickle.py");
        }
        if (c == null) {
            throw new Stop(RULE_MALFORMED, opOffset, "invalid " + op + " literal \"" + text + "\" for the C unpickler");
        }
        return c instanceof BigInteger v && v.bitLength() < 64 ? longValue(v.longValue()) : c;
    }

    private static String show(Object v) {
        return v == null ? "an error" : v instanceof Boolean b ? (b ? "True" : "False") : v.toString();
    }

    /** GET and PUT: both readers parse the index in base 10 ({@code PyLong_FromString(s, NULL, 10)}, {@code int(s)}). */
    private long parseIndex(int n, PickleOp op) throws Stop {
        BigInteger c = PythonLiterals.base10(line, n, true);
        BigInteger py = PythonLiterals.base10(line, n, false);
        boolean differ = c == null ? py != null : !c.equals(py);
        if (differ && !lenient) {
            report(RULE_LITERAL, Severity.HIGH, opOffset, op + " index \""
                    + abbreviate(new String(line, 0, n, StandardCharsets.ISO_8859_1)) + "\" reads differently in CPython's unpicklers");
        }
        if (c == null || differ && !lenient) {
            throw new Stop(RULE_MALFORMED, opOffset, op + " with an invalid memo index");
        }
        if (c.signum() < 0 || c.bitLength() >= 63) {
            throw new Stop(RULE_MALFORMED, opOffset, op + " with an invalid memo index");
        }
        return c.longValue();
    }

    /** FLOAT: the C unpickler uses PyOS_string_to_double (no whitespace, no underscores), pickle.py float(). */
    private void checkFloat(int n) throws Stop {
        String text = new String(line, 0, n, StandardCharsets.ISO_8859_1);
        boolean c = PythonLiterals.isCFloat(line, n);
        boolean py = PythonLiterals.isFloat(text);
        if (c != py && !lenient) {
            report(RULE_LITERAL, Severity.HIGH, opOffset, "FLOAT literal \"" + abbreviate(text) + "\" is "
                    + (c ? "read" : "refused") + " by CPython's C unpickler and " + (py ? "read" : "refused") + " by pickle.py");
        }
        if (!c) {
            throw new Stop(RULE_MALFORMED, opOffset, "invalid float literal \"" + abbreviate(text) + "\"");
        }
    }

    private Object quotedString(int n) throws Stop {
        if (n < 0) {
            return Opaque.LONG_STR;
        }
        if (n < 2 || line[0] != line[n - 1] || (line[0] != '\'' && line[0] != '"')) {
            throw new Stop(RULE_MALFORMED, opOffset, "the STRING opcode argument must be quoted");
        }
        String s = PythonLiterals.escapeDecode(line, 1, n - 1);
        if (s == null) {
            throw new Stop(RULE_MALFORMED, opOffset, "the STRING argument has an escape CPython refuses");
        }
        return s.length() > limits.maxStringKept() ? Opaque.LONG_STR : s;
    }

    private Object rawUnicodeEscape(int n) throws Stop {
        if (n < 0) {
            return Opaque.LONG_STR;
        }
        String s = PythonLiterals.rawUnicodeEscape(line, 0, n);
        if (s == null) {
            throw new Stop(RULE_MALFORMED, opOffset, "the UNICODE argument has an escape CPython refuses");
        }
        return s.length() > limits.maxStringKept() ? Opaque.LONG_STR : s;
    }

    // ---- findings ----

    private void report(String rule, Severity severity, long offset, String message) {
        String key = rule + '\n' + message;
        int[] count = seen.get(key);
        if (count != null) {
            count[0]++;
            return;
        }
        if (seen.size() >= MAX_DISTINCT_FINDINGS) {
            return;
        }
        seen.put(key, new int[] {1});
        findings.add(new Finding(rule, severity, where + "@" + offset, message));
    }

    static String kind(Object v) {
        if (v instanceof String s) {
            return "str '" + abbreviate(s) + "'";
        }
        if (v instanceof Call c) {
            return "the result of calling " + c.callee;
        }
        if (v instanceof Global g) {
            return g.qualifiedName();
        }
        if (v instanceof Seq s) {
            return "a " + s.kind.name().toLowerCase();
        }
        if (v instanceof Dict) {
            return "a dict";
        }
        if (v instanceof Opaque o) {
            return switch (o) {
                case LONG_STR -> "a str too long to keep";
                case UNKNOWN -> "an untracked value";
                default -> "a " + o.name().toLowerCase() + " value";
            };
        }
        return v == null ? "nothing" : "a " + v.getClass().getSimpleName().toLowerCase();
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    private static boolean isDottedIdentifier(String s) {
        if (s.isEmpty() || s.length() > 200) {
            return false;
        }
        boolean start = true;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.') {
                if (start) {
                    return false;
                }
                start = true;
            } else if (c == '_' || Character.isLetter(c) || (!start && Character.isDigit(c))) {
                start = false;
            } else {
                return false;
            }
        }
        return !start;
    }
}
