package dev.safeload.instrument.jdk;

import java.util.Arrays;
import net.bytebuddy.jar.asm.ClassWriter;

/**
 * Edits a few methods of a class file and leaves every other byte as it was. A
 * {@code ClassWriter} built on the class's reader would copy the whole constant pool into its
 * symbol table, decoding and hashing every entry (over a thousand in ObjectInputStream), which is
 * most of what an edit at start-up costs. Here:
 *
 * <ol>
 *   <li>{@link #methodsOnly} cuts a class file holding the original pool, verbatim, and only the
 *       methods to edit, for an ASM {@code ClassReader}, which decodes a constant only when an
 *       instruction of those methods names it;</li>
 *   <li>the edits write into a {@link #writer} of their own, whose pool holds only the edited
 *       methods' constants;</li>
 *   <li>{@link #graft} appends that pool to the original one (a class file may hold the same
 *       constant twice) and puts each method's new {@code Code} attribute in place of the old,
 *       every constant index in it shifted to the appended entries.</li>
 * </ol>
 *
 * <p>An {@code ldc} has a one-byte index, which the shift could overflow: the writer's pool starts
 * with {@link #RESERVED} slots the edits never name (they are not carried over), so every
 * constant the code loads lies past 255 and the writer emits {@code ldc_w}. Debug attributes of
 * the code that name no constant or whose constants are known (line numbers, local variable
 * tables) are carried over; any other attribute of the code (type annotations) is dropped.
 */
final class AsmCodeGraft {

    /** Slots taken at the start of the writer's pool: 128 longs of two slots each. */
    static final int RESERVED = 256;
    /** The first slot of the writer's pool that is carried over. */
    private static final int FIRST = RESERVED + 1;
    /** Values no class file of the JDK loads; any code naming one is refused, not mis-shifted. */
    private static final long RESERVED_LONGS = 0x5AFE_10AD_C0DE_0000L;

    private AsmCodeGraft() {
    }

    /** A writer whose first {@value #RESERVED} pool slots are taken. */
    static ClassWriter writer() {
        ClassWriter writer = new ClassWriter(0);
        int last = 0;
        for (int i = 0; i < RESERVED / 2; i++) {
            last = writer.newConst(RESERVED_LONGS + i);
        }
        if (last != RESERVED - 1) {
            throw new IllegalStateException("the writer's pool did not start empty: " + last);
        }
        return writer;
    }

    /** The class file with its pool, header and bootstrap methods, and the methods at {@code methods} alone, code only. */
    static byte[] methodsOnly(ClassFileLayout c, int[] methods) {
        Out out = new Out(c.poolEnd + 1024);
        out.bytes(c.bytes, 0, c.poolEnd + 6); // up to access, this and super
        out.u2(0); // interfaces
        out.u2(0); // fields
        out.u2(methods.length);
        for (int method : methods) {
            out.bytes(c.bytes, method, 6);
            int code = code(c, method);
            out.u2(1);
            out.bytes(c.bytes, code, 6 + c.u4(code + 2));
        }
        int bootstrap = c.attribute(c.attributes, "BootstrapMethods");
        if (bootstrap < 0) {
            out.u2(0);
        } else {
            out.u2(1);
            out.bytes(c.bytes, bootstrap, 6 + c.u4(bootstrap + 2));
        }
        return out.toByteArray();
    }

    /**
     * The original class with the code of {@code methods[i]} replaced by that of the writer's
     * i-th method, for every i with {@code replace[i]}.
     */
    static byte[] graft(ClassFileLayout c, int[] methods, boolean[] replace, byte[] written) {
        ClassFileLayout w = new ClassFileLayout(written);
        if (w.methods.length != methods.length) {
            throw new IllegalStateException("the writer has " + w.methods.length + " methods, not " + methods.length);
        }
        int shift = c.poolCount - FIRST;
        int count = c.poolCount + w.poolCount - FIRST;
        if (count > 0xFFFF) {
            throw new IllegalStateException("the constant pool would exceed 65535 entries");
        }
        Out out = new Out(c.bytes.length + (written.length - w.entry[FIRST]) + 1024);
        out.bytes(c.bytes, 0, 8);
        out.u2(count);
        out.bytes(c.bytes, 10, c.poolEnd - 10);
        for (int i = FIRST; i < w.poolCount; i++) {
            if (w.entry[i] != 0) {
                appendEntry(w, i, shift, out);
            }
        }
        int at = c.poolEnd;
        for (int i = 0; i < methods.length; i++) {
            if (!replace[i]) {
                continue;
            }
            int code = code(c, methods[i]);
            out.bytes(c.bytes, at, code - at);
            byte[] body = shiftedCode(w, code(w, w.methods[i]), shift);
            out.u2(c.u2(code)); // the original's "Code"
            out.u4(body.length);
            out.bytes(body, 0, body.length);
            at = code + 6 + c.u4(code + 2);
        }
        out.bytes(c.bytes, at, c.bytes.length - at);
        return out.toByteArray();
    }

