package dev.safeload.instrument.jdk;

import dev.safeload.instrument.jdk.CodeEditor.Frame;
import dev.safeload.instrument.jdk.CodeEditor.Label;
import dev.safeload.instrument.jdk.CodeEditor.Snippet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The eleven java.base edits of {@link JdkHooks}, as plain byte edits ({@link CodeEditor}): each
 * method below finds where its code goes and inserts it, or returns false when the method is not
 * shaped as it expects (then it inserts nothing). The inserted code of each edit is written out
 * in one place, the {@code insert...} method named after it, instruction for instruction what the
 * ASM edits of session 7 emitted (CodeGraftTest compares the two on the running JDK).
 *
 * <p>The inserted code may name JDK types only, since java.base cannot see the agent. Every branch
 * target in it has a frame; the frames of the entry and exit code list the parameters alone, which
 * every point of the method has, unchanged.
 */
final class JdkEdits {

    static final String OBJECT_INPUT_STREAM = "java/io/ObjectInputStream";
    static final String OBJECT_STREAM_CLASS = "java/io/ObjectStreamClass";
    static final String FILTER_CONFIG = "java/io/ObjectInputFilter$Config";
    static final String HASHTABLE = "java/util/Hashtable";
    static final String CONCURRENT_HASH_MAP = "java/util/concurrent/ConcurrentHashMap";
    static final String COLL_SER = "java/util/CollSer";
    static final String PRIORITY_QUEUE = "java/util/PriorityQueue";

    /** Flag bit handed to the guard with a class name: StreamGuard.SUBCLASS_FLAG (its ENUM_FLAG is 1). */
    private static final int SUBCLASS_FLAG = 2;
    /**
     * Handed to the guard ({@code IntConsumer}) by the constructor of a stream that overrides
     * {@code readObject}: StreamGuard.OVERRIDING_STREAM. No other site hands it (+1, -1, 0).
     */
    private static final int OVERRIDING_STREAM = -2;
    /**
     * Handed to the guard ({@code IntConsumer}) after each put into a tree bin while {@code
     * ConcurrentHashMap.readObject} builds its table: StreamGuard.TREE_PUT.
     */
    private static final int TREE_PUT = -3;
    /** Handed to the guard ({@code BiConsumer}) with a PriorityQueue's elements, where CollSer hands its tag: StreamGuard.PRIORITY_QUEUE. */
    private static final int PRIORITY_QUEUE_ELEMENTS = -1;
    /** StreamGuard.HASHTABLE_ENTRIES_PER_CALL - 1: the guard is told once per 256 entries, so the loop pays a mask test. */
    private static final int ENTRIES_MASK = 255;

    private static final String INT_CONSUMER = "java/util/function/IntConsumer";
    private static final String OBJ_INT_CONSUMER = "java/util/function/ObjIntConsumer";
    private static final String PREDICATE = "java/util/function/Predicate";
    private static final String CONSUMER = "java/util/function/Consumer";
    private static final String BI_CONSUMER = "java/util/function/BiConsumer";
    private static final String TREE_BIN = CONCURRENT_HASH_MAP + "$TreeBin";
    private static final String PUT_TREE_VAL = "(ILjava/lang/Object;Ljava/lang/Object;)L" + CONCURRENT_HASH_MAP + "$TreeNode;";
    private static final String OBJ_LONG_CONSUMER = "java/util/function/ObjLongConsumer";
    private static final String LONG_BINARY_OPERATOR = "java/util/function/LongBinaryOperator";
    private static final String BINARY_OPERATOR = "java/util/function/BinaryOperator";
    private static final String FILTER = "java/io/ObjectInputFilter";
    private static final String FILTER_DESC = "Ljava/io/ObjectInputFilter;";
    private static final String HANDLE_TABLE = "java/io/ObjectInputStream$HandleTable";

    // Opcodes, as in the JVM specification.
    private static final int NOP = 0;
    private static final int ACONST_NULL = 1;
    private static final int ICONST_M1 = 2;
    private static final int ICONST_0 = 3;
    private static final int ICONST_1 = 4;
    private static final int ICONST_5 = 8;
    private static final int LCONST_0 = 9;
    private static final int BIPUSH = 16;
    private static final int SIPUSH = 17;
    private static final int ILOAD = 21;
    private static final int FLOAD = 23;
    private static final int ALOAD = 25;
    private static final int ISTORE = 54;
    private static final int FSTORE = 56;
    private static final int ASTORE = 58;
    private static final int POP = 87;
    private static final int POP2 = 88;
    private static final int DUP = 89;
    private static final int SWAP = 95;
    private static final int LSHL = 121;
    private static final int IAND = 126;
    private static final int LAND = 127;
    private static final int IOR = 128;
    private static final int LOR = 129;
    private static final int I2L = 133;
    private static final int LCMP = 148;
    private static final int IFEQ = 153;
    private static final int IFNE = 154;
    private static final int IFLT = 155;
    private static final int IFLE = 158;
    private static final int IF_ACMPEQ = 165;
    private static final int GOTO = 167;
    private static final int ARETURN = 176;
    private static final int RETURN = 177;
    private static final int GETSTATIC = 178;
    private static final int GETFIELD = 180;
    private static final int PUTFIELD = 181;
    private static final int INVOKEVIRTUAL = 182;
    private static final int INVOKESTATIC = 184;
    private static final int INVOKEINTERFACE = 185;
    private static final int CHECKCAST = 192;
    private static final int INSTANCEOF = 193;
    private static final int ATHROW = 191;
    private static final int IFNULL = 198;
    private static final int IFNONNULL = 199;

    private JdkEdits() {
    }

