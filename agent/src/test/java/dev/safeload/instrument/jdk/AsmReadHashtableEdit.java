package dev.safeload.instrument.jdk;

import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * {@code Hashtable.readHashtable(ObjectInputStream)}: in the read loop, right after
 * {@code reconstitutionPut} and the count of entries left is decremented, whenever that count is
 * a multiple of 256, tells the stream's guard ({@code IntConsumer}, 0) that 256 entries went in. A
 * Hashtable never treeifies a bucket, so String keys sharing one hash code cost each insertion
 * a walk past every earlier key, and a String passes no filter checkpoint: without this the
 * guard's CPU clock is never consulted during such a read. {@code getObjectInputFilter()} is
 * public, so java.util reaches the guard without private access to java.io.
 *
 * <p>The inserted branch reuses the locals of the loop head's stack map frame (the last frame
 * seen, with an empty stack): the stack height is followed from there to the call through the
 * few instructions the loop has, and a local of that frame written since, any other
 * instruction, a stack not empty after the call, or no {@code iinc} of an int local by -1 right
 * after it leaves the method unchanged and
 * {@code missed} told, so the start check warns instead of a guessed frame being written.
 */
final class AsmReadHashtableEdit extends MethodVisitor {

    static final String HASHTABLE = "java/util/Hashtable";
    private static final String INT_CONSUMER = "java/util/function/IntConsumer";
    private static final String FILTER = "java/io/ObjectInputFilter";
    /** StreamGuard.HASHTABLE_ENTRIES_PER_CALL - 1: the guard is told once per 256 entries, so the loop pays a mask test. */
    private static final int ENTRIES_MASK = 255;

    private final Runnable missed;
    /** The locals of the last frame with an empty stack, while none of them was written since. */
    private Object[] frameLocals;
    private int frameSlots;
    /** The stack height since that frame, or -1 once an instruction the edit does not follow was seen. */
    private int height = -1;
    private boolean inserted;
    /** Set right after the put: the next instruction must decrement the entries left. */
    private boolean afterPut;

    AsmReadHashtableEdit(MethodVisitor next, Runnable missed) {
        super(Opcodes.ASM9, next);
        this.missed = missed;
    }

    private void lost() {
        frameLocals = null;
        height = -1;
        afterPut = false;
    }

