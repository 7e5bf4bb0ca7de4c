package dev.safeload.instrument.jdk;

import java.io.PrintStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * The agent's hooks in java.base, written as plain ASM edits of the class bytes. Byte
 * Buddy's advice machinery would load about a thousand classes at start to do the same; these
 * edits load ASM's reader and writer only, when the hooked class itself loads. Only the edited
 * methods go through ASM; the rest of the class, its constant pool included, is copied byte for
 * byte and never decoded ({@link AsmCodeGraft}).
 *
 * <p>The inserted code may name JDK types only, since java.base cannot see the agent: it reaches
 * the agent's guard through JDK interfaces that the guard implements, as the stream's filter.
 * Every branch target gets an explicit stack map frame: java.base is not verified by default,
 * so a wrong frame would not be caught at load (StartupWindowTest runs a JVM with
 * {@code -XX:+BytecodeVerificationLocal} to catch it), and the writer is told to compute
 * nothing: it needs no class hierarchy, and the original frames pass through as they are.
 *
 * <ul>
 *   <li>{@code ObjectInputStream.readObject0}: at a top-level read (depth 0) on entry and on
 *       exit, normal or thrown, tells the guard ({@code IntConsumer} +1/-1), so a stream opened
 *       during deserialization is known to be nested. A stream created before the agent was
 *       attached is given its guard at its next top-level read.</li>
 *   <li>{@code ObjectInputStream.filterCheck}: tells the guard ({@code LongBinaryOperator})
 *       the handles, depth and count at every checkpoint, so it can measure how far the graph
 *       expands through shared references; for a back-reference, which can only fail a limit,
 *       the JDK's filter call, and the {@code FilterInfo} it allocates, is skipped when the
 *       guard says so.</li>
 *   <li>{@code ObjectStreamClass.readNonProxy}: on return, hands the class name and flags to the
 *       guard ({@code ObjIntConsumer}) before {@code resolveClass} runs.</li>
 *   <li>{@code ObjectInputStream.readOrdinaryObject}: once the object's fields are read, hands it
 *       to the guard ({@code ObjLongConsumer}, with its depth and handle) before it is handed out ({@link AsmReadOrdinaryObjectEdit}).</li>
 *   <li>{@code ObjectInputStream.readProxyDesc}: right before it calls {@code resolveProxyClass},
 *       hands the interface names to the guard ({@code Consumer}), since the JDK makes the proxy
 *       class, which is never unloaded, before its filter sees a single interface.</li>
 *   <li>{@code ObjectInputFilter.Config.setSerialFilterFactory}: on entry, offers the host's
 *       factory to the agent's gate ({@code Predicate}); when it is adopted the JDK's method is
 *       skipped instead of throwing {@code IllegalStateException}.</li>
 *   <li>{@code Hashtable.readHashtable}: every 256 entries put, tells the stream's guard
 *       ({@code IntConsumer}, 0), so its CPU clock is consulted while String keys, which pass no
 *       filter checkpoint, collide in a bucket that is never treeified ({@link AsmReadHashtableEdit}).</li>
 * </ul>
 */
public final class AsmJdkHooks {

    public static final String OBJECT_INPUT_STREAM = "java/io/ObjectInputStream";
    public static final String OBJECT_STREAM_CLASS = "java/io/ObjectStreamClass";
    public static final String FILTER_CONFIG = "java/io/ObjectInputFilter$Config";
    public static final String HASHTABLE = AsmReadHashtableEdit.HASHTABLE;

    /** Flag bit handed to the guard with a class name: StreamGuard.SUBCLASS_FLAG (its ENUM_FLAG is 1). */
    private static final int SUBCLASS_FLAG = 2;

    private static final String INT_CONSUMER = "java/util/function/IntConsumer";
    private static final String OBJ_INT_CONSUMER = "java/util/function/ObjIntConsumer";
    private static final String PREDICATE = "java/util/function/Predicate";
    private static final String CONSUMER = "java/util/function/Consumer";
    private static final String LONG_BINARY_OPERATOR = "java/util/function/LongBinaryOperator";
    private static final String BINARY_OPERATOR = "java/util/function/BinaryOperator";
    private static final String FILTER = "java/io/ObjectInputFilter";
    private static final String FILTER_DESC = "Ljava/io/ObjectInputFilter;";
    private static final String HANDLE_TABLE = "java/io/ObjectInputStream$HandleTable";

    private final PrintStream console;
    private final Set<String> hooked = ConcurrentHashMap.newKeySet();

    public AsmJdkHooks(PrintStream console) {
        this.console = console;
    }

    /** The methods hooked so far, as {@code class.method}; for tests and the start check. */
    public Set<String> hooked() {
        return Set.copyOf(hooked);
    }

