package dev.safeload.instrument.jdk;

import java.nio.charset.StandardCharsets;

/**
 * Where everything sits in a class file, found from tags and lengths alone: no constant is
 * decoded, so the cost is one pass over the bytes. Names are compared as bytes, against ASCII
 * strings (every name the edits look for is ASCII, whose modified UTF-8 is the same bytes).
 */
final class ClassFileLayout {

    static final int UTF8 = 1;
    static final int LONG = 5;
    static final int DOUBLE = 6;
    static final int DYNAMIC = 17;
    static final int INVOKE_DYNAMIC = 18;

    final byte[] bytes;
    /** The constant pool count: entries are numbered 1 to count - 1. */
    final int poolCount;
    /** The offset of each constant pool entry's tag, by index; 0 for the unused slot after a long or double. */
    final int[] entry;
    /** The offset of access_flags, right after the constant pool. */
    final int poolEnd;
    final int[] fields;
    final int[] methods;
    /** The offset of the class's attributes_count. */
    final int attributes;
    /** UTF8 constants decoded so far, by index. */
    private String[] decoded;

    ClassFileLayout(byte[] bytes) {
        this.bytes = bytes;
        if (bytes.length < 10 || u4(0) != 0xCAFEBABE) {
            throw new IllegalArgumentException("not a class file");
        }
        poolCount = u2(8);
        entry = new int[poolCount];
        int at = 10;
        // The reads written out, not u2 calls: a call per constant (1,500 at the first stream) is
        // what makes the JIT compile u2, at tier 4.
        for (int i = 1; i < poolCount; i++) {
            entry[i] = at;
            int tag = bytes[at] & 0xFF;
            at += switch (tag) {
                case UTF8 -> 3 + (((bytes[at + 1] & 0xFF) << 8) | (bytes[at + 2] & 0xFF));
                case 3, 4, 9, 10, 11, 12, DYNAMIC, INVOKE_DYNAMIC -> 5; // int, float, refs, name and type, dynamic
                case LONG, DOUBLE -> 9;
                case 7, 8, 16, 19, 20 -> 3; // class, string, method type, module, package
                case 15 -> 4; // method handle
                default -> throw new IllegalArgumentException("unknown constant pool tag " + tag + " at entry " + i);
            };
            if (tag == LONG || tag == DOUBLE) {
                i++;
            }
        }
        poolEnd = at;
        at += 6;
        at += 2 + 2 * u2(at); // interfaces
        fields = new int[u2(at)];
        at += 2;
        for (int i = 0; i < fields.length; i++) {
            fields[i] = at;
            at = memberEnd(at);
        }
        methods = new int[u2(at)];
        at += 2;
        for (int i = 0; i < methods.length; i++) {
            methods[i] = at;
            at = memberEnd(at);
        }
        attributes = at;
        if (attributesEnd(at) != bytes.length) {
            throw new IllegalArgumentException("class file ends at " + attributesEnd(at) + " of " + bytes.length);
        }
    }

    int u1(int at) {
        return bytes[at] & 0xFF;
    }

    int u2(int at) {
        return ((bytes[at] & 0xFF) << 8) | (bytes[at + 1] & 0xFF);
    }

    int u4(int at) {
        return (u2(at) << 16) | u2(at + 2);
    }

    /** The end of a field_info or method_info starting at {@code at}. */
    int memberEnd(int at) {
        return attributesEnd(at + 6);
    }

    /** The end of an attribute table whose count is at {@code at}. */
    int attributesEnd(int at) {
        int count = u2(at);
        at += 2;
        for (int i = 0; i < count; i++) { // the length read here: a u4 call per attribute made the JIT compile it
            at += 6 + (((bytes[at + 2] & 0xFF) << 24) | ((bytes[at + 3] & 0xFF) << 16) | ((bytes[at + 4] & 0xFF) << 8)
                    | (bytes[at + 5] & 0xFF));
        }
        return at;
    }

