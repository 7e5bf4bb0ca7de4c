package dev.safeload.instrument.jdk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One method's code, decoded from the class bytes, with code inserted into it and written back:
 * a plain byte edit, without ASM. The original instructions are copied as they are (they name
 * the original constant pool, which is kept); the inserted code names constants appended to it
 * ({@link Constants}). What names a code offset is moved: branch offsets (a branch that would no
 * longer reach is refused, not widened), {@code tableswitch}/{@code lookupswitch} padding and
 * offsets, the exception table, the line number and local variable tables, and the stack map
 * frames, which are decoded in full and written back as full frames together with the inserted
 * code's own. No other attribute of the code is kept (the JDK's classes have none).
 *
 * <p>Inserted code is placed at an original instruction's offset, either after everything that
 * names that offset ({@code labelsBefore}: a branch there runs the inserted code; the original
 * frame there describes it) or before it (a branch there skips it). That choice mirrors where an
 * ASM visitor emitting the same code would put it, so both write the same method.
 *
 * <p>No lambdas, records or string switches: this runs while java.base classes are being defined.
 */
final class CodeEditor {

    /** Verification types as in ASM's expanded frames: these codes, a class name, or {@link Uninitialized}. */
    static final Integer TOP = 0;
    static final Integer INTEGER = 1;
    static final Integer FLOAT = 2;
    static final Integer DOUBLE = 3;
    static final Integer LONG = 4;
    static final Integer NULL = 5;
    static final Integer UNINITIALIZED_THIS = 6;
    private static final Integer[] CODES = {TOP, INTEGER, FLOAT, DOUBLE, LONG, NULL, UNINITIALIZED_THIS};

    /** An instruction is visited as one of these, as ASM's {@code MethodVisitor} would be. */
    static final int INSN = 0;
    static final int INT = 1;
    static final int VAR = 2;
    static final int TYPE = 3;
    static final int FIELD = 4;
    static final int METHOD = 5;
    static final int INDY = 6;
    static final int JUMP = 7;
    static final int LDC = 8;
    static final int IINC = 9;
    static final int SWITCH = 10;
    static final int MULTIANEWARRAY = 11;

    /** What could not be edited: the method is left as it was and the hook reported as missing. */
    static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** The {@code new} at an original offset, not yet initialised. */
    static final class Uninitialized {
        final int offset;

        Uninitialized(int offset) {
            this.offset = offset;
        }
    }

    /** A stack map frame, expanded: a long or double is one entry. */
    static final class Frame {
        final Object[] locals;
        final Object[] stack;

        Frame(Object[] locals, Object[] stack) {
            this.locals = locals;
            this.stack = stack;
        }
    }

    /** A place in inserted code. */
    static final class Label {
        int position = -1;
    }

    private final ClassFileLayout c;
    private final Constants constants;
    private final int code;
    private final int start;
    final int length;
    int maxStack;
    int maxLocals;
    /**
     * The method's instructions in order, instruction {@code i} at index {@code i} of each array
     * below {@code count}, normalized as ASM reads them: {@code aload_1} is {@code aload 1},
     * {@code wide} is dropped, {@code goto_w} is {@code goto}, {@code ldc_w} and {@code ldc2_w} are
     * {@code ldc}. Arrays, not an object each: a thousand constructor calls at the first stream,
     * interpreted, and enough for the JIT to compile the constructor. Not to be written to.
     */
    final int count;
    final int[] offsets;
    final int[] opcodes;
    final int[] kinds;
    /** The local slot, the int operand, the constant index or the branch target. */
    final int[] operands;
    /** An {@code iinc}'s increment. */
    final int[] increments;
    private final int[] lengths;
    /** The original frames by offset; null where there is none. Read in place by the edits' loops, not written to. */
    final Frame[] frames;
    private boolean framed;
    private final int[] handlers;
    private final List<int[]> added = new ArrayList<>();
    private final List<Label[]> addedLabels = new ArrayList<>();
    /** By original offset: code inserted there, whether what names the offset names that code, and code in place of the instruction. */
    private final Snippet[] before;
    private final boolean[] labelsBefore;
    private final Snippet[] replaced;
    private Snippet appended;

    CodeEditor(ClassFileLayout c, int method, Constants constants) {
        this(c, method, constants, true);
    }

    /** With {@code readFrames} false, the stack map table is not decoded: for reading the code only. */
    CodeEditor(ClassFileLayout c, int method, Constants constants, boolean readFrames) {
        this.c = c;
        this.constants = constants;
        code = c.attribute(method + 6, "Code");
        if (code < 0) {
            throw new Refused("the method has no code");
        }
        maxStack = c.u2(code + 6);
        maxLocals = c.u2(code + 8);
        length = c.u4(code + 10);
        start = code + 14;
        frames = new Frame[length + 1];
        before = new Snippet[length + 1];
        labelsBefore = new boolean[length + 1];
        replaced = new Snippet[length + 1];
        if (start + length + 4 > code + 6 + c.u4(code + 2)) { // decode reads up to two bytes past the last instruction
            throw new Refused("the code runs past its attribute");
        }
        offsets = new int[length];
        opcodes = new int[length];
        kinds = new int[length];
        operands = new int[length];
        increments = new int[length];
        lengths = new int[length];
        count = decode();
        int table = start + length;
        handlers = new int[4 * c.u2(table)];
        for (int i = 0; i < handlers.length; i++) {
            handlers[i] = c.u2(table + 2 + 2 * i);
        }
        int stackMap = c.attribute(table + 2 + 8 * c.u2(table), "StackMapTable");
        if (stackMap >= 0 && readFrames) {
            decodeFrames(method, stackMap + 6);
        }
    }

