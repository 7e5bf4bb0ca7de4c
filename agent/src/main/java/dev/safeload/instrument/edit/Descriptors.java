package dev.safeload.instrument.edit;

import java.util.ArrayList;
import java.util.List;

/** JVM descriptors taken apart by hand: the entry-hook edit loads no ASM for what it can read off the string. */
final class Descriptors {

    private Descriptors() {
    }

    /** The parameters' field descriptors of method descriptor {@code desc}, e.g. {@code [Ljava/lang/String;, J}. */
    static List<String> parameters(String desc) {
        List<String> out = new ArrayList<>();
        int at = 1;
        while (desc.charAt(at) != ')') {
            int end = fieldEnd(desc, at);
            out.add(desc.substring(at, end));
            at = end;
        }
        return out;
    }

    /** The return type's descriptor. */
    static String returnType(String desc) {
        return desc.substring(desc.indexOf(')') + 1);
    }

    /** True for an object or array type, false for a primitive (or void). */
    static boolean isReference(String field) {
        char c = field.charAt(0);
        return c == 'L' || c == '[';
    }

    /** Local variable and operand stack slots a value of this type takes. */
    static int size(String field) {
        char c = field.charAt(0);
        return c == 'J' || c == 'D' ? 2 : 1;
    }

    private static int fieldEnd(String desc, int at) {
        while (desc.charAt(at) == '[') {
            at++;
        }
        return desc.charAt(at) == 'L' ? desc.indexOf(';', at) + 1 : at + 1;
    }
}
