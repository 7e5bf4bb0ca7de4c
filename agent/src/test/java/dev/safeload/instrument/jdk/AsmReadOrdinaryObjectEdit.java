package dev.safeload.instrument.jdk;

import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * {@code ObjectInputStream.readOrdinaryObject(boolean)}: once an object's fields are read
 * (by {@code readSerialData}, {@code readExternalData} or {@code readRecord}), right after
 * {@code handles.finish(passHandle)} and before {@code readResolve} or the caller sees it, hands
 * the object to the guard ({@code Consumer}), which refuses a code-bearing field's value by
 * throwing. {@code finish} only settles ClassNotFoundException dependencies, so checking after it
 * changes nothing a back-reference could see.
 *
 * <p>The three read paths join at one stack map frame just before {@code finish}; the inserted
 * branch reuses that frame, so no frame is computed. If the method is not shaped as expected
 * (no {@code readSerialData(obj, desc)} naming the object's slot, no frame with an empty stack
 * before {@code finish}, or a local written between them), nothing is inserted and
 * {@code missed} is told, so the start check warns instead of a bad frame being written.
 */
final class AsmReadOrdinaryObjectEdit extends MethodVisitor {

    private static final String HANDLE_TABLE = AsmJdkHooks.OBJECT_INPUT_STREAM + "$HandleTable";
    private static final String CONSUMER = "java/util/function/ObjLongConsumer";

    private final Runnable missed;
    /** The locals of the last frame seen, when its stack was empty and no local was written since. */
    private Object[] frameLocals;
    private int lastLoad = -1;
    private int loadBefore = -1;
    private int objectSlot = -1;
    private boolean inserted;

    AsmReadOrdinaryObjectEdit(MethodVisitor next, Runnable missed) {
        super(Opcodes.ASM9, next);
        this.missed = missed;
    }

    @Override
    public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
        super.visitFrame(type, numLocal, local, numStack, stack);
        frameLocals = type == Opcodes.F_NEW && numStack == 0 ? java.util.Arrays.copyOf(local, numLocal) : null;
    }

    @Override
    public void visitVarInsn(int opcode, int varIndex) {
        super.visitVarInsn(opcode, varIndex);
        if (opcode == Opcodes.ALOAD) {
            loadBefore = lastLoad;
            lastLoad = varIndex;
        } else if (opcode >= Opcodes.ISTORE && opcode <= Opcodes.ASTORE) {
            frameLocals = null;
        }
    }

    @Override
    public void visitIincInsn(int varIndex, int increment) {
        super.visitIincInsn(varIndex, increment);
        frameLocals = null;
    }

    @Override
    public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
        if (owner.equals(AsmJdkHooks.OBJECT_INPUT_STREAM) && name.equals("readSerialData")
                && descriptor.equals("(Ljava/lang/Object;Ljava/io/ObjectStreamClass;)V")) {
            objectSlot = loadBefore; // readSerialData(obj, desc): the object was loaded before desc
        }
        super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
        if (!inserted && owner.equals(HANDLE_TABLE) && name.equals("finish") && descriptor.equals("(I)V")
                && frameLocals != null && isReference(frameLocals, objectSlot)) {
            insertCheck();
        }
    }

    /** {@code if (serialFilter instanceof ObjLongConsumer c) c.accept(obj, depth << 32 | passHandle & 0xFFFFFFFFL);} */
    private void insertCheck() {
        inserted = true;
        Label skip = new Label();
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitFieldInsn(Opcodes.GETFIELD, AsmJdkHooks.OBJECT_INPUT_STREAM, "serialFilter", "Ljava/io/ObjectInputFilter;");
        mv.visitTypeInsn(Opcodes.INSTANCEOF, CONSUMER);
        mv.visitJumpInsn(Opcodes.IFEQ, skip);
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitFieldInsn(Opcodes.GETFIELD, AsmJdkHooks.OBJECT_INPUT_STREAM, "serialFilter", "Ljava/io/ObjectInputFilter;");
        mv.visitTypeInsn(Opcodes.CHECKCAST, CONSUMER);
        mv.visitVarInsn(Opcodes.ALOAD, objectSlot);
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitFieldInsn(Opcodes.GETFIELD, AsmJdkHooks.OBJECT_INPUT_STREAM, "depth", "J");
        mv.visitIntInsn(Opcodes.BIPUSH, 32);
        mv.visitInsn(Opcodes.LSHL);
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitFieldInsn(Opcodes.GETFIELD, AsmJdkHooks.OBJECT_INPUT_STREAM, "passHandle", "I");
        mv.visitInsn(Opcodes.I2L);
        mv.visitLdcInsn(0xFFFF_FFFFL);
        mv.visitInsn(Opcodes.LAND);
        mv.visitInsn(Opcodes.LOR);
        mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, CONSUMER, "accept", "(Ljava/lang/Object;J)V", true);
        mv.visitLabel(skip);
        mv.visitFrame(Opcodes.F_NEW, frameLocals.length, frameLocals, 0, new Object[0]);
        mv.visitInsn(Opcodes.NOP); // the original code may have a frame of its own here; never two at one offset
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
            at += local == Opcodes.LONG || local == Opcodes.DOUBLE ? 2 : 1;
        }
        return false;
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
        // The inserted code needs eight stack slots, at a point where the stack is empty.
        super.visitMaxs(Math.max(maxStack, 8), maxLocals);
        if (!inserted) {
            missed.run();
        }
    }
}