    /** The original exception table: start, end, handler and type of each entry in turn. */
    int[] handlers() {
        return handlers.clone();
    }

    boolean hasFrames() {
        return framed;
    }

    /** {@code owner, name, descriptor} of field or method instruction {@code insn}. */
    String[] member(int insn) {
        return c.member(operands[insn]);
    }

    /** An empty piece of code to insert, naming this class's appended constants. */
    Snippet snippet() {
        return new Snippet(constants);
    }

    /** Inserts {@code code} at the instruction at {@code offset}; see the class comment for {@code labelsBefore}. */
    void insert(int offset, boolean labelsBefore, Snippet code) {
        if (before[offset] != null || replaced[offset] != null) {
            throw new IllegalStateException("two edits at offset " + offset);
        }
        before[offset] = code;
        this.labelsBefore[offset] = labelsBefore;
    }

    /** Puts {@code code} in place of the instruction at {@code offset}; what named the instruction names the code. */
    void replace(int offset, Snippet code) {
        if (before[offset] != null || replaced[offset] != null) {
            throw new IllegalStateException("two edits at offset " + offset);
        }
        replaced[offset] = code;
    }

    /** Appends {@code code} after the method's own; what named the code's end names this code's start. */
    void append(Snippet code) {
        appended = code;
    }

    /** Adds an exception handler after the method's own (catch any when {@code type} is null). */
    void addHandler(Label from, Label to, Label handler, String type) {
        added.add(new int[] {type == null ? 0 : constants.classRef(type)});
        addedLabels.add(new Label[] {from, to, handler});
    }