    /** Every {@code opcode} return of the method becomes a jump to {@code exit}. */
    private static void returnsTo(CodeEditor code, int opcode, Label exit) {
        for (int i = 0; i < code.count; i++) { // the arrays read: no list or object calls, interpreted at the first stream
            if (code.opcodes[i] == opcode && code.kinds[i] == CodeEditor.INSN) {
                code.replace(code.offsets[i], code.snippet().jumpInsn(GOTO, exit));
            }
        }
    }

    // ---- ObjectInputStream.readObject0(Class, boolean) ----

    /**
     * At a top-level read (depth 0), on entry and on exit, normal or thrown, tells the guard
     * ({@code IntConsumer} +1/-1); a stream created before the agent was attached gets its guard
     * at its next top-level read. Every return goes through one exit block, and a catch-all
     * handler declared after the method's own covers the original code.
     */
    static boolean readObject0(CodeEditor code) {
        Object[] params = {OBJECT_INPUT_STREAM, "java/lang/Class", CodeEditor.INTEGER};
        Label tryStart = new Label();
        Label tryEnd = new Label();
        Label handler = new Label();
        Label exit = new Label();
        code.insert(0, false, insertReadObject0Entry(code.snippet(), params, tryStart));
        returnsTo(code, ARETURN, exit);
        code.append(insertReadObject0Exit(code.snippet(), params, tryEnd, exit, handler));
        code.addHandler(tryStart, tryEnd, handler, null);
        code.maxStack += 8;
        return true;
    }

    private static Snippet insertReadObject0Entry(Snippet s, Object[] params, Label tryStart) {
        Label body = new Label();
        Label unguarded = new Label();
        Label notOurs = new Label();
        topLevelOrJump(s, body);
        guardOrJump(s, unguarded);
        tell(s, 1);
        s.jumpInsn(GOTO, body);
        // A stream created before the agent was attached: give it the guard its constructor
        // would have got, the installed factory applied to (no filter, its current filter).
        s.label(unguarded).frame(params);
        s.varInsn(ALOAD, 0);
        s.methodInsn(INVOKESTATIC, FILTER_CONFIG, "getSerialFilterFactory", "()Ljava/util/function/BinaryOperator;", false);
        s.insn(DUP);
        s.typeInsn(INSTANCEOF, PREDICATE);
        s.jumpInsn(IFEQ, notOurs);
        s.insn(ACONST_NULL);
        s.varInsn(ALOAD, 0);
        s.fieldInsn(GETFIELD, OBJECT_INPUT_STREAM, "serialFilter", FILTER_DESC);
        s.methodInsn(INVOKEINTERFACE, BINARY_OPERATOR, "apply",
                "(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;", true);
        s.typeInsn(CHECKCAST, FILTER);
        s.fieldInsn(PUTFIELD, OBJECT_INPUT_STREAM, "serialFilter", FILTER_DESC);
        guardOrJump(s, body);
        tell(s, 1);
        s.jumpInsn(GOTO, body);
        s.label(notOurs).frame(params, OBJECT_INPUT_STREAM, BINARY_OPERATOR);
        s.insn(POP2);
        s.label(body).frame(params);
        s.insn(NOP); // the original code may open with a frame of its own; never two at one offset
        s.label(tryStart);
        return s;
    }

    private static Snippet insertReadObject0Exit(Snippet s, Object[] params, Label tryEnd, Label exit, Label handler) {
        s.label(tryEnd);
        s.label(exit).frame(params, "java/lang/Object");
        readObject0ExitCode(s, params, "java/lang/Object");
        s.insn(ARETURN);
        s.label(handler).frame(params, "java/lang/Throwable");
        readObject0ExitCode(s, params, "java/lang/Throwable");
        s.insn(ATHROW);
        return s;
    }

    private static void readObject0ExitCode(Snippet s, Object[] params, String onStack) {
        Label done = new Label();
        topLevelOrJump(s, done);
        guardOrJump(s, done);
        tell(s, -1);
        s.label(done).frame(params, onStack);
    }

    /** Jumps unless this is a top-level read: nested reads of the same stream are not counted. */
    private static void topLevelOrJump(Snippet s, Label target) {
        s.varInsn(ALOAD, 0);
        s.fieldInsn(GETFIELD, OBJECT_INPUT_STREAM, "depth", "J");
        s.insn(LCONST_0);
        s.insn(LCMP);
        s.jumpInsn(IFNE, target);
    }

    /** Jumps unless the stream's filter is the agent's guard. */
    private static void guardOrJump(Snippet s, Label target) {
        s.varInsn(ALOAD, 0);
        s.fieldInsn(GETFIELD, OBJECT_INPUT_STREAM, "serialFilter", FILTER_DESC);
        s.typeInsn(INSTANCEOF, INT_CONSUMER);
        s.jumpInsn(IFEQ, target);
    }

    private static void tell(Snippet s, int delta) {
        s.varInsn(ALOAD, 0);
        s.fieldInsn(GETFIELD, OBJECT_INPUT_STREAM, "serialFilter", FILTER_DESC);
        s.typeInsn(CHECKCAST, INT_CONSUMER);
        s.insn(delta > 0 ? ICONST_1 : ICONST_M1);
        s.methodInsn(INVOKEINTERFACE, INT_CONSUMER, "accept", "(I)V", true);
    }

    // ---- ObjectInputStream.filterCheck(Class, int) ----

    /**
     * On entry, tells the guard ({@code LongBinaryOperator}) where the stream stands, packed in
     * two longs (for a back-reference, whether it names a class descriptor); it answers 0 to skip
     * the JDK's filter call (see StreamGuard).
     */
    static boolean filterCheck(CodeEditor code) {
        Object[] params = {OBJECT_INPUT_STREAM, "java/lang/Class", CodeEditor.INTEGER};
        code.insert(0, false, insertFilterCheckEntry(code.snippet(), params));
        code.maxStack += 8;
        return true;
    }

