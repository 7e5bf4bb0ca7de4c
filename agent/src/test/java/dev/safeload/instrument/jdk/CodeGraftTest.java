package dev.safeload.instrument.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

/**
 * The byte edits ({@link CodeEditor}, {@link JdkEdits}) against the oracle: the same edits written
 * through ASM ({@link AsmJdkHooks}, the agent's path until session 8, kept in test scope), both by
 * its graft of the edited methods and by a {@code ClassWriter} that copies the class's whole
 * constant pool. Every member of this JDK's hooked classes, read back with its constants
 * resolved, must come out the same all three ways, instruction for instruction, exception
 * handlers, frames, line numbers, local variables and max stack included; and the original
 * constant pool must be kept byte for byte at the front.
 */
class CodeGraftTest {

    private static final String[] CLASSES = {JdkHooks.OBJECT_INPUT_STREAM, JdkHooks.OBJECT_STREAM_CLASS,
            JdkHooks.FILTER_CONFIG, JdkHooks.HASHTABLE};

    private static byte[] jdkClass(String internalName) throws IOException {
        return Files.readAllBytes(FileSystems.getFileSystem(URI.create("jrt:/"))
                .getPath("modules/java.base/" + internalName + ".class"));
    }

    @Test
    void graftedClassesReadTheSameAsTheWholePoolWritersOutput() throws IOException {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        JdkHooks hooks = new JdkHooks(new PrintStream(console, true, StandardCharsets.UTF_8));
        for (String name : CLASSES) {
            byte[] original = jdkClass(name);
            byte[] grafted = hooks.rewrite(name, original);
            assertNotNull(grafted, name);
            byte[] reference = wholePoolEdit(name, original);
            byte[] asmGraft = new AsmJdkHooks(new PrintStream(console, true, StandardCharsets.UTF_8))
                    .rewrite(name, original);

            Map<String, String> actual = members(grafted);
            for (byte[] oracle : new byte[][] {reference, asmGraft}) {
                Map<String, String> expected = members(oracle);
                assertEquals(expected.keySet(), actual.keySet(), name);
                for (String member : expected.keySet()) {
                    assertEquals(expected.get(member), actual.get(member), name + "." + member);
                }
            }
            assertNotEquals(members(original), actual, name + ": the edits were made");

            ClassFileLayout before = new ClassFileLayout(original);
            ClassFileLayout after = new ClassFileLayout(grafted);
            assertTrue(after.poolCount > before.poolCount, name);
            assertTrue(Arrays.equals(original, 10, before.poolEnd, grafted, 10, before.poolEnd),
                    name + ": the original constant pool is kept as it was");
        }
        assertEquals("", console.toString(StandardCharsets.UTF_8));
    }

    /** Only the edited methods' Code attributes change: every other method is the same bytes. */
    @Test
    void leavesEveryOtherMethodByteForByte() throws IOException {
        JdkHooks hooks = new JdkHooks(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        byte[] original = jdkClass(JdkHooks.OBJECT_INPUT_STREAM);
        ClassFileLayout before = new ClassFileLayout(original);
        ClassFileLayout after = new ClassFileLayout(hooks.rewrite(JdkHooks.OBJECT_INPUT_STREAM, original));
        assertEquals(before.methods.length, after.methods.length);
        int same = 0;
        for (int i = 0; i < before.methods.length; i++) {
            int start = before.methods[i];
            int end = before.memberEnd(start);
            byte[] was = Arrays.copyOfRange(original, start, end);
            byte[] is = Arrays.copyOfRange(after.bytes, after.methods[i], after.memberEnd(after.methods[i]));
            if (Arrays.equals(was, is)) {
                same++;
            }
        }
        assertEquals(before.methods.length - 5, same,
                "all but readObject0, filterCheck, readOrdinaryObject, readProxyDesc, <init>()");
    }

    /** A class file cut short is refused with a message, before any edit is tried. */
    @Test
    void refusesATruncatedClassFile() throws IOException {
        byte[] original = jdkClass(JdkHooks.HASHTABLE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ClassFileLayout(Arrays.copyOf(original, original.length - 3)));
        assertNotNull(e.getMessage());
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        JdkHooks hooks = new JdkHooks(new PrintStream(console, true, StandardCharsets.UTF_8));
        assertEquals(null, hooks.rewrite(JdkHooks.HASHTABLE, Arrays.copyOf(original, original.length - 3)));
        assertTrue(console.toString(StandardCharsets.UTF_8).contains("cannot hook java.util.Hashtable"));
        assertFalse(hooks.hooked().contains("java.util.Hashtable.readHashtable"));
    }

    /** The reference: the edits through a writer that copies the constant pool, untouched methods copied as they are. */
    private static byte[] wholePoolEdit(String owner, byte[] bytes) {
        ClassReader reader = new ClassReader(bytes);
        ClassWriter writer = new ClassWriter(reader, 0);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] exceptions) {
                MethodVisitor next = super.visitMethod(access, name, desc, signature, exceptions);
                MethodVisitor edit = AsmJdkHooks.editOf(owner, name, desc, next, () -> {
                    throw new AssertionError(owner + "." + name + " not edited by the reference path");
                });
                return edit == null ? next : edit;
            }
        }, ClassReader.EXPAND_FRAMES);
        return writer.toByteArray();
    }

    /** Every field and method as text, constants resolved, labels numbered in order of appearance. */
    static Map<String, String> members(byte[] bytes) {
        Map<String, String> members = new TreeMap<>();
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
                members.put("", version + " " + access + " " + name + " " + signature + " " + superName + " "
                        + Arrays.toString(interfaces));
            }

            @Override
            public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
                members.put(name + ":" + descriptor, access + " " + signature + " " + value);
                return null;
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] exceptions) {
                return new Text(members, name + desc, access + " " + signature + " " + Arrays.toString(exceptions));
            }
        }, ClassReader.EXPAND_FRAMES);
        return members;
    }

    /** A method's every visit as a line of text: AsmFramedOriginal's instructions, with frames and debug information. */
    private static final class Text extends AsmFramedOriginal.Instructions {

        Text(Map<String, String> members, String key, String header) {
            super(members, key, header);
        }

        @Override
        public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
            add("frame", type, Arrays.copyOf(local, numLocal), Arrays.copyOf(stack, numStack));
        }

        @Override
        public void visitLocalVariable(String name, String descriptor, String signature, Label start, Label end, int index) {
            add("local", name, descriptor, signature, start, end, index);
        }

        @Override
        public void visitLineNumber(int line, Label start) {
            add("line", line, start);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            add("maxs", maxStack, maxLocals);
        }
    }
}