    /** One edited method: where it is, the fields its inserted code reads, and the edit. */
    private enum Site {
        READ_OBJECT(OBJECT_INPUT_STREAM, "readObject0", "(Ljava/lang/Class;Z)Ljava/lang/Object;",
                "depth:J", "serialFilter:" + FILTER_DESC),
        FILTER_CHECK(OBJECT_INPUT_STREAM, "filterCheck", "(Ljava/lang/Class;I)V",
                "depth:J", "totalObjectRefs:J", "serialFilter:" + FILTER_DESC, "handles:L" + HANDLE_TABLE + ";",
                "passHandle:I"),
        READ_ORDINARY_OBJECT(OBJECT_INPUT_STREAM, "readOrdinaryObject", "(Z)Ljava/lang/Object;",
                "serialFilter:" + FILTER_DESC),
        READ_NON_PROXY(OBJECT_STREAM_CLASS, "readNonProxy", "(Ljava/io/ObjectInputStream;)V",
                "name:Ljava/lang/String;", "isEnum:Z"),
        READ_PROXY_DESC(OBJECT_INPUT_STREAM, "readProxyDesc", "(Z)Ljava/io/ObjectStreamClass;",
                "serialFilter:" + FILTER_DESC),
        SET_FACTORY(FILTER_CONFIG, "setSerialFilterFactory", "(Ljava/util/function/BinaryOperator;)V",
                "serialFilterFactory:Ljava/util/function/BinaryOperator;"),
        READ_HASHTABLE(HASHTABLE, "readHashtable", "(Ljava/io/ObjectInputStream;)V"),
        OVERRIDING_STREAM(OBJECT_INPUT_STREAM, "<init>", "()V", "serialFilter:" + FILTER_DESC, "enableOverride:Z");

        final String owner;
        final String method;
        final String descriptor;
        final Set<String> fields;

        Site(String owner, String method, String descriptor, String... fields) {
            this.owner = owner;
            this.method = method;
            this.descriptor = descriptor;
            this.fields = Set.of(fields);
        }

        MethodVisitor edit(MethodVisitor mv, Runnable missed) {
            return switch (this) {
                case READ_ORDINARY_OBJECT -> new AsmReadOrdinaryObjectEdit(mv, missed);
                case READ_OBJECT -> new ReadObjectEdit(mv);
                case FILTER_CHECK -> new FilterCheckEdit(mv);
                case READ_NON_PROXY -> new ReadNonProxyEdit(mv);
                case READ_PROXY_DESC -> new ReadProxyDescEdit(mv, missed);
                case SET_FACTORY -> new SetFactoryEdit(mv);
                case READ_HASHTABLE -> new AsmReadHashtableEdit(mv, missed);
                case OVERRIDING_STREAM -> new OverridingStreamEdit(mv);
            };
        }

        @Override
        public String toString() {
            return owner.replace('/', '.') + "." + method;
        }
    }

    /**
     * The edit of {@code owner.name descriptor} writing into {@code next}, or null for a method
     * not hooked: for a test that runs the edits through another writer to compare the code.
     */
    static MethodVisitor editOf(String owner, String name, String descriptor, MethodVisitor next, Runnable missed) {
        for (Site site : Site.values()) {
            if (site.owner.equals(owner) && site.method.equals(name) && site.descriptor.equals(descriptor)) {
                return site.edit(next, missed);
            }
        }
        return null;
    }

    /**
     * The hooked class bytes, or null to leave the class as it is. Nothing is thrown: a JDK
     * whose internals changed gets a warning on the console, and the filter alone.
     */
    public byte[] rewrite(String internalName, byte[] bytes) {
        try {
            java.util.List<Site> sites = new java.util.ArrayList<>();
            for (Site site : Site.values()) {
                if (site.owner.equals(internalName)) {
                    sites.add(site);
                }
            }
            if (sites.isEmpty()) {
                return null;
            }
            Hook hook = edit(bytes, sites);
            if (!hook.missed.isEmpty() || hook.unframed) {
                // Retransformed on JDK 17: the JVM kept no frames of an unverified boot class,
                // so the edits would find none to build on (or write a table of their own
                // frames alone). The runtime image's class file, if the code is the same, has them.
                byte[] original = AsmFramedOriginal.of(internalName, bytes);
                if (original != null) {
                    hook = edit(original, sites);
                } else if (hook.unframed) {
                    // The JVM does not verify this class; a table of the inserted frames alone would be wrong.
                    hook = edit(bytes, sites, true);
                }
            }
            for (Site site : sites) {
                if (hook.edited.contains(site)) {
                    hooked.add(site.toString());
                } else {
                    console.println("safeload: warning: cannot hook " + site + ": "
                            + (hook.missed.contains(site) ? "its code is not shaped as the edit expects"
                                    : hook.found.contains(site) ? "a field it reads is missing" : "no such method")
                            + " in this JDK; every stream is still checked by the filter, but this hook's"
                            + " extra checks are off");
                }
            }
            return hook.bytes;
        } catch (RuntimeException | LinkageError e) {
            console.println("safeload: warning: cannot hook " + internalName.replace('/', '.') + ": " + e
                    + "; every stream is still checked by the filter, but this hook's extra checks are off");
            return null;
        }
    }

    private static Hook edit(byte[] bytes, java.util.List<Site> sites) {
        return edit(bytes, sites, false);
    }

