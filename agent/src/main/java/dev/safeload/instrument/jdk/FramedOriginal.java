package dev.safeload.instrument.jdk;

import java.io.IOException;
import java.io.InputStream;
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
 * agent changed is undone and each frame describes the code it sits in. Read from the bytes, with
 * every constant an instruction names resolved to its value: no ASM.
 */
final class FramedOriginal {

    private FramedOriginal() {
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
        try {
            return code(original).equals(code(current)) ? original : null;
        } catch (RuntimeException e) {
            return null; // not readable as expected: keep what the JVM handed over
        }
    }

    /**
     * Every member of the class and each method's instructions, by name and descriptor: the
     * JVM need not hand them back in class file order, nor its constants in pool order.
     */
    static Map<String, String> code(byte[] bytes) {
        ClassFileLayout c = new ClassFileLayout(bytes);
        Map<String, String> members = new TreeMap<>();
        StringBuilder header = new StringBuilder();
        int at = c.poolEnd;
        header.append(c.u2(at)).append(' ').append(c.className(c.u2(at + 2))).append(' ')
                .append(c.u2(at + 4) == 0 ? "-" : c.className(c.u2(at + 4)));
        for (int i = 0, n = c.u2(at + 6); i < n; i++) {
            header.append(' ').append(c.className(c.u2(at + 8 + 2 * i)));
        }
        members.put("", header.toString());
        for (int field : c.fields) {
            int value = c.attribute(field + 6, "ConstantValue");
            members.put(c.utf8(c.u2(field + 2)) + ":" + c.utf8(c.u2(field + 4)),
                    c.u2(field) + " " + (value < 0 ? "-" : constant(c, c.u2(value + 6))));
        }
        for (int method : c.methods) {
            StringBuilder text = new StringBuilder().append(c.u2(method));
            int exceptions = c.attribute(method + 6, "Exceptions");
            if (exceptions >= 0) {
                for (int i = 0, n = c.u2(exceptions + 6); i < n; i++) {
                    text.append(" throws ").append(c.className(c.u2(exceptions + 8 + 2 * i)));
                }
            }
            if (c.attribute(method + 6, "Code") >= 0) {
                instructions(c, method, text);
            }
            members.put(c.utf8(c.u2(method + 2)) + c.utf8(c.u2(method + 4)), text.toString());
        }
        return members;
    }

    /** The method's instructions and handlers as text, branch targets as instruction numbers. */
    private static void instructions(ClassFileLayout c, int method, StringBuilder text) {
        CodeEditor code = new CodeEditor(c, method, null, false);
        Map<Integer, Integer> index = new HashMap<>();
        for (int i = 0; i < code.count; i++) {
            index.put(code.offsets[i], i);
        }
        index.put(code.length, code.count);
        int start = c.attribute(method + 6, "Code") + 14;
        for (int k = 0; k < code.count; k++) {
            int operand = code.operands[k];
            text.append('\n').append(code.opcodes[k]);
            switch (code.kinds[k]) {
                case CodeEditor.VAR, CodeEditor.INT -> text.append(' ').append(operand);
                case CodeEditor.IINC -> text.append(' ').append(operand).append(' ').append(code.increments[k]);
                case CodeEditor.JUMP -> text.append(" L").append(target(index, operand));
                case CodeEditor.LDC, CodeEditor.FIELD, CodeEditor.METHOD, CodeEditor.TYPE, CodeEditor.INDY ->
                        text.append(' ').append(constant(c, operand));
                case CodeEditor.MULTIANEWARRAY -> text.append(' ').append(constant(c, operand)).append(' ')
                        .append(c.u1(start + code.offsets[k] + 3));
                case CodeEditor.SWITCH -> {
                    int x = code.offsets[k];
                    int p = start + x + 1 + (3 - (x & 3));
                    text.append(" default L").append(target(index, x + c.u4(p)));
                    if (code.opcodes[k] == 170) {
                        int low = c.u4(p + 4);
                        int high = c.u4(p + 8);
                        text.append(' ').append(low).append(' ').append(high);
                        for (int i = 0; i <= high - low; i++) {
                            text.append(" L").append(target(index, x + c.u4(p + 12 + 4 * i)));
                        }
                    } else {
                        for (int i = 0, n = c.u4(p + 4); i < n; i++) {
                            text.append(' ').append(c.u4(p + 8 + 8 * i)).append(":L")
                                    .append(target(index, x + c.u4(p + 12 + 8 * i)));
                        }
                    }
                }
                default -> {
                }
            }
        }
        int[] handlers = code.handlers();
        for (int i = 0; i < handlers.length; i += 4) {
            text.append("\ntry L").append(target(index, handlers[i])).append(" L").append(target(index, handlers[i + 1]))
                    .append(" L").append(target(index, handlers[i + 2])).append(' ')
                    .append(handlers[i + 3] == 0 ? "any" : c.className(handlers[i + 3]));
        }
    }

    private static int target(Map<Integer, Integer> index, int offset) {
        Integer i = index.get(offset);
        if (i == null) {
            throw new IllegalArgumentException("offset " + offset + " is not an instruction's");
        }
        return i;
    }

    /** Constant {@code index} as text, with every constant it names resolved. */
    private static String constant(ClassFileLayout c, int index) {
        int tag = c.tag(index);
        int at = c.entry[index];
        return switch (tag) {
            case ClassFileLayout.UTF8 -> "\"" + c.utf8(index) + "\"";
            case 3, 4 -> tag + ":" + c.u4(at + 1);
            case ClassFileLayout.LONG, ClassFileLayout.DOUBLE -> tag + ":" + c.u4(at + 1) + ":" + c.u4(at + 5);
            case 7, 8, 16, 19, 20 -> tag + ":" + constant(c, c.u2(at + 1));
            case 9, 10, 11, 12 -> tag + ":" + constant(c, c.u2(at + 1)) + "." + constant(c, c.u2(at + 3));
            case 15 -> tag + ":" + c.u1(at + 1) + ":" + constant(c, c.u2(at + 2));
            case ClassFileLayout.DYNAMIC, ClassFileLayout.INVOKE_DYNAMIC ->
                    tag + ":" + bootstrap(c, c.u2(at + 1)) + "." + constant(c, c.u2(at + 3));
            default -> throw new IllegalArgumentException("constant " + index + " has tag " + tag);
        };
    }

    /** Bootstrap method {@code n}: its handle and arguments, resolved. */
    private static String bootstrap(ClassFileLayout c, int n) {
        int table = c.attribute(c.attributes, "BootstrapMethods");
        if (table < 0) {
            throw new IllegalArgumentException("no BootstrapMethods attribute");
        }
        int at = table + 8;
        for (int i = 0; i < n; i++) {
            at += 4 + 2 * c.u2(at + 2);
        }
        StringBuilder text = new StringBuilder("bsm(").append(constant(c, c.u2(at)));
        for (int i = 0, count = c.u2(at + 2); i < count; i++) {
            text.append(',').append(constant(c, c.u2(at + 4 + 2 * i)));
        }
        return text.append(')').toString();
    }
}
