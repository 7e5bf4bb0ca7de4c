package dev.safeload.instrument.kryo;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * Kryo 5: {@code JavaSerializer.read}, which reads a class registered with it through a nested
 * {@code ObjectInputStream} and wraps whatever that throws, the stream guard's refusal too, in
 * {@code new KryoException("Error during Java deserialization.", cause)}. The refusal must reach
 * Kryo's callers as a {@code KryoException} whose message starts {@code safeload:}, and an entry
 * hook cannot change what a method builds later, so this edit hands the message and cause to
 * {@code KryoBridge.javaSerializationMessage} right before that constructor runs: the refusal's
 * own message when the cause is one, else Kryo's. Three instructions, no branch, so no stack map
 * frame changes; the rest of the class is copied as it is.
 */
public final class JavaSerializerEdit {

    /** The edited class, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "com.esotericsoftware.kryo.serializers.JavaSerializer";

    private static final String READ = "(Lcom/esotericsoftware/kryo/Kryo;Lcom/esotericsoftware/kryo/io/Input;Ljava/lang/Class;)"
            + "Ljava/lang/Object;";
    private static final String EXCEPTION = "com/esotericsoftware/kryo/KryoException";
    private static final String MESSAGE_AND_CAUSE = "(Ljava/lang/String;Ljava/lang/Throwable;)V";
    private static final String BRIDGE = "dev/safeload/deser/KryoBridge";

    private JavaSerializerEdit() {
    }

    /** The edited class, or null when {@code read} builds no {@code KryoException(String, Throwable)} (a Kryo shaped otherwise). */
    public static byte[] apply(byte[] bytes) {
        ClassReader reader = new ClassReader(bytes);
        ClassWriter writer = new ClassWriter(reader, 0);
        int[] edits = {0};
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, desc, signature, exceptions);
                if (!name.equals("read") || !desc.equals(READ) || (access & Opcodes.ACC_ABSTRACT) != 0) {
                    return mv;
                }
                return new MethodVisitor(Opcodes.ASM9, mv) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String method, String descriptor,
                                                boolean isInterface) {
                        if (opcode == Opcodes.INVOKESPECIAL && owner.equals(EXCEPTION) && method.equals("<init>")
                                && descriptor.equals(MESSAGE_AND_CAUSE)) {
                            // message, cause -> cause, message, cause -> cause, message' -> message', cause
                            super.visitInsn(Opcodes.DUP_X1);
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "javaSerializationMessage",
                                    "(Ljava/lang/String;Ljava/lang/Throwable;)Ljava/lang/String;", false);
                            super.visitInsn(Opcodes.SWAP);
                            edits[0]++;
                        }
                        super.visitMethodInsn(opcode, owner, method, descriptor, isInterface);
                    }

                    @Override
                    public void visitMaxs(int maxStack, int maxLocals) {
                        super.visitMaxs(maxStack + 1, maxLocals); // DUP_X1 holds one value more
                    }
                };
            }
        }, 0);
        return edits[0] == 0 ? null : writer.toByteArray();
    }
}