    @Override
    public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
        super.visitFrame(type, numLocal, local, numStack, stack);
        if (type == Opcodes.F_NEW && numStack == 0) {
            frameLocals = java.util.Arrays.copyOf(local, numLocal);
            frameSlots = 0;
            for (Object l : frameLocals) {
                frameSlots += l == Opcodes.LONG || l == Opcodes.DOUBLE ? 2 : 1;
            }
            height = 0;
        } else {
            lost();
        }
    }

    @Override
    public void visitVarInsn(int opcode, int varIndex) {
        super.visitVarInsn(opcode, varIndex);
        if (height < 0) {
            return;
        }
        switch (opcode) {
            case Opcodes.ALOAD, Opcodes.ILOAD, Opcodes.FLOAD -> height++;
            case Opcodes.ASTORE, Opcodes.ISTORE, Opcodes.FSTORE -> {
                height--;
                if (varIndex < frameSlots) {
                    lost(); // the frame's locals no longer describe this point
                }
            }
            default -> lost();
        }
    }

    @Override
    public void visitIincInsn(int varIndex, int increment) {
        super.visitIincInsn(varIndex, increment); // an int stays an int: the frame still holds
        if (afterPut) {
            afterPut = false;
            if (increment == -1 && varIndex < frameLocals.length && isPlainSlot(varIndex)
                    && frameLocals[varIndex] == Opcodes.INTEGER) {
                insertCheck(varIndex);
            } else {
                lost();
            }
        }
    }

    /** Whether the frame entries before {@code slot} take one slot each, so entry and slot agree. */
    private boolean isPlainSlot(int slot) {
        for (int i = 0; i < slot; i++) {
            if (frameLocals[i] == Opcodes.LONG || frameLocals[i] == Opcodes.DOUBLE) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void visitJumpInsn(int opcode, Label label) {
        super.visitJumpInsn(opcode, label);
        if (height >= 0 && opcode >= Opcodes.IFEQ && opcode <= Opcodes.IFLE) {
            height--; // the loop's test: the fall-through keeps the frame's locals
        } else {
            lost();
        }
    }

    @Override
    public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
        super.visitFieldInsn(opcode, owner, name, descriptor);
        if (height >= 0 && opcode == Opcodes.GETFIELD) {
            height += Type.getType(descriptor).getSize() - 1;
        } else {
            lost();
        }
    }

    @Override
    public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
        super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
        if (height < 0 || opcode != Opcodes.INVOKEVIRTUAL) {
            lost();
            return;
        }
        height -= Type.getArgumentsAndReturnSizes(descriptor) >> 2; // arguments and receiver
        height += Type.getArgumentsAndReturnSizes(descriptor) & 3;
        if (!inserted && height == 0 && owner.equals(HASHTABLE) && name.equals("reconstitutionPut")
                && descriptor.equals("([Ljava/util/Hashtable$Entry;Ljava/lang/Object;Ljava/lang/Object;)V")
                && frameLocals.length > 1 && AsmJdkHooks.OBJECT_INPUT_STREAM.equals(frameLocals[1])) {
            afterPut = true;
        }
    }

    /**
     * {@code if ((left & 255) == 0 && s.getObjectInputFilter() instanceof IntConsumer c) c.accept(0);}
     * with an empty stack.
     */
    private void insertCheck(int left) {
        inserted = true;
        Label notOurs = new Label();
        Label done = new Label();
        mv.visitVarInsn(Opcodes.ILOAD, left);
        mv.visitIntInsn(Opcodes.SIPUSH, ENTRIES_MASK);
        mv.visitInsn(Opcodes.IAND);
        mv.visitJumpInsn(Opcodes.IFNE, done);
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, AsmJdkHooks.OBJECT_INPUT_STREAM, "getObjectInputFilter",
                "()L" + FILTER + ";", false);
        mv.visitInsn(Opcodes.DUP);
        mv.visitTypeInsn(Opcodes.INSTANCEOF, INT_CONSUMER);
        mv.visitJumpInsn(Opcodes.IFEQ, notOurs);
        mv.visitTypeInsn(Opcodes.CHECKCAST, INT_CONSUMER);
        mv.visitInsn(Opcodes.ICONST_0);
        mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, INT_CONSUMER, "accept", "(I)V", true);
        mv.visitJumpInsn(Opcodes.GOTO, done);
        mv.visitLabel(notOurs);
        mv.visitFrame(Opcodes.F_NEW, frameLocals.length, frameLocals, 1, new Object[] {FILTER});
        mv.visitInsn(Opcodes.POP);
        mv.visitLabel(done);
        mv.visitFrame(Opcodes.F_NEW, frameLocals.length, frameLocals, 0, new Object[0]);
        mv.visitInsn(Opcodes.NOP); // the original code may have a frame of its own here; never two at one offset
        lost();
    }

    @Override
    public void visitInsn(int opcode) {
        super.visitInsn(opcode);
        lost();
    }

    @Override
    public void visitIntInsn(int opcode, int operand) {
        super.visitIntInsn(opcode, operand);
        lost();
    }

    @Override
    public void visitTypeInsn(int opcode, String type) {
        super.visitTypeInsn(opcode, type);
        lost();
    }

    @Override
    public void visitLdcInsn(Object value) {
        super.visitLdcInsn(value);
        lost();
    }

    @Override
    public void visitInvokeDynamicInsn(String name, String descriptor, net.bytebuddy.jar.asm.Handle bsm,
                                       Object... bsmArgs) {
        super.visitInvokeDynamicInsn(name, descriptor, bsm, bsmArgs);
        lost();
    }

    @Override
    public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
        super.visitTableSwitchInsn(min, max, dflt, labels);
        lost();
    }

    @Override
    public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
        super.visitLookupSwitchInsn(dflt, keys, labels);
        lost();
    }

    @Override
    public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
        super.visitMultiANewArrayInsn(descriptor, numDimensions);
        lost();
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
        // The inserted code needs two stack slots, at a point where the stack is empty.
        super.visitMaxs(Math.max(maxStack, 2), maxLocals);
        if (!inserted) {
            missed.run();
        }
    }
}