    /** Fills the instruction arrays; returns the number of instructions. */
    private int decode() {
        // The bytes read here, not a ClassFileLayout call each (two thousand at the first stream,
        // enough for the JIT to compile its readers at tier 4). Two operand bytes are read for
        // every instruction: the Code attribute has at least four bytes after the code.
        byte[] b = c.bytes;
        int count = 0;
        int pc = 0;
        while (pc < length) {
            int at = start + pc;
            int op = b[at] & 0xFF;
            int u1 = b[at + 1] & 0xFF;
            int u2 = (u1 << 8) | (b[at + 2] & 0xFF);
            int size;
            int opcode = op;
            int kind;
            int operand = u2;
            int increment = 0;
            if (op == 196) { // wide
                int widened = u1;
                if (widened == 132) {
                    size = 6;
                    opcode = 132;
                    kind = IINC;
                    operand = (((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF));
                    increment = (short) (((b[at + 4] & 0xFF) << 8) | (b[at + 5] & 0xFF));
                } else if (widened >= 21 && widened <= 25 || widened >= 54 && widened <= 58 || widened == 169) {
                    size = 4;
                    opcode = widened;
                    kind = VAR;
                    operand = (((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF));
                } else {
                    throw new Refused("wide " + widened + " at " + pc);
                }
            } else if (op >= 26 && op <= 45) {
                size = 1;
                opcode = 21 + (op - 26) / 4;
                kind = VAR;
                operand = (op - 26) % 4;
            } else if (op >= 59 && op <= 78) {
                size = 1;
                opcode = 54 + (op - 59) / 4;
                kind = VAR;
                operand = (op - 59) % 4;
            } else if (op >= 21 && op <= 25 || op >= 54 && op <= 58 || op == 169) {
                size = 2;
                kind = VAR;
                operand = u1;
            } else if (op == 16 || op == 188) {
                size = 2;
                kind = INT;
                operand = (byte) u1;
            } else if (op == 17) {
                size = 3;
                kind = INT;
                operand = (short) u2;
            } else if (op == 18) {
                size = 2;
                opcode = 18;
                kind = LDC;
                operand = u1;
            } else if (op == 19 || op == 20) {
                size = 3;
                opcode = 18;
                kind = LDC;
            } else if (op == 132) {
                size = 3;
                kind = IINC;
                operand = u1;
                increment = (byte) (b[at + 2] & 0xFF);
            } else if (op >= 153 && op <= 168 || op == 198 || op == 199) {
                size = 3;
                kind = JUMP;
                operand = pc + (short) u2;
            } else if (op == 200 || op == 201) {
                size = 5;
                opcode = op == 200 ? 167 : 168;
                kind = JUMP;
                operand = pc + c.u4(at + 1);
            } else if (op == 170) {
                int p = at + 1 + (3 - (pc & 3));
                size = p - at + 12 + 4 * (c.u4(p + 8) - c.u4(p + 4) + 1);
                kind = SWITCH;
                operand = 0;
            } else if (op == 171) {
                int p = at + 1 + (3 - (pc & 3));
                size = p - at + 8 + 8 * c.u4(p + 4);
                kind = SWITCH;
                operand = 0;
            } else if (op >= 178 && op <= 181) {
                size = 3;
                kind = FIELD;
            } else if (op >= 182 && op <= 184) {
                size = 3;
                kind = METHOD;
            } else if (op == 185) {
                size = 5;
                kind = METHOD;
            } else if (op == 186) {
                size = 5;
                kind = INDY;
            } else if (op == 187 || op == 189 || op == 192 || op == 193) {
                size = 3;
                kind = TYPE;
            } else if (op == 197) {
                size = 4;
                kind = MULTIANEWARRAY;
            } else if (op <= 15 || op >= 46 && op <= 53 || op >= 79 && op <= 131 || op >= 133 && op <= 152
                    || op >= 172 && op <= 177 || op == 190 || op == 191 || op == 194 || op == 195) {
                size = 1;
                kind = INSN;
                operand = 0;
            } else {
                throw new Refused("unknown opcode " + op + " at " + pc);
            }
            offsets[count] = pc;
            lengths[count] = size;
            opcodes[count] = opcode;
            kinds[count] = kind;
            operands[count] = operand;
            increments[count++] = increment;
            pc += size;
        }
        if (pc != length) {
            throw new Refused("an instruction runs past the code's end");
        }
        return count;
    }

    /** Decodes the StackMapTable whose body (count first) is at {@code at}, every frame expanded. */
    private void decodeFrames(int method, int at) {
        // Arrays, not lists: a list, an add per type and a toArray per frame were six hundred
        // calls at the first stream. A frame's locals array is shared with the frames after it
        // until one changes the locals, which makes a new array: frames are never written to.
        byte[] b = c.bytes;
        Object[] locals = initialLocals(method).toArray();
        int count = ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
        at += 2;
        int offset = -1;
        for (int i = 0; i < count; i++) {
            int type = b[at++] & 0xFF;
            Object[] stack = NO_TYPES;
            int delta;
            if (type < 64) {
                delta = type;
            } else if (type < 128) {
                delta = type - 64;
                stack = new Object[1];
                at = readType(at, stack, 0);
            } else if (type < 247) {
                throw new Refused("reserved stack map frame type " + type);
            } else {
                delta = ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
                at += 2;
                if (type == 247) {
                    stack = new Object[1];
                    at = readType(at, stack, 0);
                } else if (type >= 248 && type <= 250) {
                    int chop = 251 - type;
                    if (chop > locals.length) {
                        throw new Refused("a frame chops more locals than there are");
                    }
                    locals = Arrays.copyOf(locals, locals.length - chop);
                } else if (type >= 252 && type <= 254) {
                    int kept = locals.length;
                    locals = Arrays.copyOf(locals, kept + type - 251);
                    for (int t = kept; t < locals.length; t++) {
                        at = readType(at, locals, t);
                    }
                } else if (type == 255) {
                    locals = new Object[((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF)];
                    at += 2;
                    for (int t = 0; t < locals.length; t++) {
                        at = readType(at, locals, t);
                    }
                    stack = new Object[((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF)];
                    at += 2;
                    for (int t = 0; t < stack.length; t++) {
                        at = readType(at, stack, t);
                    }
                }
            }
            offset += delta + 1;
            if (offset > length) {
                throw new Refused("a frame lies past the code's end");
            }
            frames[offset] = new Frame(locals, stack);
            framed = true;
        }
    }

    private static final Object[] NO_TYPES = {};

    /** Reads the verification type at {@code at} into {@code into[index]}; returns the offset after it. */
    private int readType(int at, Object[] into, int index) {
        byte[] b = c.bytes; // read here, not a u1 and u2 call or two per type (four hundred at the first stream)
        int tag = b[at] & 0xFF;
        if (tag == 7) {
            int constant = ((b[at + 1] & 0xFF) << 8) | (b[at + 2] & 0xFF);
            // A class named before (most are: frames repeat the same few) is taken from the
            // constants as it is, without the calls to decode and tell it (four hundred at the first stream).
            String[] known = constants.knownNames;
            String name = known != null && constant < known.length ? known[constant] : null;
            if (name == null) {
                name = c.className(constant);
                constants.know(name, constant);
            }
            into[index] = name;
            return at + 3;
        }
        if (tag == 8) {
            into[index] = new Uninitialized(((b[at + 1] & 0xFF) << 8) | (b[at + 2] & 0xFF));
            return at + 3;
        }
        if (tag > 6) {
            throw new Refused("unknown verification type " + tag);
        }
        into[index] = CODES[tag]; // the same boxes as Integer.valueOf's, without the call
        return at + 1;
    }

    /** The implicit first frame's locals: this, then the parameters. */
    private List<Object> initialLocals(int method) {
        List<Object> locals = new ArrayList<>();
        String name = c.utf8(c.u2(method + 2));
        if ((c.u2(method) & 0x0008) == 0) {
            locals.add(name.equals("<init>") ? UNINITIALIZED_THIS : c.className(c.u2(c.poolEnd + 2)));
        }
        String descriptor = c.utf8(c.u2(method + 4));
        int i = 1;
        while (descriptor.charAt(i) != ')') {
            int from = i;
            while (descriptor.charAt(i) == '[') {
                i++;
            }
            if (descriptor.charAt(i) == 'L') {
                i = descriptor.indexOf(';', i);
            }
            i++;
            locals.add(frameType(descriptor.substring(from, i)));
        }
        return locals;
    }

    /** The frame entry of a value of this field descriptor, or null for none (void). */
    static Object frameType(String descriptor) {
        switch (descriptor.charAt(0)) {
            case 'Z', 'B', 'C', 'S', 'I':
                return INTEGER;
            case 'F':
                return FLOAT;
            case 'J':
                return LONG;
            case 'D':
                return DOUBLE;
            case 'L':
                return descriptor.substring(1, descriptor.length() - 1);
            case '[':
                return descriptor;
            default:
                return null;
        }
    }

    /**
     * The edited Code attribute, every offset moved; {@code withFrames} false writes no stack
     * map table (for code that came without one).
     */
    byte[] write(boolean withFrames) {
        int[] labelAt = new int[length + 1];
        int[] insnAt = new int[length + 1];
        Arrays.fill(labelAt, -1);
        Arrays.fill(insnAt, -1);
        Placed written = new Placed();
        int pos = 0;
        for (int i = 0; i < count; i++) {
            int x = offsets[i];
            Snippet inserted = before[x];
            Snippet instead = replaced[x];
            if (inserted == null && instead == null && kinds[i] != SWITCH) {
                labelAt[x] = pos; // most instructions: nothing inserted, the same length
                insnAt[x] = pos;
                if (frames[x] != null) {
                    written.add(pos, frames[x]);
                }
                pos += lengths[i];
                continue;
            }
            boolean labelsFirst = inserted != null && labelsBefore[x];
            if (labelsFirst) {
                labelAt[x] = pos;
                written.add(pos, frames[x]);
            }
            if (inserted != null) {
                pos = inserted.place(pos, written);
            }
            if (!labelsFirst) {
                labelAt[x] = pos;
                written.add(pos, frames[x]);
            }
            insnAt[x] = pos;
            if (instead != null) {
                pos = instead.place(pos, written);
            } else if (kinds[i] == SWITCH) {
                pos += lengths[i] - (3 - (x & 3)) + (3 - (pos & 3));
            } else {
                pos += lengths[i];
            }
        }
        labelAt[length] = pos;
        written.add(pos, frames[length]);
        if (appended != null) {
            pos = appended.place(pos, written);
        }
        if (pos > 65535) {
            throw new Refused("the code would grow past 65,535 bytes");
        }

        byte[] b = c.bytes;
        ByteOut out = new ByteOut(pos + 256);
        out.u2(((b[code] & 0xFF) << 8) | (b[code + 1] & 0xFF));
        out.u4(0); // the attribute's length, set at the end
        out.u2(maxStack);
        out.u2(maxLocals);
        out.u4(pos);
        // A run of instructions copied as they are (no branch offset to move, nothing inserted)
        // is copied in one piece: the same bytes as one copy each, without a call per instruction.
        int run = -1;
        for (int i = 0; i < count; i++) {
            int x = offsets[i];
            if (before[x] == null && replaced[x] == null && kinds[i] != JUMP && kinds[i] != SWITCH) {
                if (run < 0) {
                    run = x;
                }
                continue;
            }
            if (run >= 0) {
                out.bytes(c.bytes, start + run, x - run);
                run = -1;
            }
            if (before[x] != null) {
                before[x].emit(out);
            }
            if (replaced[x] != null) {
                replaced[x].emit(out);
            } else {
                copy(i, labelAt, insnAt, out);
            }
        }
        if (run >= 0) {
            out.bytes(c.bytes, start + run, length - run);
        }
        if (appended != null) {
            appended.emit(out);
        }
        if (out.size() != 14 + pos) {
            throw new IllegalStateException("the code came out " + (out.size() - 14) + " bytes, not " + pos);
        }

        out.u2(handlers.length / 4 + added.size());
        // Put here, not by a u2 and place call per field (four hundred at the first stream).
        out.room(2 * handlers.length);
        for (int i = 0; i < handlers.length; i++) {
            int value = handlers[i];
            if ((i & 3) != 3) { // start, end and handler are offsets; the type is a constant
                int placed = value >= 0 && value < labelAt.length ? labelAt[value] : -1;
                value = placed >= 0 ? placed : place(labelAt, value); // place throws
            }
            out.data[out.size++] = (byte) (value >>> 8);
            out.data[out.size++] = (byte) value;
        }
        for (int i = 0; i < added.size(); i++) {
            for (Label label : addedLabels.get(i)) {
                out.u2(placed(label));
            }
            out.u2(added.get(i)[0]);
        }

        int attributesCount = out.size();
        out.u2(0);
        int kept = 0;
        int table = start + length;
        // The two-byte fields read here, not a u2 call each: with the tables' loops, 400 calls at
        // the first stream, which with the rest made the JIT compile u2 at tier 4.
        int at = table + 2 + 8 * (((b[table] & 0xFF) << 8) | (b[table + 1] & 0xFF));
        boolean framesWritten = false;
        for (int i = ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF), a = at + 2; i > 0; i--) {
            int name = ((b[a] & 0xFF) << 8) | (b[a + 1] & 0xFF);
            int size = c.u4(a + 2);
            int body = a + 6;
            if (c.utf8Equals(name, "LineNumberTable")) {
                out.bytes(c.bytes, a, 8);
                // Read and put here, not by a call per entry and per field (a few hundred at the first stream).
                int entries = ((b[body] & 0xFF) << 8) | (b[body + 1] & 0xFF);
                out.room(4 * entries);
                byte[] from = c.bytes;
                byte[] data = out.data;
                int to = out.size;
                for (int e = 0, p = body + 2; e < entries; e++, p += 4) {
                    int offset = ((from[p] & 0xFF) << 8) | (from[p + 1] & 0xFF);
                    if (offset >= labelAt.length || labelAt[offset] < 0) {
                        place(labelAt, offset); // throws
                    }
                    data[to++] = (byte) (labelAt[offset] >>> 8);
                    data[to++] = (byte) labelAt[offset];
                    data[to++] = from[p + 2];
                    data[to++] = from[p + 3];
                }
                out.size = to;
                kept++;
            } else if (c.utf8Equals(name, "LocalVariableTable") || c.utf8Equals(name, "LocalVariableTypeTable")) {
                out.bytes(c.bytes, a, 8);
                // Read and put here, as the line numbers are (two hundred calls at the first stream).
                int entries = ((b[body] & 0xFF) << 8) | (b[body + 1] & 0xFF);
                out.room(10 * entries);
                byte[] data = out.data;
                int put = out.size;
                for (int e = 0, p = body + 2; e < entries; e++, p += 10) {
                    int startPc = ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
                    int endPc = startPc + (((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF));
                    // place only to throw: an offset no instruction starts at
                    int from = startPc < labelAt.length && labelAt[startPc] >= 0 ? labelAt[startPc] : place(labelAt, startPc);
                    int until = endPc < labelAt.length && labelAt[endPc] >= 0 ? labelAt[endPc] : place(labelAt, endPc);
                    data[put++] = (byte) (from >>> 8);
                    data[put++] = (byte) from;
                    data[put++] = (byte) ((until - from) >>> 8);
                    data[put++] = (byte) (until - from);
                    for (int k = p + 4; k < p + 10; k++) { // length and index as they are
                        data[put++] = b[k];
                    }
                }
                out.size = put;
                kept++;
            } else if (c.utf8Equals(name, "StackMapTable") && withFrames && written.size > 0) {
                writeFrames(name, written, insnAt, out);
                framesWritten = true;
                kept++;
            }
            a = body + size;
        }
        if (withFrames && !framesWritten && written.size > 0) {
            writeFrames(constants.utf8("StackMapTable"), written, insnAt, out);
            kept++;
        }
        byte[] bytes = out.toByteArray();
        put2(bytes, attributesCount, kept);
        int attributeLength = bytes.length - 6;
        put2(bytes, 2, attributeLength >>> 16);
        put2(bytes, 4, attributeLength);
        return bytes;
    }

    /**
     * The class with the appended constants and each Code attribute at {@code spans[i]}
     * (offset, length) replaced by {@code codes[i]}; spans in class file order.
     */
    static byte[] graft(ClassFileLayout c, Constants constants, List<int[]> spans, List<byte[]> codes) {
        ByteOut out = new ByteOut(c.bytes.length + constants.out.size() + 1024);
        out.bytes(c.bytes, 0, 8);
        out.u2(constants.next);
        out.bytes(c.bytes, 10, c.poolEnd - 10);
        out.bytes(constants.out.data, 0, constants.out.size);
        int copied = c.poolEnd;
        for (int i = 0; i < spans.size(); i++) {
            int[] span = spans.get(i);
            out.bytes(c.bytes, copied, span[0] - copied);
            out.bytes(codes.get(i), 0, codes.get(i).length);
            copied = span[0] + span[1];
        }
        out.bytes(c.bytes, copied, c.bytes.length - copied);
        return out.toByteArray();
    }

    /** The offset and length of the method's Code attribute, for {@link #graft}. */
    int[] span() {
        return new int[] {code, 6 + c.u4(code + 2)};
    }

    private static int place(int[] labelAt, int offset) {
        if (offset < 0 || offset >= labelAt.length || labelAt[offset] < 0) {
            throw new Refused("offset " + offset + " is not an instruction's");
        }
        return labelAt[offset];
    }

    private static int placed(Label label) {
        if (label.position < 0) {
            throw new IllegalStateException("a label of the inserted code was never placed");
        }
        return label.position;
    }

    /** Copies an original instruction to {@code out}, its branch offsets moved. */
    private void copy(int insn, int[] labelAt, int[] insnAt, ByteOut out) {
        int x = offsets[insn];
        int at = start + x;
        int op = c.bytes[at] & 0xFF;
        int here = insnAt[x];
        if (op >= 153 && op <= 168 || op == 198 || op == 199) {
            // Put here, not by a u1, u2, place and branch call per jump (five hundred at the first stream).
            int target = operands[insn];
            int placed = target >= 0 && target < labelAt.length ? labelAt[target] : -1;
            int offset = (placed >= 0 ? placed : place(labelAt, target)) - here; // place throws
            if (offset < Short.MIN_VALUE || offset > Short.MAX_VALUE) {
                branch(offset); // throws
            }
            if (out.size + 3 > out.data.length) {
                out.room(3);
            }
            out.data[out.size++] = (byte) op;
            out.data[out.size++] = (byte) (offset >>> 8);
            out.data[out.size++] = (byte) offset;
        } else if (op == 200 || op == 201) {
            out.u1(op);
            out.u4(place(labelAt, operands[insn]) - here);
        } else if (op == 170 || op == 171) {
            out.u1(op);
            for (int pad = 3 - (here & 3); pad > 0; pad--) {
                out.u1(0);
            }
            int p = at + 1 + (3 - (x & 3));
            out.u4(place(labelAt, x + c.u4(p)) - here);
            if (op == 170) {
                int low = c.u4(p + 4);
                int high = c.u4(p + 8);
                out.u4(low);
                out.u4(high);
                for (int i = 0; i <= high - low; i++) {
                    out.u4(place(labelAt, x + c.u4(p + 12 + 4 * i)) - here);
                }
            } else {
                int pairs = c.u4(p + 4);
                out.u4(pairs);
                for (int i = 0; i < pairs; i++) {
                    out.u4(c.u4(p + 8 + 8 * i));
                    out.u4(place(labelAt, x + c.u4(p + 12 + 8 * i)) - here);
                }
            }
        } else {
            out.bytes(c.bytes, at, lengths[insn]);
        }
    }

    /** A two-byte branch offset, or a refusal: no jump is widened. */
    static int branch(int offset) {
        if (offset < Short.MIN_VALUE || offset > Short.MAX_VALUE) {
            throw new Refused("a branch would need a wide jump (offset " + offset + ")");
        }
        return offset;
    }

    /** The frames, each a full frame. */
    private void writeFrames(int name, Placed written, int[] insnAt, ByteOut out) {
        ByteOut table = new ByteOut(64 * written.size);
        table.u2(written.size);
        // The first classes' indices, by identity: a frame names the classes of the one before, the
        // same strings, and a classRef call each (its map's calls) was five hundred at the first stream.
        String[] seen = new String[8];
        int[] seenRefs = new int[8];
        int seenCount = 0;
        int last = -1;
        for (int i = 0; i < written.size; i++) {
            Frame frame = written.frames[i];
            // Room for the whole frame, then its bytes put here: not a call per type and per byte
            // (a thousand and more at the first stream, each a method the JIT would compile).
            table.room(7 + 3 * (frame.locals.length + frame.stack.length));
            byte[] data = table.data;
            int at = table.size;
            data[at++] = (byte) 255;
            int delta = written.positions[i] - last - 1;
            data[at++] = (byte) (delta >>> 8);
            data[at++] = (byte) delta;
            last = written.positions[i];
            for (int part = 0; part < 2; part++) {
                Object[] types = part == 0 ? frame.locals : frame.stack;
                data[at++] = (byte) (types.length >>> 8);
                data[at++] = (byte) types.length;
                for (Object type : types) {
                    int value;
                    if (type instanceof String className) {
                        data[at++] = 7;
                        int k = 0;
                        while (k < seenCount && seen[k] != className) {
                            k++;
                        }
                        if (k < seenCount) {
                            value = seenRefs[k];
                        } else {
                            value = constants.classRef(className);
                            if (seenCount < seen.length) {
                                seen[seenCount] = className;
                                seenRefs[seenCount++] = value;
                            }
                        }
                    } else if (type instanceof Uninitialized u) {
                        if (u.offset < 0 || u.offset >= insnAt.length || insnAt[u.offset] < 0) {
                            throw new Refused("an uninitialized type names no instruction");
                        }
                        data[at++] = 8;
                        value = insnAt[u.offset];
                    } else {
                        // The code by identity, not an intValue call each (three hundred at the first
                        // stream): every code is one of these, Integer.valueOf's cached boxes.
                        data[at++] = (byte) (type == TOP ? 0 : type == INTEGER ? 1 : type == FLOAT ? 2 : type == DOUBLE ? 3
                                : type == LONG ? 4 : type == NULL ? 5 : type == UNINITIALIZED_THIS ? 6 : ((Integer) type).intValue());
                        continue;
                    }
                    data[at++] = (byte) (value >>> 8);
                    data[at++] = (byte) value;
                }
            }
            table.size = at;
        }
        out.u2(name);
        out.u4(table.size());
        out.bytes(table.data, 0, table.size);
    }

    /** The frames of the edited code in the order they are placed, which is by position; one per position. */
    static final class Placed {
        int[] positions = new int[16];
        Frame[] frames = new Frame[16];
        int size;

        /** Adds {@code frame} (none if null) at {@code position}; a second frame at one position is refused. */
        void add(int position, Frame frame) {
            if (frame == null) {
                return;
            }
            if (size > 0 && positions[size - 1] >= position) {
                throw new Refused("two frames at offset " + position + " of the edited code");
            }
            if (size == positions.length) {
                positions = Arrays.copyOf(positions, size * 2);
                frames = Arrays.copyOf(frames, size * 2);
            }
            positions[size] = position;
            frames[size++] = frame;
        }
    }

    private static void put2(byte[] b, int at, int value) {
        b[at] = (byte) (value >>> 8);
        b[at + 1] = (byte) value;
    }

    /**
     * Code to insert, written as with ASM's {@code MethodVisitor} (the same names, the same
     * encodings: {@code aload_0} for slot 0, {@code ldc_w} and {@code ldc2_w} for constants):
     * instruction bytes, jumps to labels, labels and frames, placed when the method is written.
     */
    static final class Snippet {
        private final Constants constants;
        /** Bytes, jumps, labels and frames in order; an array, not a list: no add and iterator calls, interpreted. */
        private Object[] items = new Object[8];
        private int size;
        private ByteOut open;

        Snippet(Constants constants) {
            this.constants = constants;
        }

        private void add(Object item) {
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            items[size++] = item;
        }

        private ByteOut bytes() {
            if (open == null) {
                open = new ByteOut(32);
                add(open);
            }
            return open;
        }

        Snippet insn(int opcode) {
            bytes().u1(opcode);
            return this;
        }

        Snippet intInsn(int opcode, int operand) {
            ByteOut b = bytes(); // once, not a call per byte or field
            if (opcode == 17) { // sipush
                b.u1(opcode);
                b.u2(operand);
            } else {
                b.u1(opcode);
                b.u1(operand);
            }
            return this;
        }

        /** A load or store of {@code slot}: the one-byte form for slots 0 to 3, as ASM writes it. */
        Snippet varInsn(int opcode, int slot) {
            ByteOut b = bytes();
            if (slot < 4) {
                b.u1((opcode < 54 ? 26 + (opcode - 21) * 4 : 59 + (opcode - 54) * 4) + slot);
            } else if (slot < 256) {
                b.u1(opcode);
                b.u1(slot);
            } else {
                b.u1(196);
                b.u1(opcode);
                b.u2(slot);
            }
            return this;
        }

        Snippet typeInsn(int opcode, String type) {
            ByteOut b = bytes();
            b.u1(opcode);
            b.u2(constants.classRef(type));
            return this;
        }

        Snippet fieldInsn(int opcode, String owner, String name, String descriptor) {
            ByteOut b = bytes();
            b.u1(opcode);
            b.u2(constants.member(9, owner, name, descriptor));
            return this;
        }

        Snippet methodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            ByteOut b = bytes();
            b.u1(opcode);
            b.u2(constants.member(isInterface ? 11 : 10, owner, name, descriptor));
            if (opcode == 185) {
                b.u1(argumentSlots(descriptor) + 1);
                b.u1(0);
            }
            return this;
        }

        Snippet ldc(long value) {
            ByteOut b = bytes();
            b.u1(20);
            b.u2(constants.longConstant(value));
            return this;
        }

        /** {@code ldc_w} of a class literal. */
        Snippet ldcClass(String internalName) {
            ByteOut b = bytes();
            b.u1(19);
            b.u2(constants.classRef(internalName));
            return this;
        }

        Snippet jumpInsn(int opcode, Label label) {
            add(new Object[] {opcode, label});
            open = null;
            return this;
        }

        Snippet label(Label label) {
            add(label);
            open = null;
            return this;
        }

        Snippet frame(Object[] locals, Object... stack) {
            add(new Frame(locals, stack));
            open = null;
            return this;
        }

        /** Sets the labels' and frames' positions from {@code pos}; returns the position after the code. */
        int place(int pos, Placed frames) {
            for (int i = 0; i < size; i++) {
                Object item = items[i];
                if (item instanceof ByteOut b) {
                    pos += b.size();
                } else if (item instanceof Label label) {
                    label.position = pos;
                } else if (item instanceof Frame frame) {
                    frames.add(pos, frame);
                } else {
                    pos += 3;
                }
            }
            return pos;
        }

        void emit(ByteOut out) {
            for (int i = 0; i < size; i++) {
                Object item = items[i];
                if (item instanceof ByteOut b) {
                    out.bytes(b.data, 0, b.size); // no copy first
                } else if (item instanceof Object[] jump) {
                    int here = out.size() - 14;
                    out.u1((Integer) jump[0]);
                    out.u2(branch(placed((Label) jump[1]) - here));
                }
            }
        }
    }

    /** The stack slots a method's arguments take. */
    static int argumentSlots(String descriptor) {
        int slots = 0;
        int i = 1;
        while (descriptor.charAt(i) != ')') {
            boolean array = false;
            while (descriptor.charAt(i) == '[') {
                array = true;
                i++;
            }
            char t = descriptor.charAt(i);
            if (t == 'L') {
                i = descriptor.indexOf(';', i);
            }
            slots += !array && (t == 'J' || t == 'D') ? 2 : 1;
            i++;
        }
        return slots;
    }

    /** The stack slots a value of the method's return type takes. */
    static int returnSlots(String descriptor) {
        char t = descriptor.charAt(descriptor.indexOf(')') + 1);
        return t == 'V' ? 0 : t == 'J' || t == 'D' ? 2 : 1;
    }

    /**
     * The constants the inserted code names, appended to the class's pool (a class file may hold
     * a constant twice). A class a decoded frame names keeps its original index.
     */
    static final class Constants {
        private final ClassFileLayout c;
        /** The long constants appended, by value. */
        private final Map<String, Integer> indices = new HashMap<>();
        /**
         * The references and names and types appended, by name: a key of the owner, name and
         * descriptor was a StringBuilder and eight calls into it a reference, all interpreted.
         */
        private final Map<String, Appended> byName = new HashMap<>();
        /** Class constants by name, apart: frames name classes often, and a name's hash is kept in the string. */
        private final Map<String, Integer> classes = new HashMap<>();
        private final Map<String, Integer> utf8s = new HashMap<>();
        /** The names of the original class constants {@link #know} was told of, by index. */
        private String[] knownNames;
        final ByteOut out = new ByteOut(512);
        int next;

        Constants(ClassFileLayout c) {
            this.c = c;
            next = c.poolCount;
        }

        void know(String className, int index) {
            // Frames name the same few class constants over and over: each index is put once, not
            // a map call (and a boxed index) per frame entry. The same map: an index names one class.
            if (knownNames == null) {
                knownNames = new String[c.poolCount];
            }
            if (knownNames[index] == null) {
                knownNames[index] = className;
                classes.putIfAbsent(className, index);
            }
        }

        /** The next index, or more for a long; remembered under {@code key} unless it is null. */
        private int take(String key, int slots) {
            int index = next;
            next += slots;
            if (next > 0xFFFF) {
                throw new Refused("the constant pool would exceed 65535 entries");
            }
            if (key != null) {
                indices.put(key, index);
            }
            return index;
        }

        int utf8(String value) {
            Integer known = utf8s.get(value);
            if (known != null) {
                return known;
            }
            // Into an array, not a ByteOut call per byte (a thousand calls at the first stream). By
            // charAt, not getBytes: charAt is compiled in any JVM by now, getBytes' loop would be compiled for this.
            int length = value.length();
            byte[] text = new byte[3 * length];
            int size = 0;
            for (int i = 0; i < length; i++) {
                char ch = value.charAt(i);
                if (ch != 0 && ch < 0x80) {
                    text[size++] = (byte) ch;
                } else if (ch < 0x800) {
                    text[size++] = (byte) (0xC0 | (ch >> 6));
                    text[size++] = (byte) (0x80 | (ch & 0x3F));
                } else {
                    text[size++] = (byte) (0xE0 | (ch >> 12));
                    text[size++] = (byte) (0x80 | ((ch >> 6) & 0x3F));
                    text[size++] = (byte) (0x80 | (ch & 0x3F));
                }
            }
            out.u1(ClassFileLayout.UTF8);
            out.u2(size);
            out.bytes(text, 0, size);
            int index = take(null, 1);
            utf8s.put(value, index);
            return index;
        }

        int classRef(String name) {
            Integer known = classes.get(name);
            if (known != null) {
                return known;
            }
            int utf8 = utf8(name);
            out.u1(7);
            out.u2(utf8);
            int index = take(null, 1);
            classes.put(name, index);
            return index;
        }

        int member(int tag, String owner, String name, String descriptor) {
            Appended named = byName.get(name);
            for (Appended a = named; a != null; a = a.next) {
                if (a.tag == tag && a.owner.equals(owner) && a.descriptor.equals(descriptor)) {
                    return a.index;
                }
            }
            int type = classRef(owner);
            int nat = -1;
            for (Appended a = named; a != null; a = a.next) {
                if (a.tag == 12 && a.descriptor.equals(descriptor)) {
                    nat = a.index;
                    break;
                }
            }
            if (nat < 0) {
                int n = utf8(name);
                int d = utf8(descriptor);
                out.u1(12);
                out.u2(n);
                out.u2(d);
                nat = take(null, 1);
                named = new Appended(12, null, descriptor, nat, named);
            }
            out.u1(tag);
            out.u2(type);
            out.u2(nat);
            int index = take(null, 1);
            byName.put(name, new Appended(tag, owner, descriptor, index, named));
            return index;
        }

        /** A reference ({@code tag} 9 to 11) or a name and type (12, no owner) appended; the next of the same name. */
        private static final class Appended {
            final int tag;
            final String owner;
            final String descriptor;
            final int index;
            final Appended next;

            Appended(int tag, String owner, String descriptor, int index, Appended next) {
                this.tag = tag;
                this.owner = owner;
                this.descriptor = descriptor;
                this.index = index;
                this.next = next;
            }
        }

        int longConstant(long value) {
            String key = "5 " + value;
            Integer known = indices.get(key);
            if (known != null) {
                return known;
            }
            out.u1(ClassFileLayout.LONG);
            out.u4((int) (value >>> 32));
            out.u4((int) value);
            return take(key, 2);
        }
    }

    /** A growing byte array; no stream, whose synchronized writes are a cost with nothing shared. */
    static final class ByteOut {
        private byte[] data;
        private int size;

        ByteOut(int capacity) {
            data = new byte[Math.max(capacity, 16)];
        }

        private void room(int n) {
            if (size + n > data.length) {
                data = Arrays.copyOf(data, Math.max(data.length * 2, size + n));
            }
        }

        int size() {
            return size;
        }

        // The test written out, room called only to grow: half the calls of a write.
        void u1(int value) {
            if (size + 1 > data.length) {
                room(1);
            }
            data[size++] = (byte) value;
        }

        void u2(int value) {
            if (size + 2 > data.length) {
                room(2);
            }
            data[size++] = (byte) (value >>> 8);
            data[size++] = (byte) value;
        }

        void u4(int value) {
            if (size + 4 > data.length) {
                room(4);
            }
            data[size++] = (byte) (value >>> 24);
            data[size++] = (byte) (value >>> 16);
            data[size++] = (byte) (value >>> 8);
            data[size++] = (byte) value;
        }

        void bytes(byte[] from, int offset, int length) {
            if (size + length > data.length) {
                room(length);
            }
            System.arraycopy(from, offset, data, size, length);
            size += length;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