    private static Snippet insertFilterCheckEntry(Snippet s, Object[] params) {
        Label original = new Label();
        Label packed = new Label();
        Label noLength = new Label();
        // A subclass that overrides readObject (XStream's CustomObjectInputStream) has no
        // handle table; Hashtable.readObject still calls checkArray on it. The JDK's own
        // filter call below copes with that stream, as it does without the agent.
        s.varInsn(ALOAD, 0);
        s.fieldInsn(GETFIELD, OBJECT_INPUT_STREAM, "handles", "L" + HANDLE_TABLE + ";");
        s.jumpInsn(IFNULL, original);
        s.varInsn(ALOAD, 0);
        s.fieldInsn(GETFIELD, OBJECT_INPUT_STREAM, "serialFilter", FILTER_DESC);
        s.typeInsn(INSTANCEOF, LONG_BINARY_OPERATOR);
        s.jumpInsn(IFEQ, original);
        s.varInsn(ALOAD, 0);
        s.fieldInsn(GETFIELD, OBJECT_INPUT_STREAM, "serialFilter", FILTER_DESC);
        s.typeInsn(CHECKCAST, LONG_BINARY_OPERATOR);
        // (handles.size() << 32) | (passHandle & 0xFFFFFFFF)
        s.varInsn(ALOAD, 0);
        s.fieldInsn(GETFIELD, OBJECT_INPUT_STREAM, "handles", "L" + HANDLE_TABLE + ";");
        s.methodInsn(INVOKEVIRTUAL, HANDLE_TABLE, "size", "()I", false);
        s.insn(I2L);
        orPassHandle(s);
        // (depth << 40) | totalObjectRefs
        s.varInsn(ALOAD, 0);
        s.fieldInsn(GETFIELD, OBJECT_INPUT_STREAM, "depth", "J");
        s.intInsn(BIPUSH, 40);
        s.insn(LSHL);
        s.varInsn(ALOAD, 0);
        s.fieldInsn(GETFIELD, OBJECT_INPUT_STREAM, "totalObjectRefs", "J");
        s.insn(LOR);
        // bit 62 for an array length, bit 63 for a back-reference (no class, no length)
        s.varInsn(ILOAD, 2);
        s.jumpInsn(IFLT, noLength);
        s.ldc(1L << 62);
        s.insn(LOR);
        s.jumpInsn(GOTO, packed);
        s.label(noLength).frame(params, LONG_BINARY_OPERATOR, CodeEditor.LONG, CodeEditor.LONG);
        s.varInsn(ALOAD, 1);
        s.jumpInsn(IFNONNULL, packed);
        s.ldc(Long.MIN_VALUE);
        s.insn(LOR);
        // bit 61 when the back-reference names a class descriptor: a new object starts, and
        // the descriptor's handle has no weight of its own in the graph
        s.varInsn(ALOAD, 0);
        s.fieldInsn(GETFIELD, OBJECT_INPUT_STREAM, "handles", "L" + HANDLE_TABLE + ";");
        s.varInsn(ALOAD, 0);
        s.fieldInsn(GETFIELD, OBJECT_INPUT_STREAM, "passHandle", "I");
        s.methodInsn(INVOKEVIRTUAL, HANDLE_TABLE, "lookupObject", "(I)Ljava/lang/Object;", false);
        s.typeInsn(INSTANCEOF, OBJECT_STREAM_CLASS);
        s.jumpInsn(IFEQ, packed);
        s.ldc(1L << 61);
        s.insn(LOR);
        s.label(packed).frame(params, LONG_BINARY_OPERATOR, CodeEditor.LONG, CodeEditor.LONG);
        s.methodInsn(INVOKEINTERFACE, LONG_BINARY_OPERATOR, "applyAsLong", "(JJ)J", true);
        s.insn(LCONST_0);
        s.insn(LCMP);
        s.jumpInsn(IFNE, original);
        s.insn(RETURN);
        s.label(original).frame(params);
        s.insn(NOP); // never two frames at one offset
        return s;
    }

    /** With a long on the stack: {@code (top << 32) | (passHandle & 0xFFFFFFFFL)}. */
    private static void orPassHandle(Snippet s) {
        s.intInsn(BIPUSH, 32);
        s.insn(LSHL);
        s.varInsn(ALOAD, 0);
        s.fieldInsn(GETFIELD, OBJECT_INPUT_STREAM, "passHandle", "I");
        s.insn(I2L);
        s.ldc(0xFFFF_FFFFL);
        s.insn(LAND);
        s.insn(LOR);
    }

    // ---- ObjectStreamClass.readNonProxy(ObjectInputStream) ----

    /** On return, hands the class name and flags to the guard ({@code ObjIntConsumer}) before {@code resolveClass} runs. */
    static boolean readNonProxy(CodeEditor code) {
        Object[] params = {OBJECT_STREAM_CLASS, OBJECT_INPUT_STREAM};
        Label exit = new Label();
        returnsTo(code, RETURN, exit);
        code.append(insertReadNonProxyExit(code.snippet(), params, exit));
        code.maxStack += 8;
        return true;
    }