    /**
     * Edits {@code bytes}; with {@code withoutFrames}, for code that came with none, writes none.
     * Only the sites' methods go through ASM, and the rest of the class is left byte for byte
     * ({@link AsmCodeGraft}): its constant pool is never decoded.
     */
    private static Hook edit(byte[] bytes, java.util.List<Site> sites, boolean withoutFrames) {
        ClassFileLayout layout = new ClassFileLayout(bytes);
        Set<Site> found = java.util.EnumSet.noneOf(Site.class);
        java.util.List<Site> toEdit = new java.util.ArrayList<>();
        java.util.List<Integer> methods = new java.util.ArrayList<>();
        for (int method : layout.methods) { // in class file order, as the graft copies
            for (Site site : sites) {
                if (!found.contains(site) && layout.named(method, site.method, site.descriptor)
                        && (layout.u2(method) & Opcodes.ACC_ABSTRACT) == 0) {
                    found.add(site);
                    if (declaresAll(layout, site.fields)) {
                        toEdit.add(site);
                        methods.add(method);
                    }
                }
            }
        }
        ClassWriter writer = toEdit.isEmpty() ? null : AsmCodeGraft.writer();
        Hook hook = new Hook(writer == null || !withoutFrames ? writer : new NoFrames(writer), toEdit, found);
        if (writer == null) {
            return hook;
        }
        int[] offsets = new int[methods.size()];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = methods.get(i);
        }
        new ClassReader(AsmCodeGraft.methodsOnly(layout, offsets)).accept(hook, ClassReader.EXPAND_FRAMES);
        if (!hook.edited.isEmpty()) {
            boolean[] replace = new boolean[offsets.length];
            for (int i = 0; i < replace.length; i++) {
                replace[i] = hook.edited.contains(toEdit.get(i)); // a missed edit keeps the original code
            }
            hook.bytes = AsmCodeGraft.graft(layout, offsets, replace, writer.toByteArray());
        }
        return hook;
    }

    /** Whether the class declares every field of {@code fields} ({@code name:descriptor}). */
    private static boolean declaresAll(ClassFileLayout layout, Set<String> fields) {
        for (String field : fields) {
            int colon = field.indexOf(':');
            boolean declared = false;
            for (int at : layout.fields) {
                if (layout.named(at, field.substring(0, colon), field.substring(colon + 1))) {
                    declared = true;
                    break;
                }
            }
            if (!declared) {
                return false;
            }
        }
        return true;
    }

    /** Drops every stack map frame on the way to the writer. */
    private static final class NoFrames extends ClassVisitor {
        NoFrames(ClassVisitor next) {
            super(Opcodes.ASM9, next);
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] exceptions) {
            return new MethodVisitor(Opcodes.ASM9, super.visitMethod(access, name, desc, signature, exceptions)) {
                @Override
                public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
                    // dropped
                }
            };
        }
    }

    /**
     * Edits the sites' methods, read from a class cut down to them, in the order given. The
     * writer is told no signature or exceptions: only the code is grafted back, and the method's
     * other attributes stay as they were.
     */
    private static final class Hook extends ClassVisitor {
        private final java.util.List<Site> sites;
        private int next;
        final Set<Site> found;
        final Set<Site> edited = java.util.EnumSet.noneOf(Site.class);
        final Set<Site> missed = java.util.EnumSet.noneOf(Site.class);
        /** The edited class, or null when no method was edited. */
        byte[] bytes;
        /** No edited method had a stack map frame: the bytes came from a JVM that dropped them. */
        boolean unframed = true;

        /** An edit that found no place for its code; a class, not a lambda: this runs in premain. */
        private final class Missed implements Runnable {
            private final Site site;

            Missed(Site site) {
                this.site = site;
            }

            @Override
            public void run() {
                edited.remove(site);
                missed.add(site);
            }
        }

        /** Notes that the method's code came with frames, before the edit sees them. */
        private final class Framed extends MethodVisitor {
            Framed(MethodVisitor edit) {
                super(Opcodes.ASM9, edit);
            }

            @Override
            public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
                unframed = false;
                super.visitFrame(type, numLocal, local, numStack, stack);
            }
        }

        /** {@code next} is null when no site is to be edited: nothing is read then. */
        Hook(ClassVisitor next, java.util.List<Site> sites, Set<Site> found) {
            super(Opcodes.ASM9, next);
            this.sites = sites;
            this.found = found;
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] exceptions) {
            Site site = sites.get(next++);
            if (!name.equals(site.method) || !desc.equals(site.descriptor)) {
                throw new IllegalStateException("methods out of order: " + name + desc + " for " + site);
            }
            edited.add(site);
            return new Framed(site.edit(super.visitMethod(access, name, desc, null, null), new Missed(site)));
        }
    }

    /**
     * Runs {@link #atEntry} before the original code and routes every return through one exit
     * block. Frames are the expanded kind, since the reader expands the original ones. The
     * exit frames list only the parameters: each original return has at least those, unchanged.
     */
    private abstract static class Edit extends MethodVisitor {
        /** The parameter slots, as stack map frame entries; the method never writes to them. */
        final Object[] params;
        final Label exit = new Label();
        private final int returnOpcode;
        private boolean started;

        Edit(MethodVisitor next, Object[] params, int returnOpcode) {
            super(Opcodes.ASM9, next);
            this.params = params;
            this.returnOpcode = returnOpcode;
        }

        /** Inserted before the original code; its frames may use {@link #params}. */
        abstract void atEntry();

        /** Called once the method's own try/catch blocks are declared, so any added here come last. */
        void beforeFirstInstruction() {
        }

        /** The exit block, entered with the return value (if any) on the stack; must end in the return. */
        abstract void atExit();

        private void start() {
            if (!started) {
                started = true;
                beforeFirstInstruction();
                atEntry();
            }
        }

        void frame(Object... stack) {
            super.visitFrame(Opcodes.F_NEW, params.length, params, stack.length, stack);
        }

        @Override
        public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
            start();
            super.visitFrame(type, numLocal, local, numStack, stack);
        }

        @Override
        public void visitLabel(Label label) {
            start();
            super.visitLabel(label);
        }

        @Override
        public void visitLineNumber(int line, Label start) {
            start();
            super.visitLineNumber(line, start);
        }

        @Override
        public void visitInsn(int opcode) {
            start();
            if (opcode == returnOpcode) {
                super.visitJumpInsn(Opcodes.GOTO, exit);
            } else {
                super.visitInsn(opcode);
            }
        }

        @Override
        public void visitIntInsn(int opcode, int operand) {
            start();
            super.visitIntInsn(opcode, operand);
        }

        @Override
        public void visitVarInsn(int opcode, int varIndex) {
            start();
            super.visitVarInsn(opcode, varIndex);
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            start();
            super.visitTypeInsn(opcode, type);
        }

        @Override
        public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
            start();
            super.visitFieldInsn(opcode, owner, name, descriptor);
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            start();
            super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
        }

        @Override
        public void visitInvokeDynamicInsn(String name, String descriptor, Handle bsm,
                                           Object... bsmArgs) {
            start();
            super.visitInvokeDynamicInsn(name, descriptor, bsm, bsmArgs);
        }

        @Override
        public void visitJumpInsn(int opcode, Label label) {
            start();
            super.visitJumpInsn(opcode, label);
        }

        @Override
        public void visitLdcInsn(Object value) {
            start();
            super.visitLdcInsn(value);
        }

        @Override
        public void visitIincInsn(int varIndex, int increment) {
            start();
            super.visitIincInsn(varIndex, increment);
        }

        @Override
        public void visitTableSwitchInsn(int min, int max, Label dflt,
                                         Label... labels) {
            start();
            super.visitTableSwitchInsn(min, max, dflt, labels);
        }

        @Override
        public void visitLookupSwitchInsn(Label dflt, int[] keys,
                                          Label[] labels) {
            start();
            super.visitLookupSwitchInsn(dflt, keys, labels);
        }

        @Override
        public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
            start();
            super.visitMultiANewArrayInsn(descriptor, numDimensions);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            start();
            if (returnOpcode >= 0) {
                beforeExit();
                super.visitLabel(exit);
                atExit();
            }
            // The inserted code needs at most eight stack slots above what the method had.
            super.visitMaxs(maxStack + 8, maxLocals);
        }

        /** Right after the original code, before the exit block. */
        void beforeExit() {
        }
    }

    /** {@code readObject0(Class, boolean)}: top-level reads tell the guard +1 on entry and -1 on exit. */
    private static final class ReadObjectEdit extends Edit {
        private static final String INTERNAL_NAME = OBJECT_INPUT_STREAM;
        private final Label tryStart = new Label();
        private final Label tryEnd = new Label();
        private final Label handler = new Label();

        ReadObjectEdit(MethodVisitor next) {
            super(next, new Object[] {INTERNAL_NAME, "java/lang/Class", Opcodes.INTEGER}, Opcodes.ARETURN);
        }

        @Override
        void beforeFirstInstruction() {
            // Declared after the method's own handlers, so it only sees what they let through.
            mv.visitTryCatchBlock(tryStart, tryEnd, handler, null);
        }

        @Override
        void atEntry() {
            Label body = new Label();
            Label unguarded = new Label();
            Label notOurs = new Label();
            topLevelOrJump(body);
            guardOrJump(unguarded);
            tell(1);
            mv.visitJumpInsn(Opcodes.GOTO, body);

            // A stream created before the agent was attached: give it the guard its constructor
            // would have got, the installed factory applied to (no filter, its current filter).
            mv.visitLabel(unguarded);
            frame();
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, FILTER_CONFIG, "getSerialFilterFactory",
                    "()Ljava/util/function/BinaryOperator;", false);
            mv.visitInsn(Opcodes.DUP);
            mv.visitTypeInsn(Opcodes.INSTANCEOF, PREDICATE);
            mv.visitJumpInsn(Opcodes.IFEQ, notOurs);
            mv.visitInsn(Opcodes.ACONST_NULL);
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitFieldInsn(Opcodes.GETFIELD, INTERNAL_NAME, "serialFilter", FILTER_DESC);
            mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, BINARY_OPERATOR, "apply",
                    "(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;", true);
            mv.visitTypeInsn(Opcodes.CHECKCAST, FILTER);
            mv.visitFieldInsn(Opcodes.PUTFIELD, INTERNAL_NAME, "serialFilter", FILTER_DESC);
            guardOrJump(body);
            tell(1);
            mv.visitJumpInsn(Opcodes.GOTO, body);

            mv.visitLabel(notOurs);
            frame(INTERNAL_NAME, BINARY_OPERATOR);
            mv.visitInsn(Opcodes.POP2);

            mv.visitLabel(body);
            frame();
            // The original code may open with a frame of its own; two at one offset are invalid.
            mv.visitInsn(Opcodes.NOP);
            mv.visitLabel(tryStart);
        }

        @Override
        void beforeExit() {
            mv.visitLabel(tryEnd);
        }

        @Override
        void atExit() {
            frame("java/lang/Object");
            exitCode("java/lang/Object");
            mv.visitInsn(Opcodes.ARETURN);
            mv.visitLabel(handler);
            frame("java/lang/Throwable");
            exitCode("java/lang/Throwable");
            mv.visitInsn(Opcodes.ATHROW);
        }

        private void exitCode(String onStack) {
            Label done = new Label();
            topLevelOrJump(done);
            guardOrJump(done);
            tell(-1);
            mv.visitLabel(done);
            frame(onStack);
        }

        /** Jumps unless this is a top-level read: nested reads of the same stream are not counted. */
        private void topLevelOrJump(Label target) {
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitFieldInsn(Opcodes.GETFIELD, INTERNAL_NAME, "depth", "J");
            mv.visitInsn(Opcodes.LCONST_0);
            mv.visitInsn(Opcodes.LCMP);
            mv.visitJumpInsn(Opcodes.IFNE, target);
        }

        /** Jumps unless the stream's filter is the agent's guard. */
        private void guardOrJump(Label target) {
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitFieldInsn(Opcodes.GETFIELD, INTERNAL_NAME, "serialFilter", FILTER_DESC);
            mv.visitTypeInsn(Opcodes.INSTANCEOF, INT_CONSUMER);
            mv.visitJumpInsn(Opcodes.IFEQ, target);
        }

        private void tell(int delta) {
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitFieldInsn(Opcodes.GETFIELD, INTERNAL_NAME, "serialFilter", FILTER_DESC);
            mv.visitTypeInsn(Opcodes.CHECKCAST, INT_CONSUMER);
            mv.visitInsn(delta > 0 ? Opcodes.ICONST_1 : Opcodes.ICONST_M1);
            mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, INT_CONSUMER, "accept", "(I)V", true);
        }
    }

    /**
     * {@code ObjectInputStream.filterCheck(Class, int)}: every checkpoint first tells the guard
     * ({@code LongBinaryOperator}) where the stream stands, packed in two longs: the next handle
     * and, for a back-reference, the handle it refers to; the depth, the reference count and
     * whether this is a back-reference. From that the guard measures how far the graph expands
     * through shared references (a hash bomb's cost). It answers 0 to skip the JDK's filter
     * call with its {@code FilterInfo}, which it does only for a back-reference within the
     * limits and with no host filter for the stream; otherwise the JDK's full check runs.
     */
    private static final class FilterCheckEdit extends Edit {

        FilterCheckEdit(MethodVisitor next) {
            super(next, new Object[] {OBJECT_INPUT_STREAM, "java/lang/Class", Opcodes.INTEGER}, -1);
        }

        @Override
        void atEntry() {
            Label original = new Label();
            Label packed = new Label();
            // A subclass that overrides readObject (XStream's CustomObjectInputStream) has no
            // handle table; Hashtable.readObject still calls checkArray on it. The JDK's own
            // filter call below copes with that stream, as it does without the agent.
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitFieldInsn(Opcodes.GETFIELD, OBJECT_INPUT_STREAM, "handles", "L" + HANDLE_TABLE + ";");
            mv.visitJumpInsn(Opcodes.IFNULL, original);
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitFieldInsn(Opcodes.GETFIELD, OBJECT_INPUT_STREAM, "serialFilter", FILTER_DESC);
            mv.visitTypeInsn(Opcodes.INSTANCEOF, LONG_BINARY_OPERATOR);
            mv.visitJumpInsn(Opcodes.IFEQ, original);
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitFieldInsn(Opcodes.GETFIELD, OBJECT_INPUT_STREAM, "serialFilter", FILTER_DESC);
            mv.visitTypeInsn(Opcodes.CHECKCAST, LONG_BINARY_OPERATOR);
            // (handles.size() << 32) | (passHandle & 0xFFFFFFFF)
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitFieldInsn(Opcodes.GETFIELD, OBJECT_INPUT_STREAM, "handles", "L" + HANDLE_TABLE + ";");
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, HANDLE_TABLE, "size", "()I", false);
            mv.visitInsn(Opcodes.I2L);
            mv.visitIntInsn(Opcodes.BIPUSH, 32);
            mv.visitInsn(Opcodes.LSHL);
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitFieldInsn(Opcodes.GETFIELD, OBJECT_INPUT_STREAM, "passHandle", "I");
            mv.visitInsn(Opcodes.I2L);
            mv.visitLdcInsn(0xFFFF_FFFFL);
            mv.visitInsn(Opcodes.LAND);
            mv.visitInsn(Opcodes.LOR);
            // (depth << 40) | totalObjectRefs
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitFieldInsn(Opcodes.GETFIELD, OBJECT_INPUT_STREAM, "depth", "J");
            mv.visitIntInsn(Opcodes.BIPUSH, 40);
            mv.visitInsn(Opcodes.LSHL);
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitFieldInsn(Opcodes.GETFIELD, OBJECT_INPUT_STREAM, "totalObjectRefs", "J");
            mv.visitInsn(Opcodes.LOR);
            // bit 62 for an array length, bit 63 for a back-reference (no class, no length)
            Label noLength = new Label();
            mv.visitVarInsn(Opcodes.ILOAD, 2);
            mv.visitJumpInsn(Opcodes.IFLT, noLength);
            mv.visitLdcInsn(1L << 62);
            mv.visitInsn(Opcodes.LOR);
            mv.visitJumpInsn(Opcodes.GOTO, packed);
            mv.visitLabel(noLength);
            frame(LONG_BINARY_OPERATOR, Opcodes.LONG, Opcodes.LONG);
            mv.visitVarInsn(Opcodes.ALOAD, 1);
            mv.visitJumpInsn(Opcodes.IFNONNULL, packed);
            mv.visitLdcInsn(Long.MIN_VALUE);
            mv.visitInsn(Opcodes.LOR);
            // bit 61 when the back-reference names a class descriptor
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitFieldInsn(Opcodes.GETFIELD, OBJECT_INPUT_STREAM, "handles", "L" + HANDLE_TABLE + ";");
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitFieldInsn(Opcodes.GETFIELD, OBJECT_INPUT_STREAM, "passHandle", "I");
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, HANDLE_TABLE, "lookupObject", "(I)Ljava/lang/Object;", false);
            mv.visitTypeInsn(Opcodes.INSTANCEOF, OBJECT_STREAM_CLASS);
            mv.visitJumpInsn(Opcodes.IFEQ, packed);
            mv.visitLdcInsn(1L << 61);
            mv.visitInsn(Opcodes.LOR);
            mv.visitLabel(packed);
            frame(LONG_BINARY_OPERATOR, Opcodes.LONG, Opcodes.LONG);
            mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, LONG_BINARY_OPERATOR, "applyAsLong", "(JJ)J", true);
            mv.visitInsn(Opcodes.LCONST_0);
            mv.visitInsn(Opcodes.LCMP);
            mv.visitJumpInsn(Opcodes.IFNE, original);
            mv.visitInsn(Opcodes.RETURN);
            mv.visitLabel(original);
            frame();
            mv.visitInsn(Opcodes.NOP); // never two frames at one offset
        }

        @Override
        void atExit() {
            // Never called: returns are left alone.
        }
    }

    /** {@code ObjectStreamClass.readNonProxy(ObjectInputStream)}: on return, the name goes to the guard. */
    private static final class ReadNonProxyEdit extends Edit {

        ReadNonProxyEdit(MethodVisitor next) {
            super(next, new Object[] {OBJECT_STREAM_CLASS, OBJECT_INPUT_STREAM}, Opcodes.RETURN);
        }

        @Override
        void atEntry() {
        }

        @Override
        void atExit() {
            Label done = new Label();
            Label notOurs = new Label();
            Label call = new Label();
            frame();
            mv.visitVarInsn(Opcodes.ALOAD, 1);
            mv.visitJumpInsn(Opcodes.IFNULL, done);
            mv.visitVarInsn(Opcodes.ALOAD, 1);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, OBJECT_INPUT_STREAM, "getObjectInputFilter",
                    "()" + FILTER_DESC, false);
            mv.visitInsn(Opcodes.DUP);
            mv.visitTypeInsn(Opcodes.INSTANCEOF, OBJ_INT_CONSUMER);
            mv.visitJumpInsn(Opcodes.IFEQ, notOurs);
            mv.visitTypeInsn(Opcodes.CHECKCAST, OBJ_INT_CONSUMER);
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitFieldInsn(Opcodes.GETFIELD, OBJECT_STREAM_CLASS, "name", "Ljava/lang/String;");
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitFieldInsn(Opcodes.GETFIELD, OBJECT_STREAM_CLASS, "isEnum", "Z"); // ENUM_FLAG is 1
            mv.visitVarInsn(Opcodes.ALOAD, 1);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/Object", "getClass", "()Ljava/lang/Class;", false);
            mv.visitLdcInsn(Type.getObjectType(OBJECT_INPUT_STREAM));
            mv.visitJumpInsn(Opcodes.IF_ACMPEQ, call);
            mv.visitIntInsn(Opcodes.BIPUSH, SUBCLASS_FLAG);
            mv.visitInsn(Opcodes.IOR);
            mv.visitLabel(call);
            frame(OBJ_INT_CONSUMER, "java/lang/String", Opcodes.INTEGER);
            mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, OBJ_INT_CONSUMER, "accept", "(Ljava/lang/Object;I)V", true);
            mv.visitJumpInsn(Opcodes.GOTO, done);
            mv.visitLabel(notOurs);
            frame(FILTER);
            mv.visitInsn(Opcodes.POP);
            mv.visitLabel(done);
            frame();
            mv.visitInsn(Opcodes.RETURN);
        }
    }

    /**
     * {@code ObjectInputStream()}, the constructor of a subclass that overrides {@code readObject}:
     * on return, tells the guard ({@code IntConsumer}, -2) that such a stream was made.
     */
    private static final class OverridingStreamEdit extends Edit {

        OverridingStreamEdit(MethodVisitor next) {
            super(next, new Object[] {OBJECT_INPUT_STREAM}, Opcodes.RETURN);
        }

        @Override
        void atEntry() {
        }

        @Override
        void atExit() {
            Label done = new Label();
            frame();
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitFieldInsn(Opcodes.GETFIELD, OBJECT_INPUT_STREAM, "serialFilter", FILTER_DESC);
            mv.visitTypeInsn(Opcodes.INSTANCEOF, INT_CONSUMER);
            mv.visitJumpInsn(Opcodes.IFEQ, done);
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitFieldInsn(Opcodes.GETFIELD, OBJECT_INPUT_STREAM, "serialFilter", FILTER_DESC);
            mv.visitTypeInsn(Opcodes.CHECKCAST, INT_CONSUMER);
            mv.visitIntInsn(Opcodes.BIPUSH, -2);
            mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, INT_CONSUMER, "accept", "(I)V", true);
            mv.visitLabel(done);
            frame();
            mv.visitInsn(Opcodes.RETURN);
        }
    }

    /**
     * {@code ObjectInputStream.readProxyDesc(boolean)}: right before the call to
     * {@code resolveProxyClass(String[])}, the names go to the guard ({@code Consumer}), which
     * refuses a forbidden one before the JDK (or a subclass such as Commons IO's or Spring's)
     * generates the proxy class. The call sits mid-method, so the frames of the inserted branch
     * need the locals and stack there: they are tracked from the method's last frame through the
     * few instructions between; anything else on that stretch leaves the method unchanged and
     * the hook reported as missing.
     */
    private static final class ReadProxyDescEdit extends MethodVisitor {
        private final Runnable missed;
        private java.util.List<Object> locals;
        private java.util.List<Object> stack;
        private boolean applied;

        ReadProxyDescEdit(MethodVisitor next, Runnable missed) {
            super(Opcodes.ASM9, next);
            this.missed = missed;
        }

        private void unknown() {
            locals = null;
            stack = null;
        }

        private boolean known() {
            return locals != null && stack != null;
        }

        private Object pop() {
            return stack.isEmpty() ? null : stack.remove(stack.size() - 1);
        }

        @Override
        public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stackTypes) {
            super.visitFrame(type, numLocal, local, numStack, stackTypes);
            locals = new java.util.ArrayList<>(java.util.Arrays.asList(local).subList(0, numLocal));
            stack = new java.util.ArrayList<>(java.util.Arrays.asList(stackTypes).subList(0, numStack));
            // Long and double take two slots but one frame entry: keep slot arithmetic simple.
            if (locals.contains(Opcodes.LONG) || locals.contains(Opcodes.DOUBLE)
                    || stack.contains(Opcodes.LONG) || stack.contains(Opcodes.DOUBLE)) {
                unknown();
            }
        }

        @Override
        public void visitInsn(int opcode) {
            if (known()) {
                if (opcode == Opcodes.ACONST_NULL) {
                    stack.add(Opcodes.NULL);
                } else if (opcode >= Opcodes.ICONST_M1 && opcode <= Opcodes.ICONST_5) {
                    stack.add(Opcodes.INTEGER);
                } else if (opcode == Opcodes.POP && pop() != null) {
                    // popped
                } else {
                    unknown();
                }
            }
            super.visitInsn(opcode);
        }

        @Override
        public void visitVarInsn(int opcode, int slot) {
            if (known()) {
                if (opcode == Opcodes.ALOAD && slot < locals.size()) {
                    stack.add(locals.get(slot));
                } else if (opcode == Opcodes.ILOAD) {
                    stack.add(Opcodes.INTEGER);
                } else if ((opcode == Opcodes.ASTORE || opcode == Opcodes.ISTORE) && !stack.isEmpty()) {
                    while (locals.size() <= slot) {
                        locals.add(Opcodes.TOP);
                    }
                    locals.set(slot, pop());
                } else {
                    unknown();
                }
            }
            super.visitVarInsn(opcode, slot);
        }

        @Override
        public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
            if (known()) {
                Object type = frameType(Type.getType(descriptor));
                if (opcode == Opcodes.GETFIELD && pop() != null && type != null) {
                    stack.add(type);
                } else {
                    unknown();
                }
            }
            super.visitFieldInsn(opcode, owner, name, descriptor);
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            if (known() && opcode == Opcodes.INVOKEVIRTUAL && owner.equals(OBJECT_INPUT_STREAM)
                    && name.equals("resolveProxyClass") && descriptor.equals("([Ljava/lang/String;)Ljava/lang/Class;")
                    && stack.size() >= 2 && "[Ljava/lang/String;".equals(stack.get(stack.size() - 1))
                    && !applied) {
                checkNames();
                applied = true;
            }
            if (known() && opcode != Opcodes.INVOKEDYNAMIC) {
                Type method = Type.getMethodType(descriptor);
                int pops = method.getArgumentTypes().length + (opcode == Opcodes.INVOKESTATIC ? 0 : 1);
                for (int i = 0; i < pops && stack != null; i++) {
                    if (pop() == null) {
                        unknown();
                    }
                }
                if (known() && method.getReturnType().getSort() != Type.VOID) {
                    Object type = frameType(method.getReturnType());
                    if (type == null) {
                        unknown();
                    } else {
                        stack.add(type);
                    }
                }
            } else {
                unknown();
            }
            super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
        }

        /** Stack: ..., stream, names. Hands the names to the stream's guard, if it has one. */
        private void checkNames() {
            Object[] frameLocals = locals.toArray();
            Object[] atCall = stack.toArray();
            Object[] withFilter = java.util.Arrays.copyOf(atCall, atCall.length + 2);
            withFilter[atCall.length] = "[Ljava/lang/String;";
            withFilter[atCall.length + 1] = FILTER;
            Label notOurs = new Label();
            Label call = new Label();
            mv.visitInsn(Opcodes.DUP);
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitFieldInsn(Opcodes.GETFIELD, OBJECT_INPUT_STREAM, "serialFilter", FILTER_DESC);
            mv.visitInsn(Opcodes.DUP);
            mv.visitTypeInsn(Opcodes.INSTANCEOF, CONSUMER);
            mv.visitJumpInsn(Opcodes.IFEQ, notOurs);
            mv.visitTypeInsn(Opcodes.CHECKCAST, CONSUMER);
            mv.visitInsn(Opcodes.SWAP);
            mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, CONSUMER, "accept", "(Ljava/lang/Object;)V", true);
            mv.visitJumpInsn(Opcodes.GOTO, call);
            mv.visitLabel(notOurs);
            mv.visitFrame(Opcodes.F_NEW, frameLocals.length, frameLocals, withFilter.length, withFilter);
            mv.visitInsn(Opcodes.POP2);
            mv.visitLabel(call);
            mv.visitFrame(Opcodes.F_NEW, frameLocals.length, frameLocals, atCall.length, atCall);
        }

        /** The stack map entry for a value of {@code type}, or null for long and double. */
        private static Object frameType(Type type) {
            return switch (type.getSort()) {
                case Type.BOOLEAN, Type.BYTE, Type.CHAR, Type.SHORT, Type.INT -> Opcodes.INTEGER;
                case Type.FLOAT -> Opcodes.FLOAT;
                case Type.OBJECT, Type.ARRAY -> type.getInternalName();
                default -> null;
            };
        }

        @Override
        public void visitJumpInsn(int opcode, Label label) {
            unknown();
            super.visitJumpInsn(opcode, label);
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            unknown();
            super.visitTypeInsn(opcode, type);
        }

        @Override
        public void visitIntInsn(int opcode, int operand) {
            unknown();
            super.visitIntInsn(opcode, operand);
        }

        @Override
        public void visitLdcInsn(Object value) {
            unknown();
            super.visitLdcInsn(value);
        }

        @Override
        public void visitIincInsn(int slot, int increment) {
            unknown();
            super.visitIincInsn(slot, increment);
        }

        @Override
        public void visitInvokeDynamicInsn(String name, String descriptor, Handle bsm, Object... bsmArgs) {
            unknown();
            super.visitInvokeDynamicInsn(name, descriptor, bsm, bsmArgs);
        }

        @Override
        public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
            unknown();
            super.visitTableSwitchInsn(min, max, dflt, labels);
        }

        @Override
        public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
            unknown();
            super.visitLookupSwitchInsn(dflt, keys, labels);
        }

        @Override
        public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
            unknown();
            super.visitMultiANewArrayInsn(descriptor, numDimensions);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            super.visitMaxs(maxStack + 3, maxLocals); // the names, the filter and its copy
        }

        @Override
        public void visitEnd() {
            if (!applied) {
                missed.run();
            }
            super.visitEnd();
        }
    }

    /** {@code Config.setSerialFilterFactory(BinaryOperator)}: the agent's gate may adopt the host's factory. */
    private static final class SetFactoryEdit extends Edit {

        SetFactoryEdit(MethodVisitor next) {
            super(next, new Object[] {BINARY_OPERATOR}, -1);
        }

        @Override
        void atEntry() {
            Label original = new Label();
            Label notOurs = new Label();
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitJumpInsn(Opcodes.IFNULL, original);
            // The field, not getSerialFilterFactory(), which would lock the factory as a side effect.
            mv.visitFieldInsn(Opcodes.GETSTATIC, FILTER_CONFIG, "serialFilterFactory",
                    "Ljava/util/function/BinaryOperator;");
            mv.visitInsn(Opcodes.DUP);
            mv.visitTypeInsn(Opcodes.INSTANCEOF, PREDICATE);
            mv.visitJumpInsn(Opcodes.IFEQ, notOurs);
            mv.visitTypeInsn(Opcodes.CHECKCAST, PREDICATE);
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, PREDICATE, "test", "(Ljava/lang/Object;)Z", true);
            mv.visitJumpInsn(Opcodes.IFEQ, original);
            mv.visitInsn(Opcodes.RETURN); // adopted: the JDK's method, which would throw, is skipped
            mv.visitLabel(notOurs);
            frame(BINARY_OPERATOR);
            mv.visitInsn(Opcodes.POP);
            mv.visitLabel(original);
            frame();
            mv.visitInsn(Opcodes.NOP); // as in readObject0: never two frames at one offset
        }

        @Override
        void atExit() {
            // Never called: returns are left alone (the return opcode -1 matches none).
        }
    }
}