    /** The offset of the method's Code attribute. */
    private static int code(ClassFileLayout c, int method) {
        int code = c.attribute(method + 6, "Code");
        if (code < 0) {
            throw new IllegalStateException("a method to edit has no code");
        }
        return code;
    }

    private static int shifted(int index, int shift) {
        if (index < FIRST) {
            throw new IllegalStateException("the edited code names reserved constant " + index);
        }
        return index + shift;
    }

    /** Writes entry {@code i} of the writer's pool with the constant indices in it shifted. */
    private static void appendEntry(ClassFileLayout w, int i, int shift, Out out) {
        int at = w.entry[i];
        int tag = w.u1(at);
        switch (tag) {
            case 7, 8, 16, 19, 20 -> { // class, string, method type, module, package: one index
                out.u1(tag);
                out.u2(shifted(w.u2(at + 1), shift));
            }
            case 9, 10, 11, 12 -> { // field, method and interface method refs, name and type: two
                out.u1(tag);
                out.u2(shifted(w.u2(at + 1), shift));
                out.u2(shifted(w.u2(at + 3), shift));
            }
            case 15 -> { // method handle: kind, reference
                out.u1(tag);
                out.u1(w.u1(at + 1));
                out.u2(shifted(w.u2(at + 2), shift));
            }
            case ClassFileLayout.DYNAMIC, ClassFileLayout.INVOKE_DYNAMIC ->
                // Their bootstrap methods would need carrying over too; no edited JDK method has one.
                throw new IllegalStateException("the edited code makes a dynamic call");
            case ClassFileLayout.UTF8 -> out.bytes(w.bytes, at, 3 + w.u2(at + 1));
            case ClassFileLayout.LONG, ClassFileLayout.DOUBLE -> out.bytes(w.bytes, at, 9);
            default -> out.bytes(w.bytes, at, 5); // int, float
        }
    }

    /** The body of the Code attribute at {@code code} (after its name and length), every constant index shifted. */
    private static byte[] shiftedCode(ClassFileLayout w, int code, int shift) {
        byte[] b = w.bytes;
        int start = code + 6;
        int codeLength = w.u4(start + 4);
        int codeStart = start + 8;
        int exceptions = codeStart + codeLength;
        int attributes = exceptions + 2 + 8 * w.u2(exceptions);
        Out out = new Out(w.u4(code + 2));
        byte[] instructions = Arrays.copyOfRange(b, start, attributes);
        shiftInstructions(instructions, 8, codeLength, shift);
        for (int e = exceptions - start + 2; e < attributes - start; e += 8) {
            int type = u2(instructions, e + 6);
            if (type != 0) {
                put2(instructions, e + 6, shifted(type, shift));
            }
        }
        out.bytes(instructions, 0, instructions.length);
        int count = w.u2(attributes);
        int kept = 0;
        Out table = new Out(w.u4(code + 2));
        int at = attributes + 2;
        for (int i = 0; i < count; i++) {
            int length = w.u4(at + 2);
            int name = w.u2(at);
            byte[] attribute = Arrays.copyOfRange(b, at, at + 6 + length);
            boolean keep = true;
            if (w.utf8Equals(name, "StackMapTable")) {
                shiftFrames(attribute, shift);
            } else if (w.utf8Equals(name, "LocalVariableTable") || w.utf8Equals(name, "LocalVariableTypeTable")) {
                for (int v = 8; v < attribute.length; v += 10) {
                    put2(attribute, v + 4, shifted(u2(attribute, v + 4), shift));
                    put2(attribute, v + 6, shifted(u2(attribute, v + 6), shift));
                }
            } else {
                keep = w.utf8Equals(name, "LineNumberTable");
            }
            if (keep) {
                put2(attribute, 0, shifted(name, shift));
                table.bytes(attribute, 0, attribute.length);
                kept++;
            }
            at += 6 + length;
        }
        out.u2(kept);
        byte[] rest = table.toByteArray();
        out.bytes(rest, 0, rest.length);
        return out.toByteArray();
    }