    private static Snippet insertReadNonProxyExit(Snippet s, Object[] params, Label exit) {
        Label done = new Label();
        Label notOurs = new Label();
        Label call = new Label();
        s.label(exit).frame(params);
        s.varInsn(ALOAD, 1);
        s.jumpInsn(IFNULL, done);
        s.varInsn(ALOAD, 1);
        s.methodInsn(INVOKEVIRTUAL, OBJECT_INPUT_STREAM, "getObjectInputFilter", "()" + FILTER_DESC, false);
        s.insn(DUP);
        s.typeInsn(INSTANCEOF, OBJ_INT_CONSUMER);
        s.jumpInsn(IFEQ, notOurs);
        s.typeInsn(CHECKCAST, OBJ_INT_CONSUMER);
        s.varInsn(ALOAD, 0);
        s.fieldInsn(GETFIELD, OBJECT_STREAM_CLASS, "name", "Ljava/lang/String;");
        s.varInsn(ALOAD, 0);
        s.fieldInsn(GETFIELD, OBJECT_STREAM_CLASS, "isEnum", "Z"); // ENUM_FLAG is 1
        s.varInsn(ALOAD, 1);
        s.methodInsn(INVOKEVIRTUAL, "java/lang/Object", "getClass", "()Ljava/lang/Class;", false);
        s.ldcClass(OBJECT_INPUT_STREAM);
        s.jumpInsn(IF_ACMPEQ, call);
        s.intInsn(BIPUSH, SUBCLASS_FLAG);
        s.insn(IOR);
        s.label(call).frame(params, OBJ_INT_CONSUMER, "java/lang/String", CodeEditor.INTEGER);
        s.methodInsn(INVOKEINTERFACE, OBJ_INT_CONSUMER, "accept", "(Ljava/lang/Object;I)V", true);
        s.jumpInsn(GOTO, done);
        s.label(notOurs).frame(params, FILTER);
        s.insn(POP);
        s.label(done).frame(params);
        s.insn(RETURN);
        return s;
    }

    // ---- ObjectInputStream.<init>() ----

    /**
     * The protected constructor of a subclass that overrides {@code readObject}: on return, tells
     * the guard ({@code IntConsumer}, {@value #OVERRIDING_STREAM}) that such a stream exists, so
     * {@code Hashtable}'s edit is in place before the subclass's owner can call {@code
     * Hashtable.readObject} on it (such a stream resolves no class through the JDK). Expected
     * shape: {@code serialFilter} written, then a return; otherwise nothing is inserted.
     */
    static boolean overridingStream(CodeEditor code) {
        boolean filterSet = false;
        boolean returns = false;
        for (int i = 0; i < code.count; i++) {
            int opcode = code.opcodes[i];
            int kind = code.kinds[i];
            if (kind == CodeEditor.FIELD && opcode == PUTFIELD) {
                String[] m = code.member(i);
                filterSet |= m[0].equals(OBJECT_INPUT_STREAM) && m[1].equals("serialFilter") && m[2].equals(FILTER_DESC);
            } else if (kind == CodeEditor.INSN && opcode == RETURN) {
                if (!filterSet) {
                    return false; // a return before the filter is set: not the constructor this edit knows
                }
                returns = true;
            }
        }
        if (!returns) {
            return false;
        }
        Label exit = new Label();
        returnsTo(code, RETURN, exit);
        code.append(insertOverridingStreamExit(code.snippet(), new Object[] {OBJECT_INPUT_STREAM}, exit));
        code.maxStack += 8;
        return true;
    }

    private static Snippet insertOverridingStreamExit(Snippet s, Object[] params, Label exit) {
        Label done = new Label();
        s.label(exit).frame(params);
        guardOrJump(s, done);
        s.varInsn(ALOAD, 0);
        s.fieldInsn(GETFIELD, OBJECT_INPUT_STREAM, "serialFilter", FILTER_DESC);
        s.typeInsn(CHECKCAST, INT_CONSUMER);
        s.intInsn(BIPUSH, OVERRIDING_STREAM);
        s.methodInsn(INVOKEINTERFACE, INT_CONSUMER, "accept", "(I)V", true);
        s.label(done).frame(params);
        s.insn(RETURN);
        return s;
    }

    // ---- ObjectInputFilter$Config.setSerialFilterFactory(BinaryOperator) ----

    /** On entry, offers the host's factory to the agent's gate ({@code Predicate}); adopted, the JDK's method is skipped. */
    static boolean setSerialFilterFactory(CodeEditor code) {
        code.insert(0, false, insertSetFactoryEntry(code.snippet(), new Object[] {BINARY_OPERATOR}));
        code.maxStack += 8;
        return true;
    }

    private static Snippet insertSetFactoryEntry(Snippet s, Object[] params) {
        Label original = new Label();
        Label notOurs = new Label();
        s.varInsn(ALOAD, 0);
        s.jumpInsn(IFNULL, original);
        // The field, not getSerialFilterFactory(), which would lock the factory as a side effect.
        s.fieldInsn(GETSTATIC, FILTER_CONFIG, "serialFilterFactory", "Ljava/util/function/BinaryOperator;");
        s.insn(DUP);
        s.typeInsn(INSTANCEOF, PREDICATE);
        s.jumpInsn(IFEQ, notOurs);
        s.typeInsn(CHECKCAST, PREDICATE);
        s.varInsn(ALOAD, 0);
        s.methodInsn(INVOKEINTERFACE, PREDICATE, "test", "(Ljava/lang/Object;)Z", true);
        s.jumpInsn(IFEQ, original);
        s.insn(RETURN); // adopted: the JDK's method, which would throw, is skipped
        s.label(notOurs).frame(params, BINARY_OPERATOR);
        s.insn(POP);
        s.label(original).frame(params);
        s.insn(NOP); // never two frames at one offset
        return s;
    }

    // ---- ObjectInputStream.readOrdinaryObject(boolean) ----

