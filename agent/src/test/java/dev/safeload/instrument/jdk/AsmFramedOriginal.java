package dev.safeload.instrument.jdk;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The class file a JDK class was loaded from, when its code is exactly the code a
 * retransformation handed over. On JDK 17 a boot class that is not verified (the default) keeps
 * no stack map frames once parsed, so the bytes reconstituted at attach have none, and the edits
 * that take their types from a frame cannot place their code. The class file in the runtime
 * image still has javac's frames; it is used only when every field and every method's
 * instructions match (constant pool order, debug attributes and frames aside), so nothing another
 * agent changed is undone and each frame describes the code it sits in.
 */
final class AsmFramedOriginal {

    private AsmFramedOriginal() {
    }

    /** The runtime image's class file for {@code internalName}, or null when it is unreadable or its code differs. */
    static byte[] of(String internalName, byte[] current) {
        byte[] original;
        try (InputStream in = ClassLoader.getSystemResourceAsStream(internalName + ".class")) {
            if (in == null) {
                return null;
            }
            original = in.readAllBytes();
        } catch (IOException e) {
            return null;
        }
        return code(original).equals(code(current)) ? original : null;
    }

    /** Every member of the class and each method's instructions, by name and descriptor. */
    private static Map<String, String> code(byte[] bytes) {
        Code code = new Code();
        new ClassReader(bytes).accept(code, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return code.members;
    }

    /** The access flags of the class file; ASM adds Deprecated above them, an attribute the JVM does not hand back. */
    private static int flags(int access) {
        return access & 0xFFFF;
    }

    /** Members keyed by name and descriptor: the JVM need not hand them back in class file order. */
    private static final class Code extends ClassVisitor {
        final Map<String, String> members = new TreeMap<>();

        Code() {
            super(Opcodes.ASM9);
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
            members.put("", flags(access) + " " + name + " " + superName + " " + Arrays.toString(interfaces));
        }

        @Override
        public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
            members.put(name + ":" + descriptor, flags(access) + " " + value);
            return null;
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
            return new Instructions(members, name + descriptor, flags(access) + " " + Arrays.toString(exceptions));
        }
    }

    /**
     * Writes each instruction as text; labels become numbers in the order they are first named.
     * No lambdas here: this may run while a java.base class is being transformed. Open to
     * {@code CodeGraftTest}, which adds frames and debug information to the same text.
     */
    static class Instructions extends MethodVisitor {
        private final Map<String, String> members;
        private final String key;
        private final StringBuilder text;
        private final Map<Label, Integer> labels = new HashMap<>();

        Instructions(Map<String, String> members, String key, String header) {
            super(Opcodes.ASM9);
            this.members = members;
            this.key = key;
            this.text = new StringBuilder(header);
            members.put(key, header); // an abstract or native method has no code to visit
        }

        final void add(Object... parts) {
            text.append('\n');
            for (Object part : parts) {
                append(part);
                text.append(' ');
            }
        }

        private void append(Object part) {
            if (part instanceof Label label) {
                Integer number = labels.get(label);
                if (number == null) {
                    number = labels.size();
                    labels.put(label, number);
                }
                text.append('L').append(number);
            } else if (part instanceof Object[] array) {
                text.append('[');
                for (Object element : array) {
                    append(element);
                    text.append(',');
                }
                text.append(']');
            } else if (part instanceof int[] ints) {
                text.append(Arrays.toString(ints));
            } else if (part == null) {
                text.append("null");
            } else {
                text.append(part.getClass().getSimpleName()).append(':').append(part);
            }
        }

        @Override
        public void visitInsn(int opcode) {
            add(opcode);
        }

        @Override
        public void visitIntInsn(int opcode, int operand) {
            add(opcode, operand);
        }

        @Override
        public void visitVarInsn(int opcode, int varIndex) {
            add(opcode, varIndex);
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            add(opcode, type);
        }

        @Override
        public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
            add(opcode, owner, name, descriptor);
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            add(opcode, owner, name, descriptor, isInterface);
        }

        @Override
        public void visitInvokeDynamicInsn(String name, String descriptor, Handle bsm, Object... bsmArgs) {
            add("indy", name, descriptor, bsm, bsmArgs);
        }

        @Override
        public void visitJumpInsn(int opcode, Label label) {
            add(opcode, label);
        }

        @Override
        public void visitLabel(Label label) {
            add(label);
        }

        @Override
        public void visitLdcInsn(Object value) {
            add("ldc", value);
        }

        @Override
        public void visitIincInsn(int varIndex, int increment) {
            add("iinc", varIndex, increment);
        }

        @Override
        public void visitTableSwitchInsn(int min, int max, Label dflt, Label... cases) {
            add("tableswitch", min, max, dflt, cases);
        }

        @Override
        public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] cases) {
            add("lookupswitch", dflt, keys, cases);
        }

        @Override
        public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
            add("multianewarray", descriptor, numDimensions);
        }

        @Override
        public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
            add("try", start, end, handler, type);
        }

        @Override
        public void visitEnd() {
            members.put(key, text.toString());
        }
    }
}
