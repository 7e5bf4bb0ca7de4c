package dev.safeload.instrument.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.instrument.jdk.CodeEditor.Label;
import dev.safeload.instrument.jdk.CodeEditor.Snippet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

/**
 * The byte editor on its own: what it refuses (a branch that would need a wide jump), the
 * retransformation paths against the ASM oracle, and edits of a method full of what names an
 * offset (both switches, a handler, line and local variable tables, frames with an uninitialized
 * object) that a real JVM loads, verifies and runs, with the same results as the method unedited.
 */
class CodeEditorTest {

    private static final String[] CLASSES = {JdkHooks.OBJECT_INPUT_STREAM, JdkHooks.OBJECT_STREAM_CLASS,
            JdkHooks.FILTER_CONFIG, JdkHooks.HASHTABLE};

    private static byte[] jdkClass(String internalName) throws IOException {
        return Files.readAllBytes(FileSystems.getFileSystem(URI.create("jrt:/"))
                .getPath("modules/java.base/" + internalName + ".class"));
    }

    /** {@code internalName} through ASM with no frames, its pool in a new order, one field renamed (or none). */
    private static byte[] rewritten(String internalName, String renamedField) throws IOException {
        ClassReader reader = new ClassReader(jdkClass(internalName));
        ClassWriter writer = new ClassWriter(0);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
                return super.visitField(access, name.equals(renamedField) ? name + "2" : name, descriptor, signature, value);
            }
        }, ClassReader.SKIP_FRAMES);
        return writer.toByteArray();
    }

    private static PrintStream to(ByteArrayOutputStream console) {
        return new PrintStream(console, true, StandardCharsets.UTF_8);
    }

    /**
     * Retransformed on JDK 17, the bytes come without frames and with the pool reordered: the
     * byte editor takes the runtime image's class file exactly when the ASM path did, and edits
     * it the same way.
     */
    @Test
    void framelessBytesAreEditedAsTheAsmPathEditsThem() throws IOException {
        for (String name : CLASSES) {
            byte[] unframed = rewritten(name, "none");
            assertNotNull(FramedOriginal.of(name, unframed), name);
            assertNotNull(AsmFramedOriginal.of(name, unframed), name);
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            byte[] edited = new JdkHooks(to(console)).rewrite(name, unframed);
            byte[] oracle = new AsmJdkHooks(to(console)).rewrite(name, unframed);
            assertEquals(CodeGraftTest.members(oracle), CodeGraftTest.members(edited), name);
            assertEquals("", console.toString(StandardCharsets.UTF_8));
        }
    }

    /**
     * Bytes without frames that differ from the runtime image (another agent renamed a field):
     * neither path swaps in the image's class file, and both write the same frameless edits.
     */
    @Test
    void framelessBytesThatDifferFromTheImageAreEditedAsTheAsmPathEditsThem() throws IOException {
        byte[] unframed = rewritten(JdkHooks.OBJECT_INPUT_STREAM, "bin");
        assertNull(FramedOriginal.of(JdkHooks.OBJECT_INPUT_STREAM, unframed));
        assertNull(AsmFramedOriginal.of(JdkHooks.OBJECT_INPUT_STREAM, unframed));
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        ByteArrayOutputStream oracleConsole = new ByteArrayOutputStream();
        JdkHooks hooks = new JdkHooks(to(console));
        AsmJdkHooks oracleHooks = new AsmJdkHooks(to(oracleConsole));
        byte[] edited = hooks.rewrite(JdkHooks.OBJECT_INPUT_STREAM, unframed);
        byte[] oracle = oracleHooks.rewrite(JdkHooks.OBJECT_INPUT_STREAM, unframed);
        assertEquals(CodeGraftTest.members(oracle), CodeGraftTest.members(edited));
        assertEquals(oracleHooks.hooked(), hooks.hooked());
        assertEquals(oracleConsole.toString(StandardCharsets.UTF_8), console.toString(StandardCharsets.UTF_8));
    }

    /** One instruction changed in one method: the code differs, and the image's class file is not used. */
    @Test
    void framedOriginalRefusesBytesWhoseCodeDiffers() throws IOException {
        ClassReader reader = new ClassReader(jdkClass(JdkHooks.HASHTABLE));
        ClassWriter writer = new ClassWriter(0);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, desc, signature, exceptions);
                return !name.equals("size") ? mv : new MethodVisitor(Opcodes.ASM9, mv) {
                    @Override
                    public void visitFieldInsn(int opcode, String owner, String field, String descriptor) {
                        super.visitFieldInsn(opcode, owner, field.equals("count") ? "modCount" : field, descriptor);
                    }
                };
            }
        }, ClassReader.SKIP_FRAMES);
        byte[] changed = writer.toByteArray();
        assertNull(FramedOriginal.of(JdkHooks.HASHTABLE, changed));
        assertNull(AsmFramedOriginal.of(JdkHooks.HASHTABLE, changed));
        assertNotEquals(FramedOriginal.code(jdkClass(JdkHooks.HASHTABLE)), FramedOriginal.code(changed));
    }

    /**
     * {@code ObjectStreamClass} whose {@code readNonProxy} opens with {@code if (in == null) return;}
     * and then {@code nops} no-ops: that return lies as far from the exit block the edit appends.
     */
    private static byte[] paddedReadNonProxy(int nops) throws IOException {
        ClassReader reader = new ClassReader(jdkClass(JdkHooks.OBJECT_STREAM_CLASS));
        ClassWriter writer = new ClassWriter(reader, 0);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, desc, signature, exceptions);
                return !name.equals("readNonProxy") ? mv : new MethodVisitor(Opcodes.ASM9, mv) {
                    @Override
                    public void visitCode() {
                        super.visitCode();
                        net.bytebuddy.jar.asm.Label go = new net.bytebuddy.jar.asm.Label();
                        super.visitVarInsn(Opcodes.ALOAD, 1);
                        super.visitJumpInsn(Opcodes.IFNONNULL, go);
                        super.visitInsn(Opcodes.RETURN);
                        super.visitLabel(go);
                        super.visitFrame(Opcodes.F_NEW, 2, new Object[] {JdkHooks.OBJECT_STREAM_CLASS,
                                JdkHooks.OBJECT_INPUT_STREAM}, 0, new Object[0]);
                        for (int i = 0; i < nops; i++) {
                            super.visitInsn(Opcodes.NOP);
                        }
                    }
                };
            }
        }, ClassReader.EXPAND_FRAMES);
        return writer.toByteArray();
    }

    /**
     * A return more than 32,767 bytes before the exit block would need {@code goto_w}: the edit
     * is refused with the reason, the class is left as it was, and nothing is thrown. The twin,
     * padded less, is edited.
     */
    @Test
    void refusesABranchThatWouldNeedAWideJump() throws IOException {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        JdkHooks hooks = new JdkHooks(to(console));
        assertNull(hooks.rewrite(JdkHooks.OBJECT_STREAM_CLASS, paddedReadNonProxy(33_000)));
        String warning = console.toString(StandardCharsets.UTF_8);
        assertTrue(warning.contains("cannot hook java.io.ObjectStreamClass.readNonProxy: its code is not shaped"
                + " as the edit expects (a branch would need a wide jump"), warning);
        assertEquals(Set.of(), hooks.hooked());

        ByteArrayOutputStream twinConsole = new ByteArrayOutputStream();
        JdkHooks twin = new JdkHooks(to(twinConsole));
        assertNotNull(twin.rewrite(JdkHooks.OBJECT_STREAM_CLASS, paddedReadNonProxy(30_000)));
        assertEquals(Set.of("java.io.ObjectStreamClass.readNonProxy"), twin.hooked());
        assertEquals("", twinConsole.toString(StandardCharsets.UTF_8));
    }

    @Test
    void refusesCodeItCannotDecode() {
        byte[] bytes = sample();
        ClassFileLayout c = new ClassFileLayout(bytes);
        int method = method(c, "pick");
        int code = c.attribute(method + 6, "Code");
        bytes[code + 14] = (byte) 0xCB; // an opcode the JVM does not define
        CodeEditor.Refused e = assertThrows(CodeEditor.Refused.class,
                () -> new CodeEditor(new ClassFileLayout(bytes), method, new CodeEditor.Constants(c)));
        assertTrue(e.getMessage().contains("unknown opcode 203"), e.getMessage());
    }

    // ---- a method full of what names an offset, edited, loaded and run ----

    private static final String SAMPLE = "dev/safeload/instrument/jdk/EditedSample";

    /**
     * {@code static int pick(int k, String s)}: a tableswitch and a lookupswitch inside a try
     * whose handler returns -1, a {@code new} live across a branch (an uninitialized frame entry),
     * line numbers and a local variable table; javac-like frames computed by ASM.
     */
    private static byte[] sample() {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
        cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, SAMPLE, null, "java/lang/Object", null);
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "pick", "(ILjava/lang/String;)I", null, null);
        mv.visitCode();
        net.bytebuddy.jar.asm.Label start = new net.bytebuddy.jar.asm.Label();
        net.bytebuddy.jar.asm.Label end = new net.bytebuddy.jar.asm.Label();
        net.bytebuddy.jar.asm.Label handler = new net.bytebuddy.jar.asm.Label();
        net.bytebuddy.jar.asm.Label[] cases = new net.bytebuddy.jar.asm.Label[4];
        for (int i = 0; i < cases.length; i++) {
            cases[i] = new net.bytebuddy.jar.asm.Label();
        }
        net.bytebuddy.jar.asm.Label other = new net.bytebuddy.jar.asm.Label();
        net.bytebuddy.jar.asm.Label one = new net.bytebuddy.jar.asm.Label();
        net.bytebuddy.jar.asm.Label hundred = new net.bytebuddy.jar.asm.Label();
        net.bytebuddy.jar.asm.Label none = new net.bytebuddy.jar.asm.Label();
        net.bytebuddy.jar.asm.Label built = new net.bytebuddy.jar.asm.Label();
        net.bytebuddy.jar.asm.Label isNull = new net.bytebuddy.jar.asm.Label();
        mv.visitTryCatchBlock(start, end, handler, "java/lang/RuntimeException");
        mv.visitLabel(start);
        mv.visitLineNumber(10, start);
        mv.visitVarInsn(Opcodes.ILOAD, 0);
        mv.visitTableSwitchInsn(0, 3, other, cases);
        for (int i = 0; i < cases.length; i++) {
            mv.visitLabel(cases[i]);
            mv.visitLineNumber(20 + i, cases[i]);
            mv.visitIntInsn(Opcodes.BIPUSH, 10 * (i + 1));
            mv.visitInsn(Opcodes.IRETURN);
        }
        mv.visitLabel(other);
        // new StringBuilder(s == null ? "" : s): the object is uninitialized across the branch
        mv.visitTypeInsn(Opcodes.NEW, "java/lang/StringBuilder");
        mv.visitInsn(Opcodes.DUP);
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        mv.visitJumpInsn(Opcodes.IFNULL, isNull);
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        mv.visitJumpInsn(Opcodes.GOTO, built);
        mv.visitLabel(isNull);
        mv.visitLdcInsn("");
        mv.visitLabel(built);
        mv.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/StringBuilder", "<init>", "(Ljava/lang/String;)V", false);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/StringBuilder", "length", "()I", false);
        mv.visitLookupSwitchInsn(none, new int[] {1, 100}, new net.bytebuddy.jar.asm.Label[] {one, hundred});
        mv.visitLabel(one);
        mv.visitInsn(Opcodes.ICONST_1);
        mv.visitInsn(Opcodes.IRETURN);
        mv.visitLabel(hundred);
        mv.visitIntInsn(Opcodes.SIPUSH, 100);
        mv.visitInsn(Opcodes.IRETURN);
        mv.visitLabel(none);
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/String", "length", "()I", false);
        mv.visitVarInsn(Opcodes.ILOAD, 0);
        mv.visitInsn(Opcodes.IDIV);
        mv.visitLabel(end);
        mv.visitInsn(Opcodes.IRETURN);
        mv.visitLabel(handler);
        mv.visitInsn(Opcodes.POP);
        mv.visitInsn(Opcodes.ICONST_M1);
        mv.visitInsn(Opcodes.IRETURN);
        mv.visitLocalVariable("k", "I", null, start, handler, 0);
        mv.visitLocalVariable("s", "Ljava/lang/String;", null, start, handler, 1);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    private static int method(ClassFileLayout c, String name) {
        for (int method : c.methods) {
            if (c.utf8Equals(c.u2(method + 2), name)) {
                return method;
            }
        }
        throw new AssertionError(name);
    }

    /** Runs {@code pick} of the class over inputs that take every path, the handler's included. */
    private static String run(byte[] bytes) throws ReflectiveOperationException {
        Class<?> type = new ClassLoader(null) {
            Class<?> define() {
                return defineClass(SAMPLE.replace('/', '.'), bytes, 0, bytes.length);
            }
        }.define();
        Method pick = type.getMethod("pick", int.class, String.class);
        StringBuilder results = new StringBuilder();
        String[] strings = {null, "a", "x".repeat(100), "abcdef"};
        for (int k = -2; k <= 5; k++) {
            for (String s : strings) {
                try {
                    results.append(pick.invoke(null, k, s)).append(' ');
                } catch (InvocationTargetException e) {
                    results.append(e.getCause().getClass().getSimpleName()).append(' ');
                }
            }
        }
        return results.toString();
    }

    /** The edits of readObject0's kind: entry code with a branch, every return through an exit block, a catch-all. */
    private static byte[] edited(byte[] bytes, int padding, boolean midInsert) {
        ClassFileLayout c = new ClassFileLayout(bytes);
        CodeEditor.Constants constants = new CodeEditor.Constants(c);
        int method = method(c, "pick");
        CodeEditor code = new CodeEditor(c, method, constants);
        Object[] params = {CodeEditor.INTEGER, "java/lang/String"};
        Snippet entry = code.snippet();
        Label body = new Label();
        for (int i = 0; i < padding; i++) {
            entry.insn(0);
        }
        entry.varInsn(21, 0).jumpInsn(156, body); // iload k; ifge body
        entry.fieldInsn(178, "java/lang/System", "out", "Ljava/io/PrintStream;").insn(87); // getstatic; pop
        entry.label(body).frame(params).insn(0);
        Label tryStart = new Label();
        entry.label(tryStart);
        code.insert(0, false, entry);
        Label exit = new Label();
        for (int i = 0; i < code.count; i++) {
            if (code.opcodes[i] == 172 && code.kinds[i] == CodeEditor.INSN) { // ireturn
                code.replace(code.offsets[i], code.snippet().jumpInsn(167, exit));
            }
        }
        if (midInsert) {
            // before the lookupswitch, which moves by these three bytes: a branch to it runs them
            for (int i = 0; i < code.count; i++) {
                if (code.opcodes[i] == 171) {
                    code.insert(code.offsets[i], true, code.snippet().insn(0).insn(0).insn(0));
                }
            }
        }
        Label tryEnd = new Label();
        Label handler = new Label();
        Snippet end = code.snippet();
        end.label(tryEnd).label(exit).frame(params, CodeEditor.INTEGER);
        end.insn(4).insn(96).insn(172); // iconst_1; iadd; ireturn
        end.label(handler).frame(params, "java/lang/Throwable");
        end.ldc(7L).insn(88).insn(191); // ldc2_w 7; pop2; athrow
        code.append(end);
        code.addHandler(tryStart, tryEnd, handler, null);
        code.maxStack += 4;
        byte[] written = code.write(true);
        return CodeEditor.graft(c, constants, List.of(code.span()), List.of(written));
    }

    /**
     * Every alignment of the switches after the inserted code (0 to 3 bytes of padding), with and
     * without code inserted right before the lookupswitch: the JVM verifies the edited class (a
     * class loader of its own verifies what it defines), and every result is the unedited one plus
     * the one the exit block adds, the -1 of the method's own handler (a NullPointerException
     * caught) included: every return, the handler's too, went through the exit block.
     */
    @Test
    void editedMethodVerifiesAndRunsAsBeforeAtEveryAlignment() throws ReflectiveOperationException {
        byte[] original = sample();
        String before = run(original);
        StringBuilder expected = new StringBuilder();
        for (String result : before.split(" ")) {
            expected.append(Integer.parseInt(result) + 1).append(' ');
        }
        assertTrue(before.contains("-1 "), "the sample's handler runs: " + before);
        for (int padding = 0; padding < 4; padding++) {
            for (boolean midInsert : new boolean[] {false, true}) {
                byte[] edited = edited(original, padding, midInsert);
                assertEquals(expected.toString(), run(edited), "padding " + padding + ", mid " + midInsert);
                assertNotEquals(CodeGraftTest.members(original), CodeGraftTest.members(edited));
            }
        }
    }
}