    /**
     * Once the object's fields are read, right after {@code handles.finish(passHandle)}, hands it
     * to the guard ({@code ObjLongConsumer}) with its depth and handle. The three read paths join at one frame with an empty stack
     * before {@code finish}; the inserted branch reuses its locals. Not shaped so (no
     * {@code readSerialData(obj, desc)} naming the object's slot, no such frame, or a local
     * written since): nothing is inserted.
     */
    static boolean readOrdinaryObject(CodeEditor code) {
        Object[] frameLocals = null;
        int lastLoad = -1;
        int loadBefore = -1;
        int objectSlot = -1;
        for (int i = 0; i < code.count; i++) {
            int offset = code.offsets[i];
            int opcode = code.opcodes[i];
            int kind = code.kinds[i];
            int operand = code.operands[i];
            Frame frame = code.frames[offset];
            if (frame != null) {
                frameLocals = frame.stack.length == 0 ? frame.locals.clone() : null;
            }
            if (kind == CodeEditor.VAR) {
                if (opcode == ALOAD) {
                    loadBefore = lastLoad;
                    lastLoad = operand;
                } else if (opcode >= ISTORE && opcode <= ASTORE) {
                    frameLocals = null;
                }
            } else if (kind == CodeEditor.IINC) {
                frameLocals = null;
            } else if (kind == CodeEditor.METHOD) {
                String[] m = code.member(i);
                if (m[0].equals(OBJECT_INPUT_STREAM) && m[1].equals("readSerialData")
                        && m[2].equals("(Ljava/lang/Object;Ljava/io/ObjectStreamClass;)V")) {
                    objectSlot = loadBefore; // readSerialData(obj, desc): the object was loaded before desc
                }
                if (m[0].equals(HANDLE_TABLE) && m[1].equals("finish") && m[2].equals("(I)V")
                        && frameLocals != null && isReference(frameLocals, objectSlot) && i + 1 < code.count) {
                    code.insert(code.offsets[i + 1], false,
                            insertReadOrdinaryObjectCheck(code.snippet(), frameLocals, objectSlot));
                    code.maxStack = Math.max(code.maxStack, 8);
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * {@code if (serialFilter instanceof ObjLongConsumer c) c.accept(obj, depth << 32 | passHandle
     * & 0xFFFFFFFFL);}, with an empty stack: the object, where it stands and its handle, which
     * {@code finish} was just given.
     */
    private static Snippet insertReadOrdinaryObjectCheck(Snippet s, Object[] frameLocals, int objectSlot) {
        Label skip = new Label();
        s.varInsn(ALOAD, 0);
        s.fieldInsn(GETFIELD, OBJECT_INPUT_STREAM, "serialFilter", FILTER_DESC);
        s.typeInsn(INSTANCEOF, OBJ_LONG_CONSUMER);
        s.jumpInsn(IFEQ, skip);
        s.varInsn(ALOAD, 0);
        s.fieldInsn(GETFIELD, OBJECT_INPUT_STREAM, "serialFilter", FILTER_DESC);
        s.typeInsn(CHECKCAST, OBJ_LONG_CONSUMER);
        s.varInsn(ALOAD, objectSlot);
        s.varInsn(ALOAD, 0);
        s.fieldInsn(GETFIELD, OBJECT_INPUT_STREAM, "depth", "J");
        orPassHandle(s);
        s.methodInsn(INVOKEINTERFACE, OBJ_LONG_CONSUMER, "accept", "(Ljava/lang/Object;J)V", true);
        s.label(skip).frame(frameLocals);
        s.insn(NOP); // the original code may have a frame of its own here; never two at one offset
        return s;
    }

    /** Whether local slot {@code slot} holds a reference in an expanded frame (a long or double fills one entry, two slots). */
    private static boolean isReference(Object[] locals, int slot) {
        if (slot < 0) {
            return false;
        }
        int at = 0;
        for (Object local : locals) {
            if (at == slot) {
                return local instanceof String;
            }
            at += wide(local) ? 2 : 1;
        }
        return false;
    }

    private static boolean wide(Object type) {
        // By identity, not an equals call each: every frame entry's code is Integer.valueOf's cached box.
        return type == CodeEditor.LONG || type == CodeEditor.DOUBLE;
    }

    // ---- Hashtable.readHashtable(ObjectInputStream) ----

    /**
     * In the read loop, right after {@code reconstitutionPut} and the {@code iinc} of the entries
     * left by -1, every 256 entries tells the stream's guard ({@code IntConsumer}, 0). The branch
     * reuses the locals of the loop head's frame (the last one with an empty stack); the stack
     * height is followed from there to the call through the few instructions the loop has, and
     * a local of that frame written since, any other instruction, a stack not empty after the
     * call, or no such {@code iinc} inserts nothing.
     */
    static boolean readHashtable(CodeEditor code) {
        Object[] frameLocals = null;
        int frameSlots = 0;
        int height = -1; // -1: lost, an instruction the edit does not follow was seen
        boolean afterPut = false;
        for (int i = 0; i < code.count; i++) {
            int offset = code.offsets[i];
            int opcode = code.opcodes[i];
            int kind = code.kinds[i];
            int operand = code.operands[i];
            Frame frame = code.frames[offset];
            if (frame != null) {
                if (frame.stack.length == 0) {
                    frameLocals = frame.locals.clone();
                    frameSlots = 0;
                    for (Object l : frameLocals) {
                        frameSlots += wide(l) ? 2 : 1;
                    }
                    height = 0;
                } else {
                    frameLocals = null;
                    height = -1;
                    afterPut = false;
                }
            }
            boolean lost = false;
            switch (kind) {
                case CodeEditor.VAR -> {
                    if (height >= 0) {
                        if (opcode == ALOAD || opcode == ILOAD || opcode == FLOAD) {
                            height++;
                        } else if (opcode == ASTORE || opcode == ISTORE || opcode == FSTORE) {
                            height--;
                            lost = operand < frameSlots; // the frame's locals no longer describe this point
                        } else {
                            lost = true;
                        }
                    }
                }
                case CodeEditor.IINC -> {
                    if (afterPut) {
                        afterPut = false;
                        int slot = operand;
                        if (code.increments[i] == -1 && slot < frameLocals.length && isPlainSlot(frameLocals, slot)
                                && CodeEditor.INTEGER.equals(frameLocals[slot]) && i + 1 < code.count) {
                            code.insert(code.offsets[i + 1], false,
                                    insertReadHashtableCheck(code.snippet(), frameLocals, slot));
                            code.maxStack = Math.max(code.maxStack, 2);
                            return true;
                        }
                        lost = true;
                    }
                }
                case CodeEditor.JUMP -> {
                    if (height >= 0 && opcode >= IFEQ && opcode <= IFLE) {
                        height--; // the loop's test: the fall-through keeps the frame's locals
                    } else {
                        lost = true;
                    }
                }
                case CodeEditor.FIELD -> {
                    if (height >= 0 && opcode == GETFIELD) {
                        height += slots(code.member(i)[2]) - 1;
                    } else {
                        lost = true;
                    }
                }
                case CodeEditor.METHOD -> {
                    if (height < 0 || opcode != INVOKEVIRTUAL) {
                        lost = true;
                    } else {
                        String[] m = code.member(i);
                        height -= CodeEditor.argumentSlots(m[2]) + 1; // arguments and receiver
                        height += CodeEditor.returnSlots(m[2]);
                        if (height == 0 && m[0].equals(HASHTABLE) && m[1].equals("reconstitutionPut")
                                && m[2].equals("([Ljava/util/Hashtable$Entry;Ljava/lang/Object;Ljava/lang/Object;)V")
                                && frameLocals.length > 1 && OBJECT_INPUT_STREAM.equals(frameLocals[1])) {
                            afterPut = true;
                        }
                    }
                }
                default -> lost = true;
            }
            if (lost) {
                frameLocals = null;
                height = -1;
                afterPut = false;
            }
        }
        return false;
    }

    private static int slots(String descriptor) {
        return descriptor.equals("J") || descriptor.equals("D") ? 2 : 1;
    }

    /** Whether the frame entries before {@code slot} take one slot each, so entry and slot agree. */
    private static boolean isPlainSlot(Object[] frameLocals, int slot) {
        for (int i = 0; i < slot; i++) {
            if (wide(frameLocals[i])) {
                return false;
            }
        }
        return true;
    }

    /** {@code if ((left & 255) == 0 && s.getObjectInputFilter() instanceof IntConsumer c) c.accept(0);}, with an empty stack. */
    private static Snippet insertReadHashtableCheck(Snippet s, Object[] frameLocals, int left) {
        Label notOurs = new Label();
        Label done = new Label();
        s.varInsn(ILOAD, left);
        s.intInsn(SIPUSH, ENTRIES_MASK);
        s.insn(IAND);
        s.jumpInsn(IFNE, done);
        s.varInsn(ALOAD, 1);
        s.methodInsn(INVOKEVIRTUAL, OBJECT_INPUT_STREAM, "getObjectInputFilter", "()" + FILTER_DESC, false);
        s.insn(DUP);
        s.typeInsn(INSTANCEOF, INT_CONSUMER);
        s.jumpInsn(IFEQ, notOurs);
        s.typeInsn(CHECKCAST, INT_CONSUMER);
        s.insn(ICONST_0);
        s.methodInsn(INVOKEINTERFACE, INT_CONSUMER, "accept", "(I)V", true);
        s.jumpInsn(GOTO, done);
        s.label(notOurs).frame(frameLocals, FILTER);
        s.insn(POP);
        s.label(done).frame(frameLocals);
        s.insn(NOP); // the original code may have a frame of its own here; never two at one offset
        return s;
    }

    // ---- ObjectInputStream.readProxyDesc(boolean) ----

    /**
     * Right before the call to {@code resolveProxyClass(String[])}, hands the interface names to
     * the guard ({@code Consumer}), since the JDK makes the proxy class before its filter sees a
     * single interface. The call sits mid-method, so the inserted branch's frames need the locals
     * and stack there: they are followed from the method's last frame through the few
     * instructions between; anything else on that stretch inserts nothing.
     */
    static boolean readProxyDesc(CodeEditor code) {
        List<Object> locals = null;
        List<Object> stack = null;
        code.maxStack += 3; // the names, the filter and its copy
        for (int n = 0; n < code.count; n++) {
            int offset = code.offsets[n];
            int opcode = code.opcodes[n];
            int kind = code.kinds[n];
            int operand = code.operands[n];
            Frame frame = code.frames[offset];
            if (frame != null) {
                locals = new ArrayList<>(Arrays.asList(frame.locals));
                stack = new ArrayList<>(Arrays.asList(frame.stack));
                // Long and double take two slots but one frame entry: keep slot arithmetic simple.
                for (Object type : frame.locals) { // the array, not the list: no iterator's calls
                    if (wide(type)) {
                        stack = null;
                    }
                }
                for (Object type : frame.stack) {
                    if (wide(type)) {
                        stack = null;
                    }
                }
                if (stack == null) {
                    locals = null;
                }
            }
            if (locals == null) {
                continue;
            }
            boolean unknown = false;
            switch (kind) {
                case CodeEditor.INSN -> {
                    if (opcode == ACONST_NULL) {
                        stack.add(CodeEditor.NULL);
                    } else if (opcode >= ICONST_M1 && opcode <= ICONST_5) {
                        stack.add(CodeEditor.INTEGER);
                    } else {
                        unknown = opcode != POP || pop(stack) == null;
                    }
                }
                case CodeEditor.VAR -> {
                    int slot = operand;
                    if (opcode == ALOAD && slot < locals.size()) {
                        stack.add(locals.get(slot));
                    } else if (opcode == ILOAD) {
                        stack.add(CodeEditor.INTEGER);
                    } else if ((opcode == ASTORE || opcode == ISTORE) && !stack.isEmpty()) {
                        while (locals.size() <= slot) {
                            locals.add(CodeEditor.TOP);
                        }
                        locals.set(slot, pop(stack));
                    } else {
                        unknown = true;
                    }
                }
                case CodeEditor.FIELD -> {
                    Object type = proxyFrameType(code.member(n)[2]);
                    unknown = !(opcode == GETFIELD && pop(stack) != null && type != null);
                    if (!unknown) {
                        stack.add(type);
                    }
                }
                case CodeEditor.METHOD -> {
                    String[] m = code.member(n);
                    if (opcode == INVOKEVIRTUAL && m[0].equals(OBJECT_INPUT_STREAM) && m[1].equals("resolveProxyClass")
                            && m[2].equals("([Ljava/lang/String;)Ljava/lang/Class;") && stack.size() >= 2
                            && "[Ljava/lang/String;".equals(stack.get(stack.size() - 1))) {
                        code.insert(offset, true,
                                insertReadProxyDescCheck(code.snippet(), locals.toArray(), stack.toArray()));
                        return true;
                    }
                    int pops = arguments(m[2]) + (opcode == INVOKESTATIC ? 0 : 1);
                    for (int i = 0; i < pops && !unknown; i++) {
                        unknown = pop(stack) == null;
                    }
                    String returned = m[2].substring(m[2].indexOf(')') + 1);
                    if (!unknown && !returned.equals("V")) {
                        Object type = proxyFrameType(returned);
                        if (type == null) {
                            unknown = true;
                        } else {
                            stack.add(type);
                        }
                    }
                }
                default -> unknown = true;
            }
            if (unknown) {
                locals = null;
                stack = null;
            }
        }
        return false;
    }

    private static Object pop(List<Object> stack) {
        return stack.isEmpty() ? null : stack.remove(stack.size() - 1);
    }

    /** The number of arguments (not slots) of a method descriptor. */
    private static int arguments(String descriptor) {
        int count = 0;
        int i = 1;
        while (descriptor.charAt(i) != ')') {
            while (descriptor.charAt(i) == '[') {
                i++;
            }
            if (descriptor.charAt(i) == 'L') {
                i = descriptor.indexOf(';', i);
            }
            i++;
            count++;
        }
        return count;
    }

    /** The frame entry of a value of {@code descriptor}, or null for long and double. */
    private static Object proxyFrameType(String descriptor) {
        Object type = CodeEditor.frameType(descriptor);
        return wide(type) ? null : type;
    }

    /** Stack: ..., stream, names. Hands the names to the stream's guard, if it has one. */
    private static Snippet insertReadProxyDescCheck(Snippet s, Object[] frameLocals, Object[] atCall) {
        Object[] withFilter = Arrays.copyOf(atCall, atCall.length + 2);
        withFilter[atCall.length] = "[Ljava/lang/String;";
        withFilter[atCall.length + 1] = FILTER;
        Label notOurs = new Label();
        Label call = new Label();
        s.insn(DUP);
        s.varInsn(ALOAD, 0);
        s.fieldInsn(GETFIELD, OBJECT_INPUT_STREAM, "serialFilter", FILTER_DESC);
        s.insn(DUP);
        s.typeInsn(INSTANCEOF, CONSUMER);
        s.jumpInsn(IFEQ, notOurs);
        s.typeInsn(CHECKCAST, CONSUMER);
        s.insn(SWAP);
        s.methodInsn(INVOKEINTERFACE, CONSUMER, "accept", "(Ljava/lang/Object;)V", true);
        s.jumpInsn(GOTO, call);
        s.label(notOurs).frame(frameLocals, withFilter);
        s.insn(POP2);
        s.label(call).frame(frameLocals, atCall);
        return s;
    }

    // ---- ConcurrentHashMap.readObject(ObjectInputStream) ----

    /**
     * Where the map builds its table from the entries it has read, after every {@code
     * TreeBin.putTreeVal}: at the join of its two outcomes (the target of the test of what it
     * returned, which has a frame of its own with an empty stack), tells the stream's guard
     * ({@code IntConsumer}, {@value #TREE_PUT}), so the guard's CPU clock is consulted. Keys that
     * share a hash code and do not compare (BitSets) cost each put a search of the whole bin, and
     * all of it runs after the map's last filter checkpoint. Only puts into a bin of eight or more
     * keys reach it. Not shaped so: nothing is inserted.
     */
    static boolean concurrentHashMapReadObject(CodeEditor code) {
        for (int i = 0; i + 1 < code.count; i++) {
            if (code.kinds[i] != CodeEditor.METHOD || code.opcodes[i] != INVOKEVIRTUAL) {
                continue;
            }
            String[] m = code.member(i);
            if (!m[0].equals(TREE_BIN) || !m[1].equals("putTreeVal") || !m[2].equals(PUT_TREE_VAL)) {
                continue;
            }
            int test = i + 1;
            if (code.kinds[test] != CodeEditor.JUMP || (code.opcodes[test] != IFNULL && code.opcodes[test] != IFNONNULL)) {
                return false;
            }
            int join = code.operands[test];
            Frame frame = code.frames[join];
            if (join <= code.offsets[test] || frame == null || frame.stack.length != 0 || frame.locals.length < 2
                    || !OBJECT_INPUT_STREAM.equals(frame.locals[1])) {
                return false;
            }
            code.insert(join, true, insertTreePutCheck(code.snippet(), frame.locals));
            code.maxStack = Math.max(code.maxStack, 2);
            return true;
        }
        return false;
    }

    /** {@code if (s.getObjectInputFilter() instanceof IntConsumer c) c.accept(TREE_PUT);}, with an empty stack. */
    private static Snippet insertTreePutCheck(Snippet s, Object[] frameLocals) {
        Label notOurs = filterAs(s, INT_CONSUMER);
        s.intInsn(BIPUSH, TREE_PUT);
        s.methodInsn(INVOKEINTERFACE, INT_CONSUMER, "accept", "(I)V", true);
        return afterFilterCall(s, frameLocals, notOurs);
    }

    /**
     * The start of {@code if (s.getObjectInputFilter() instanceof type c) c.call(...);}, {@code s}
     * in slot 1: leaves the filter cast to {@code type} on the stack for the caller's arguments and
     * call, and returns the label {@link #afterFilterCall} places for a filter of another type.
     */
    private static Label filterAs(Snippet s, String type) {
        Label notOurs = new Label();
        s.varInsn(ALOAD, 1);
        s.methodInsn(INVOKEVIRTUAL, OBJECT_INPUT_STREAM, "getObjectInputFilter", "()" + FILTER_DESC, false);
        s.insn(DUP);
        s.typeInsn(INSTANCEOF, type);
        s.jumpInsn(IFEQ, notOurs);
        s.typeInsn(CHECKCAST, type);
        return notOurs;
    }

    /** The end of {@link #filterAs}'s statement, after the caller's call: the stack is empty again, the locals {@code frameLocals}. */
    private static Snippet afterFilterCall(Snippet s, Object[] frameLocals, Label notOurs) {
        Label done = new Label();
        s.jumpInsn(GOTO, done);
        s.label(notOurs).frame(frameLocals, FILTER);
        s.insn(POP);
        s.label(done).frame(frameLocals);
        s.insn(NOP); // never two frames at one offset
        return s;
    }

    /**
     * {@code if (s.getObjectInputFilter() instanceof BiConsumer c) c.accept(this.field, tag);}, with
     * an empty stack: {@code tag} is {@code this.tag} when {@code tagField}, else {@value
     * #PRIORITY_QUEUE_ELEMENTS}.
     */
    private static Snippet insertElementsCheck(Snippet s, Object[] frameLocals, String owner, String field,
                                               boolean tagField) {
        Label notOurs = filterAs(s, BI_CONSUMER);
        s.varInsn(ALOAD, 0);
        s.fieldInsn(GETFIELD, owner, field, "[Ljava/lang/Object;");
        if (tagField) {
            s.varInsn(ALOAD, 0);
            s.fieldInsn(GETFIELD, owner, "tag", "I");
        } else {
            s.insn(ICONST_M1); // PRIORITY_QUEUE_ELEMENTS
        }
        s.methodInsn(INVOKESTATIC, "java/lang/Integer", "valueOf", "(I)Ljava/lang/Integer;", false);
        s.methodInsn(INVOKEINTERFACE, BI_CONSUMER, "accept", "(Ljava/lang/Object;Ljava/lang/Object;)V", true);
        return afterFilterCall(s, frameLocals, notOurs);
    }

    // ---- CollSer.readObject(ObjectInputStream) ----

    /**
     * The serial proxy of {@code List.of}, {@code Set.of} and {@code Map.of}: before each return,
     * once its elements are read, hands them and its tag to the stream's guard ({@code
     * BiConsumer}), which judges what the proxy's {@code readResolve} is about to do. {@code
     * Set.of} and {@code Map.of} probe a table linearly: elements that share a hash code cost each
     * insertion a walk past every earlier one, in one call that no checkpoint interrupts. Each
     * return must follow a frame with an empty stack with no local written since; otherwise
     * nothing is inserted.
     */
    static boolean collSerReadObject(CodeEditor code) {
        Object[] frameLocals = null;
        boolean inserted = false;
        for (int i = 0; i < code.count; i++) {
            Frame frame = code.frames[code.offsets[i]];
            if (frame != null) {
                frameLocals = frame.stack.length == 0 ? frame.locals : null;
            }
            int kind = code.kinds[i];
            int opcode = code.opcodes[i];
            if (kind == CodeEditor.VAR && opcode >= ISTORE && opcode <= ASTORE || kind == CodeEditor.IINC) {
                frameLocals = null;
            } else if (kind == CodeEditor.INSN && opcode == RETURN) {
                if (frameLocals == null || frameLocals.length < 2 || !OBJECT_INPUT_STREAM.equals(frameLocals[1])) {
                    return false; // a return the guard would not see: no edit rather than half of one
                }
                code.insert(code.offsets[i], true, insertElementsCheck(code.snippet(), frameLocals, COLL_SER, "array", true));
                inserted = true;
            }
        }
        code.maxStack = Math.max(code.maxStack, 4);
        return inserted;
    }

    // ---- PriorityQueue.readObject(ObjectInputStream) ----

    /**
     * Right before {@code heapify()}, once every element is read: hands the queue's elements to
     * the stream's guard ({@code BiConsumer}, with {@value #PRIORITY_QUEUE_ELEMENTS} where CollSer
     * hands its tag). {@code heapify} compares elements about twice per element, in one call
     * that no checkpoint interrupts, and a back-reference makes an element of 5 bytes that is a
     * megabyte string: each comparison scans it. The call must be preceded by the load of
     * {@code this} at a frame with an empty stack; otherwise nothing is inserted.
     */
    static boolean priorityQueueReadObject(CodeEditor code) {
        for (int i = 1; i < code.count; i++) {
            if (code.kinds[i] != CodeEditor.METHOD || code.opcodes[i] != INVOKEVIRTUAL) {
                continue;
            }
            String[] m = code.member(i);
            if (!m[0].equals(PRIORITY_QUEUE) || !m[1].equals("heapify") || !m[2].equals("()V")) {
                continue;
            }
            int load = code.offsets[i - 1];
            Frame frame = code.frames[load];
            if (code.kinds[i - 1] != CodeEditor.VAR || code.opcodes[i - 1] != ALOAD || code.operands[i - 1] != 0
                    || frame == null || frame.stack.length != 0 || frame.locals.length < 2
                    || !OBJECT_INPUT_STREAM.equals(frame.locals[1])) {
                return false;
            }
            code.insert(load, true, insertElementsCheck(code.snippet(), frame.locals, PRIORITY_QUEUE, "queue", false));
            code.maxStack = Math.max(code.maxStack, 4);
            return true;
        }
        return false;
    }
}
