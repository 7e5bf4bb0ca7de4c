package dev.safeload.instrument.jdk;

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
        at = members(fields, at + 2);
        methods = new int[u2(at)];
        at = members(methods, at + 2);
        attributes = at;
        if (attributesEnd(at) != bytes.length) {
            throw new IllegalArgumentException("class file ends at " + attributesEnd(at) + " of " + bytes.length);
        }
    }

    /**
     * Fills {@code into} with the offsets of the members (field_info or method_info) that start
     * at {@code at}; returns the offset after them. Their attributes are skipped here, not by a
     * memberEnd and attributesEnd call each (five hundred at the first stream).
     */
    private int members(int[] into, int at) {
        byte[] b = bytes;
        for (int i = 0; i < into.length; i++) {
            into[i] = at;
            int count = ((b[at + 6] & 0xFF) << 8) | (b[at + 7] & 0xFF);
            at += 8;
            for (int a = 0; a < count; a++) {
                at += 6 + (((b[at + 2] & 0xFF) << 24) | ((b[at + 3] & 0xFF) << 16) | ((b[at + 4] & 0xFF) << 8)
                        | (b[at + 5] & 0xFF));
            }
        }
        return at;
    }

    int u1(int at) {
        return bytes[at] & 0xFF;
    }

    int u2(int at) {
        return ((bytes[at] & 0xFF) << 8) | (bytes[at + 1] & 0xFF);
    }

    int u4(int at) {
        return ((bytes[at] & 0xFF) << 24) | ((bytes[at + 1] & 0xFF) << 16) | ((bytes[at + 2] & 0xFF) << 8) | (bytes[at + 3] & 0xFF);
    }

    /** The end of a field_info or method_info starting at {@code at}. */
    int memberEnd(int at) {
        return attributesEnd(at + 6);
    }

    /** The end of an attribute table whose count is at {@code at}. */
    int attributesEnd(int at) {
        int count = ((bytes[at] & 0xFF) << 8) | (bytes[at + 1] & 0xFF);
        at += 2;
        for (int i = 0; i < count; i++) { // the length read here: a u4 call per attribute made the JIT compile it
            at += 6 + (((bytes[at + 2] & 0xFF) << 24) | ((bytes[at + 3] & 0xFF) << 16) | ((bytes[at + 4] & 0xFF) << 8)
                    | (bytes[at + 5] & 0xFF));
        }
        return at;
    }

    /** Whether constant {@code index} is the UTF8 entry {@code ascii}. */
    boolean utf8Equals(int index, String ascii) {
        if (index <= 0 || index >= poolCount) {
            return false;
        }
        // The bytes read here and the length once, not a u1, u2 and length call each (with the
        // loop's, 1,600 length calls at the first stream: enough for the JIT to compile it at tier 4).
        byte[] b = bytes;
        int at = entry[index];
        int length = ascii.length();
        if (at == 0 || b[at] != UTF8 || (((b[at + 1] & 0xFF) << 8) | (b[at + 2] & 0xFF)) != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (b[at + 3 + i] != (byte) ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The length in bytes of each member's name (a UTF8 entry, else -1), by the members' offsets: one call for a table. */
    int[] nameLengths(int[] members) {
        int[] lengths = new int[members.length];
        byte[] b = bytes;
        for (int i = 0; i < members.length; i++) {
            int index = ((b[members[i] + 2] & 0xFF) << 8) | (b[members[i] + 3] & 0xFF);
            int at = index <= 0 || index >= poolCount ? 0 : entry[index];
            lengths[i] = at == 0 || b[at] != UTF8 ? -1 : ((b[at + 1] & 0xFF) << 8) | (b[at + 2] & 0xFF);
        }
        return lengths;
    }

    /** The UTF8 constant {@code index}, decoded (modified UTF-8), once: the edits ask for the same names often. */
    String utf8(int index) {
        if (index <= 0 || index >= poolCount || entry[index] == 0 || bytes[entry[index]] != UTF8) {
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

    @SuppressWarnings("deprecation") // String(byte[], int hibyte, int, int): see below
    private String decodeUtf8(int index) {
        int at = entry[index] + 3;
        int end = at + (((bytes[at - 2] & 0xFF) << 8) | (bytes[at - 1] & 0xFF));
        int ascii = at;
        while (ascii < end && bytes[ascii] >= 0) {
            ascii++;
        }
        if (ascii == end) {
            // Nearly every constant is ASCII: one copy, not a StringBuilder call per character. Each
            // byte as the char's low byte, without a Charset: StandardCharsets.ISO_8859_1 would
            // initialize StandardCharsets and five charsets the host may never use (at the first stream).
            return new String(bytes, 0, at, end - at);
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
        return index <= 0 || index >= poolCount || entry[index] == 0 ? 0 : bytes[entry[index]] & 0xFF;
    }

    /** The name of the class constant {@code index}. */
    String className(int index) {
        if (index <= 0 || index >= poolCount || entry[index] == 0 || bytes[entry[index]] != 7) {
            throw new IllegalArgumentException("constant " + index + " is not a class");
        }
        int at = entry[index];
        return utf8(((bytes[at + 1] & 0xFF) << 8) | (bytes[at + 2] & 0xFF));
    }

    /** A field or method reference's {@code owner, name, descriptor}. */
    String[] member(int index) {
        int tag = tag(index);
        if (tag < 9 || tag > 11) {
            throw new IllegalArgumentException("constant " + index + " is not a field or method reference");
        }
        byte[] b = bytes;
        int at = entry[index];
        int nameAndType = entry[((b[at + 3] & 0xFF) << 8) | (b[at + 4] & 0xFF)];
        return new String[] {className(((b[at + 1] & 0xFF) << 8) | (b[at + 2] & 0xFF)),
                utf8(((b[nameAndType + 1] & 0xFF) << 8) | (b[nameAndType + 2] & 0xFF)),
                utf8(((b[nameAndType + 3] & 0xFF) << 8) | (b[nameAndType + 4] & 0xFF))};
    }

    /** Whether the field or method at {@code member} has this name and descriptor. */
    boolean named(int member, String name, String descriptor) {
        byte[] b = bytes;
        return utf8Equals(((b[member + 2] & 0xFF) << 8) | (b[member + 3] & 0xFF), name)
                && utf8Equals(((b[member + 4] & 0xFF) << 8) | (b[member + 5] & 0xFF), descriptor);
    }

    /** The offset of the first attribute named {@code name} in the table whose count is at {@code table}, or -1. */
    int attribute(int table, String name) {
        byte[] b = bytes;
        int count = ((b[table] & 0xFF) << 8) | (b[table + 1] & 0xFF);
        int at = table + 2;
        for (int i = 0; i < count; i++) {
            if (utf8Equals(((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF), name)) {
                return at;
            }
            at += 6 + u4(at + 2);
        }
        return -1;
    }
}