    /** Shifts the constant operands of the instructions at {@code b[from, from + length)}. */
    private static void shiftInstructions(byte[] b, int from, int length, int shift) {
        int pc = 0;
        while (pc < length) {
            int at = from + pc;
            int opcode = b[at] & 0xFF;
            switch (opcode) {
                case 18 -> throw new IllegalStateException("the edited code has an ldc with a one-byte index");
                case 19, 20, 178, 179, 180, 181, 182, 183, 184, 187, 189, 192, 193 -> { // ldc_w, ldc2_w, fields, invokes, new, anewarray, checkcast, instanceof
                    put2(b, at + 1, shifted(u2(b, at + 1), shift));
                    pc += 3;
                }
                case 185, 186 -> { // invokeinterface, invokedynamic
                    put2(b, at + 1, shifted(u2(b, at + 1), shift));
                    pc += 5;
                }
                case 197 -> { // multianewarray
                    put2(b, at + 1, shifted(u2(b, at + 1), shift));
                    pc += 4;
                }
                case 170 -> { // tableswitch: padded to a multiple of four from the code's start
                    int p = pc + 1 + (3 - (pc & 3));
                    int low = u4(b, from + p + 4);
                    int high = u4(b, from + p + 8);
                    pc = p + 12 + 4 * (high - low + 1);
                }
                case 171 -> { // lookupswitch
                    int p = pc + 1 + (3 - (pc & 3));
                    pc = p + 8 + 8 * u4(b, from + p + 4);
                }
                case 196 -> pc += (b[at + 1] & 0xFF) == 132 ? 6 : 4; // wide iinc, wide load or store
                default -> pc += length(opcode);
            }
        }
        if (pc != length) {
            throw new IllegalStateException("an instruction runs past the code's end");
        }
    }

    /** The length of an instruction with fixed-size operands and no constant index. */
    private static int length(int opcode) {
        if (opcode <= 15 || opcode >= 26 && opcode <= 53 || opcode >= 59 && opcode <= 131
                || opcode >= 133 && opcode <= 152 || opcode >= 172 && opcode <= 177
                || opcode == 190 || opcode == 191 || opcode == 194 || opcode == 195) {
            return 1;
        }
        if (opcode == 16 || opcode >= 21 && opcode <= 25 || opcode >= 54 && opcode <= 58 || opcode == 169
                || opcode == 188) {
            return 2; // bipush, loads, stores, ret, newarray
        }
        if (opcode == 17 || opcode == 132 || opcode >= 153 && opcode <= 168 || opcode == 198 || opcode == 199) {
            return 3; // sipush, iinc, jumps
        }
        if (opcode == 200 || opcode == 201) {
            return 5; // goto_w, jsr_w
        }
        throw new IllegalStateException("unknown opcode " + opcode);
    }

    /** Shifts the class indices of the Object entries in a StackMapTable attribute (name and length included). */
    private static void shiftFrames(byte[] a, int shift) {
        int count = u2(a, 6);
        int at = 8;
        for (int i = 0; i < count; i++) {
            int type = a[at++] & 0xFF;
            if (type < 64) {
                continue; // same
            } else if (type < 128) {
                at = shiftType(a, at, shift); // same locals, one stack item
            } else if (type == 247) {
                at = shiftType(a, at + 2, shift);
            } else if (type >= 248 && type <= 251) {
                at += 2; // chop, same extended
            } else if (type >= 252 && type <= 254) {
                at += 2;
                for (int l = 0; l < type - 251; l++) {
                    at = shiftType(a, at, shift);
                }
            } else if (type == 255) {
                at += 2;
                for (int part = 0; part < 2; part++) { // locals, then stack
                    int n = u2(a, at);
                    at += 2;
                    for (int l = 0; l < n; l++) {
                        at = shiftType(a, at, shift);
                    }
                }
            } else {
                throw new IllegalStateException("unknown stack map frame type " + type);
            }
        }
        if (at != a.length) {
            throw new IllegalStateException("the stack map table does not end where its length says");
        }
    }

    /** Shifts one verification type's class index, if it has one; returns the offset after it. */
    private static int shiftType(byte[] a, int at, int shift) {
        int tag = a[at] & 0xFF;
        if (tag == 7) {
            put2(a, at + 1, shifted(u2(a, at + 1), shift));
            return at + 3;
        }
        return tag == 8 ? at + 3 : at + 1; // uninitialized has an offset; the rest nothing
    }

    private static int u2(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    private static int u4(byte[] b, int at) {
        return (u2(b, at) << 16) | u2(b, at + 2);
    }

    private static void put2(byte[] b, int at, int value) {
        b[at] = (byte) (value >>> 8);
        b[at + 1] = (byte) value;
    }

    /** A growing byte array; no stream, whose synchronized writes are a cost with nothing shared. */
    private static final class Out {
        private byte[] data;
        private int size;

        Out(int capacity) {
            data = new byte[Math.max(capacity, 16)];
        }

        private void room(int n) {
            if (size + n > data.length) {
                data = Arrays.copyOf(data, Math.max(data.length * 2, size + n));
            }
        }

        void u1(int value) {
            room(1);
            data[size++] = (byte) value;
        }

        void u2(int value) {
            room(2);
            data[size++] = (byte) (value >>> 8);
            data[size++] = (byte) value;
        }

        void u4(int value) {
            u2(value >>> 16);
            u2(value);
        }

        void bytes(byte[] from, int offset, int length) {
            room(length);
            System.arraycopy(from, offset, data, size, length);
            size += length;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