    /** Whether constant {@code index} is the UTF8 entry {@code ascii}. */
    boolean utf8Equals(int index, String ascii) {
        if (index <= 0 || index >= poolCount || entry[index] == 0 || u1(entry[index]) != UTF8) {
            return false;
        }
        int at = entry[index];
        if (u2(at + 1) != ascii.length()) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (bytes[at + 3 + i] != (byte) ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The length in bytes of constant {@code index} when it is a UTF8 entry, else -1. */
    int utf8Length(int index) {
        if (index <= 0 || index >= poolCount || entry[index] == 0 || bytes[entry[index]] != UTF8) {
            return -1;
        }
        return u2(entry[index] + 1);
    }

    /** The UTF8 constant {@code index}, decoded (modified UTF-8), once: the edits ask for the same names often. */
    String utf8(int index) {
        if (index <= 0 || index >= poolCount || entry[index] == 0 || u1(entry[index]) != UTF8) {
            throw new IllegalArgumentException("constant " + index + " is not a UTF8 entry");
        }
        if (decoded == null) {
            decoded = new String[poolCount];
        }
        String known = decoded[index];
        if (known == null) {
            known = decodeUtf8(index);
            decoded[index] = known;
        }
        return known;
    }

    private String decodeUtf8(int index) {
        int at = entry[index] + 3;
        int end = at + u2(at - 2);
        int ascii = at;
        while (ascii < end && bytes[ascii] >= 0) {
            ascii++;
        }
        if (ascii == end) {
            // Nearly every constant is ASCII: one copy, not a StringBuilder call per character.
            return new String(bytes, at, end - at, StandardCharsets.ISO_8859_1);
        }
        StringBuilder text = new StringBuilder(end - at);
        while (at < end) {
            int b = u1(at++);
            if (b < 0x80) {
                text.append((char) b);
            } else if ((b & 0xE0) == 0xC0 && at < end) {
                text.append((char) (((b & 0x1F) << 6) | (u1(at++) & 0x3F)));
            } else if ((b & 0xF0) == 0xE0 && at + 1 < end) {
                text.append((char) (((b & 0x0F) << 12) | ((u1(at) & 0x3F) << 6) | (u1(at + 1) & 0x3F)));
                at += 2;
            } else {
                throw new IllegalArgumentException("constant " + index + " is not modified UTF-8");
            }
        }
        return text.toString();
    }

    /** The tag of constant {@code index}, or 0 for none. */
    int tag(int index) {
        return index <= 0 || index >= poolCount || entry[index] == 0 ? 0 : u1(entry[index]);
    }

    /** The name of the class constant {@code index}. */
    String className(int index) {
        if (tag(index) != 7) {
            throw new IllegalArgumentException("constant " + index + " is not a class");
        }
        return utf8(u2(entry[index] + 1));
    }

    /** A field or method reference's {@code owner, name, descriptor}. */
    String[] member(int index) {
        int tag = tag(index);
        if (tag < 9 || tag > 11) {
            throw new IllegalArgumentException("constant " + index + " is not a field or method reference");
        }
        int nameAndType = entry[u2(entry[index] + 3)];
        return new String[] {className(u2(entry[index] + 1)), utf8(u2(nameAndType + 1)), utf8(u2(nameAndType + 3))};
    }

    /** Whether the field or method at {@code member} has this name and descriptor. */
    boolean named(int member, String name, String descriptor) {
        return utf8Equals(u2(member + 2), name) && utf8Equals(u2(member + 4), descriptor);
    }

    /** The offset of the first attribute named {@code name} in the table whose count is at {@code table}, or -1. */
    int attribute(int table, String name) {
        int count = u2(table);
        int at = table + 2;
        for (int i = 0; i < count; i++) {
            if (utf8Equals(u2(at), name)) {
                return at;
            }
            at += 6 + u4(at + 2);
        }
        return -1;
    }
}
