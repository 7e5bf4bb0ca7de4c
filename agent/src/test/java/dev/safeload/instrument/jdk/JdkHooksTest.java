package dev.safeload.instrument.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.util.Set;
import java.util.function.UnaryOperator;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

/**
 * The edits against this JDK's own class files. That the edited classes verify and behave is
 * proven in forked JVMs (StartupWindowTest runs with -XX:+BytecodeVerificationLocal); this
 * checks which methods get edited, and that an unexpected class is left alone with a warning.
 */
class JdkHooksTest {

    private static byte[] jdkClass(String internalName) throws IOException {
        return Files.readAllBytes(FileSystems.getFileSystem(URI.create("jrt:/"))
                .getPath("modules/java.base/" + internalName + ".class"));
    }

    @Test
    void editsEveryHookedMethodOfThisJdk() throws IOException {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        JdkHooks hooks = new JdkHooks(new PrintStream(console, true, StandardCharsets.UTF_8));
        for (String name : new String[] {JdkHooks.OBJECT_INPUT_STREAM, JdkHooks.OBJECT_STREAM_CLASS, JdkHooks.FILTER_CONFIG,
                JdkHooks.HASHTABLE, JdkHooks.CONCURRENT_HASH_MAP, JdkHooks.COLL_SER, JdkHooks.PRIORITY_QUEUE}) {
            assertTrue(HookedJdkClasses.handles(name));
            assertNotNull(hooks.rewrite(name, jdkClass(name)), name);
        }
        assertEquals(Set.of("java.io.ObjectInputStream.readObject0", "java.io.ObjectInputStream.filterCheck",
                "java.io.ObjectInputStream.readOrdinaryObject", "java.io.ObjectInputStream.readProxyDesc",
                "java.io.ObjectStreamClass.readNonProxy", "java.io.ObjectInputFilter$Config.setSerialFilterFactory",
                "java.util.Hashtable.readHashtable", "java.io.ObjectInputStream.<init>",
                "java.util.concurrent.ConcurrentHashMap.readObject", "java.util.CollSer.readObject",
                "java.util.PriorityQueue.readObject"),
                hooks.hooked());
        assertTrue(hooks.toldOfOverridingStreams());
        assertEquals("", console.toString(StandardCharsets.UTF_8));
    }

    /**
     * A future JDK whose Hashtable read loop puts entries through another method: no frame is
     * guessed, the method stays as it is, and the warning names it.
     */
    @Test
    void leavesReadHashtableAloneWhenItsLoopIsNotShapedAsExpected() throws IOException {
        byte[] changed = withMethodChanged(JdkHooks.HASHTABLE, "readHashtable", renamingCalls("reconstitutionPut", "putEntry"));
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        JdkHooks hooks = new JdkHooks(new PrintStream(console, true, StandardCharsets.UTF_8));

        assertNull(hooks.rewrite(JdkHooks.HASHTABLE, changed));
        assertEquals(Set.of(), hooks.hooked());
        String warning = console.toString(StandardCharsets.UTF_8);
        assertTrue(warning.contains("cannot hook java.util.Hashtable.readHashtable: its code is not shaped"), warning);
    }

    /**
     * A future JDK whose ConcurrentHashMap builds its tree bins through another method, and one
     * whose CollSer writes a local between its last frame and its return: neither is edited (no
     * frame guessed), and the warning names each method.
     */
    @Test
    void leavesConcurrentHashMapAndCollSerAloneWhenNotShapedAsExpected() throws IOException {
        byte[] map = withMethodChanged(JdkHooks.CONCURRENT_HASH_MAP, "readObject", renamingCalls("putTreeVal", "putTreeValue"));
        byte[] proxy = withMethodChanged(JdkHooks.COLL_SER, "readObject",
                mv -> new MethodVisitor(Opcodes.ASM9, mv) {
                    @Override
                    public void visitInsn(int opcode) {
                        if (opcode == Opcodes.RETURN) {
                            super.visitInsn(Opcodes.ICONST_0);
                            super.visitVarInsn(Opcodes.ISTORE, 2);
                        }
                        super.visitInsn(opcode);
                    }
                });
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        JdkHooks hooks = new JdkHooks(new PrintStream(console, true, StandardCharsets.UTF_8));

        assertNull(hooks.rewrite(JdkHooks.CONCURRENT_HASH_MAP, map));
        assertNull(hooks.rewrite(JdkHooks.COLL_SER, proxy));
        assertEquals(Set.of(), hooks.hooked());
        String warning = console.toString(StandardCharsets.UTF_8);
        assertTrue(warning.contains("cannot hook java.util.concurrent.ConcurrentHashMap.readObject: its code is not shaped"),
                warning);
        assertTrue(warning.contains("cannot hook java.util.CollSer.readObject: its code is not shaped"), warning);
    }

    /** A future JDK that renamed a field the inserted code reads: those methods stay as they are. */
    @Test
    void leavesAMethodAloneWhenAFieldItsCodeReadsIsMissing() throws IOException {
        ClassReader reader = new ClassReader(jdkClass(JdkHooks.OBJECT_INPUT_STREAM));
        ClassWriter writer = new ClassWriter(reader, 0);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
                return super.visitField(access, name.equals("totalObjectRefs") ? "objectCount" : name, descriptor,
                        signature, value);
            }
        }, 0);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        JdkHooks hooks = new JdkHooks(new PrintStream(console, true, StandardCharsets.UTF_8));

        assertNotNull(hooks.rewrite(JdkHooks.OBJECT_INPUT_STREAM, writer.toByteArray()), "readObject0 is still edited");
        assertEquals(Set.of("java.io.ObjectInputStream.readObject0", "java.io.ObjectInputStream.readOrdinaryObject",
                "java.io.ObjectInputStream.readProxyDesc", "java.io.ObjectInputStream.<init>"),
                hooks.hooked());
        String warning = console.toString(StandardCharsets.UTF_8);
        assertTrue(warning.contains("cannot hook java.io.ObjectInputStream.filterCheck: a field it reads is missing"),
                warning);
        assertNull(hooks.rewrite("java/io/ObjectOutputStream", jdkClass("java/io/ObjectOutputStream")));
    }

    /**
     * A future JDK whose readOrdinaryObject no longer finishes the handle where the edit expects:
     * nothing is inserted there (no guessed stack map frame), a warning names the method, and the
     * other hooks of the class are still made.
     */
    @Test
    void leavesReadOrdinaryObjectAloneWhenItsCodeIsNotShapedAsExpected() throws IOException {
        // As if a later JDK settled the handle through another method.
        byte[] changed = withMethodChanged(JdkHooks.OBJECT_INPUT_STREAM, "readOrdinaryObject", renamingCalls("finish", "close"));
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        JdkHooks hooks = new JdkHooks(new PrintStream(console, true, StandardCharsets.UTF_8));

        assertNotNull(hooks.rewrite(JdkHooks.OBJECT_INPUT_STREAM, changed));
        assertEquals(Set.of("java.io.ObjectInputStream.readObject0", "java.io.ObjectInputStream.filterCheck",
                "java.io.ObjectInputStream.readProxyDesc", "java.io.ObjectInputStream.<init>"), hooks.hooked());
        String warning = console.toString(StandardCharsets.UTF_8);
        assertTrue(warning.contains("cannot hook java.io.ObjectInputStream.readOrdinaryObject: its code is not shaped"),
                warning);
    }

    /**
     * A future JDK whose constructor for streams that override readObject no longer sets {@code
     * serialFilter} itself: nothing is inserted there, a warning names it, the other hooks of the
     * class are still made, and {@code Hashtable}'s edit is not left waiting for it.
     */
    @Test
    void leavesTheOverridingStreamsConstructorAloneWhenItIsNotShapedAsExpected() throws IOException {
        byte[] changed = withMethodChanged(JdkHooks.OBJECT_INPUT_STREAM, "<init>()V",
                mv -> new MethodVisitor(Opcodes.ASM9, mv) {
                    @Override
                    public void visitFieldInsn(int opcode, String owner, String field, String desc) {
                        if (opcode == Opcodes.PUTFIELD && field.equals("serialFilter")) {
                            super.visitInsn(Opcodes.POP2); // as if a later JDK set it through a method
                        } else {
                            super.visitFieldInsn(opcode, owner, field, desc);
                        }
                    }
                });
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        JdkHooks hooks = new JdkHooks(new PrintStream(console, true, StandardCharsets.UTF_8));

        assertNotNull(hooks.rewrite(JdkHooks.OBJECT_INPUT_STREAM, changed));
        assertEquals(Set.of("java.io.ObjectInputStream.readObject0", "java.io.ObjectInputStream.filterCheck",
                "java.io.ObjectInputStream.readOrdinaryObject", "java.io.ObjectInputStream.readProxyDesc"),
                hooks.hooked());
        assertFalse(hooks.toldOfOverridingStreams());
        String warning = console.toString(StandardCharsets.UTF_8);
        assertTrue(warning.contains("cannot hook java.io.ObjectInputStream.<init>: its code is not shaped"), warning);
    }

    /**
     * The JDK's class {@code owner} with the code of {@code method} (a name, or a name and
     * descriptor such as {@code <init>()V}) passed through {@code change}: as a later JDK might
     * have it.
     */
    /** Calls of a method named {@code from} made to one named {@code to}, as a later JDK might. */
    private static UnaryOperator<MethodVisitor> renamingCalls(String from, String to) {
        return mv -> new MethodVisitor(Opcodes.ASM9, mv) {
            @Override
            public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean itf) {
                super.visitMethodInsn(opcode, owner, method.equals(from) ? to : method, desc, itf);
            }
        };
    }

    private static byte[] withMethodChanged(String owner, String method, UnaryOperator<MethodVisitor> change)
            throws IOException {
        ClassReader reader = new ClassReader(jdkClass(owner));
        ClassWriter writer = new ClassWriter(reader, 0);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                return method.equals(name) || method.equals(name + descriptor) ? change.apply(mv) : mv;
            }
        }, 0);
        return writer.toByteArray();
    }

    /** ObjectInputStream as JDK 17 hands it to a retransformation when java.base is not verified: no stack map frames. */
    private static byte[] withoutFrames(String renamedField) throws IOException {
        ClassReader reader = new ClassReader(jdkClass(JdkHooks.OBJECT_INPUT_STREAM));
        ClassWriter writer = new ClassWriter(0);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
                return super.visitField(access, name.equals(renamedField) ? name + "2" : name, descriptor, signature, value);
            }
        }, ClassReader.SKIP_FRAMES);
        return writer.toByteArray();
    }

    private static int frames(byte[] bytes, String method) {
        int[] frames = new int[1];
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                return !name.equals(method) ? null : new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
                        frames[0]++;
                    }
                };
            }
        }, 0);
        return frames[0];
    }

    /**
     * Attached on JDK 17, the bytes of ObjectInputStream come without frames; the code is the
     * runtime image's, so its class file (with javac's frames) is edited, and every hook is made.
     */
    @Test
    void editsTheRuntimeImagesClassFileWhenTheBytesLostOnlyTheirFrames() throws IOException {
        byte[] unframed = withoutFrames("none");
        assertEquals(0, frames(unframed, "readOrdinaryObject"));
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        JdkHooks hooks = new JdkHooks(new PrintStream(console, true, StandardCharsets.UTF_8));

        byte[] edited = hooks.rewrite(JdkHooks.OBJECT_INPUT_STREAM, unframed);
        assertNotNull(edited);
        assertEquals(Set.of("java.io.ObjectInputStream.readObject0", "java.io.ObjectInputStream.filterCheck",
                "java.io.ObjectInputStream.readOrdinaryObject", "java.io.ObjectInputStream.readProxyDesc",
                "java.io.ObjectInputStream.<init>"),
                hooks.hooked());
        assertEquals("", console.toString(StandardCharsets.UTF_8));
        assertTrue(frames(edited, "readOrdinaryObject") > frames(jdkClass(JdkHooks.OBJECT_INPUT_STREAM), "readOrdinaryObject"),
                "javac's frames and the inserted one");
    }

    /**
     * Bytes without frames whose members differ from the runtime image's (another agent's change):
     * not swapped; the entry edits are made and write no frame of their own into the unframed code.
     */
    @Test
    void leavesTheFrameBoundEditsOutWhenTheUnframedClassDiffersFromTheRuntimeImage() throws IOException {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        JdkHooks hooks = new JdkHooks(new PrintStream(console, true, StandardCharsets.UTF_8));

        byte[] edited = hooks.rewrite(JdkHooks.OBJECT_INPUT_STREAM, withoutFrames("bin"));
        assertNotNull(edited);
        assertTrue(hooks.hooked().contains("java.io.ObjectInputStream.readObject0"), hooks.hooked()::toString);
        assertEquals(0, frames(edited, "readObject0"));
        String warning = console.toString(StandardCharsets.UTF_8);
        assertTrue(warning.contains("cannot hook java.io.ObjectInputStream.readOrdinaryObject: its code is not shaped"),
                warning);
        assertTrue(warning.contains("cannot hook java.io.ObjectInputStream.readProxyDesc: its code is not shaped"), warning);
    }
}
