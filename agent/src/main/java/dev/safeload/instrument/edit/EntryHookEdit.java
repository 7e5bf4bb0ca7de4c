package dev.safeload.instrument.edit;

import dev.safeload.instrument.edit.EntryHook.Value;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes {@link EntryHook}s into a class's bytes: at each hooked method's entry, the values
 * pushed, the bridge called, and its answer handed to {@link Refusal}. Nothing else of the class
 * changes.
 *
 * <p>A plain byte edit, without ASM: the constants the inserted code names are appended to the
 * pool (a class file may hold a constant twice), the code is put before the method's own, padded
 * with {@code nop}s to a multiple of 4 bytes so that every {@code tableswitch} keeps its
 * alignment, and what names a code offset moves by that much: the exception table, the line and
 * local variable tables, and the first stack map frame (later frames are deltas). The inserted
 * code has no branch, so it needs no frame of its own, and raises only the method's max stack.
 * The hooked library loads on the host's start; through ASM this edit loaded 27 ASM classes and
 * copied the class's whole constant pool (about 12 ms of CPU on the ONNX and demo servers).
 * Hooks with an {@code invokedynamic} call site, and code with type annotations, still go through
 * ASM ({@link AsmEntryHookEdit}).
 */
public final class EntryHookEdit {

    static final String REFUSAL = "dev/safeload/instrument/edit/Refusal";
    private static final String STRING = "Ljava/lang/String;";
    private static final String OBJECT = "Ljava/lang/Object;";

    private static final int ACC_STATIC = 0x0008;
    private static final int ACC_NATIVE = 0x0100;
    private static final int ACC_ABSTRACT = 0x0400;
    private static final int JAVA_5 = 49;

    private final byte[] bytes;
    private final List<EntryHook> hooks;
    private final Set<EntryHook> applied = new LinkedHashSet<>();
    private final List<Problem> problems = new ArrayList<>();
    private final int[] entry;
    private final int poolEnd;
    private final int thisClass;
    private final String owner;
    private final boolean classLiterals;
    private final Pool pool;

    /**
     * The result of one class's edit.
     *
     * @param bytes the edited class, or null when no hook found its method
     * @param applied the hooks that found at least one method
     * @param problems one line per hook that went on no method: each overload it could not be
     *     written on, or that no method matched (not said of a hook on subtypes, which may inherit it)
     */
    public record Result(byte[] bytes, Set<EntryHook> applied, List<String> problems) {
    }

    record Problem(EntryHook hook, String text) {
    }

    /** What the plain edit does not write; the hooks then go through ASM. */
    private static final class Unsupported extends RuntimeException {
        Unsupported(String message) {
            super(message, null, false, false);
        }
    }

    /** Applies {@code hooks}, all on this class, to its bytes. Never throws for a class it cannot edit. */
    public static Result apply(byte[] bytes, List<EntryHook> hooks) {
        for (EntryHook hook : hooks) {
            for (Value value : hook.values()) {
                if (value.site() != null) {
                    return AsmEntryHookEdit.apply(bytes, hooks);
                }
            }
        }
        try {
            return new EntryHookEdit(bytes, hooks).edit();
        } catch (Unsupported e) {
            return AsmEntryHookEdit.apply(bytes, hooks);
        }
    }

    /** The result, from the hooks that went on a method and the problems met on the way. */
    static Result result(byte[] edited, List<EntryHook> hooks, Set<EntryHook> applied, List<Problem> found) {
        // An overload a hook cannot take is no problem when the hook went on another one: a
        // model.hooks entry names a method, not an overload, and the overloads without its
        // parameter are not the loader it means.
        List<String> problems = new ArrayList<>();
        Set<EntryHook> said = new LinkedHashSet<>();
        for (Problem p : found) {
            if (!applied.contains(p.hook())) {
                problems.add(p.text());
                said.add(p.hook());
            }
        }
        for (EntryHook hook : hooks) {
            if (!applied.contains(hook) && !said.contains(hook) && !hook.onSubtypes()) {
                problems.add(hook + ": no such method");
            }
        }
        return new Result(applied.isEmpty() ? null : edited, Set.copyOf(applied), List.copyOf(problems));
    }

    /** Why {@code hook} cannot go on a method with these parameters, or null when it can. */
    static String problem(EntryHook hook, boolean isStatic, List<String> parameters, boolean classLiterals) {
        for (Value value : hook.values()) {
            switch (value.kind()) {
                case ARGUMENT -> {
                    if (value.index() < 0 || value.index() >= parameters.size()) {
                        return "it has no parameter " + value.index();
                    }
                }
                case SELF -> {
                    if (isStatic) {
                        return "it is static and has no this";
                    }
                }
                case HOOKED_CLASS -> {
                    if (!classLiterals) {
                        return "its class file is older than Java 5 and cannot name its own class";
                    }
                }
                default -> {
                }
            }
            if (!value.calls().isEmpty() && value.kind() != EntryHook.Kind.SELF
                    && value.kind() != EntryHook.Kind.ARGUMENT) {
                return "a getter needs this or a parameter, not " + value.kind();
            }
            for (EntryHook.Call call : value.calls()) {
                if (!call.descriptor().startsWith("()") || !Descriptors.isReference(Descriptors.returnType(call.descriptor()))) {
                    return "getter " + call.name() + call.descriptor() + " must take nothing and return a reference";
                }
                if (value.kind() == EntryHook.Kind.ARGUMENT && !Descriptors.isReference(parameters.get(value.index()))) {
                    return "parameter " + value.index() + " is primitive and has no getter " + call.name();
                }
            }
            EntryHook.Site site = value.site();
            if (site != null) {
                if (value.kind() != EntryHook.Kind.SELF && value.kind() != EntryHook.Kind.ARGUMENT) {
                    return "a call site needs this or a parameter, not " + value.kind();
                }
                if (value.kind() == EntryHook.Kind.ARGUMENT && value.calls().isEmpty()
                        && !Descriptors.isReference(parameters.get(value.index()))) {
                    return "parameter " + value.index() + " is primitive: call site " + site.name() + " takes a reference";
                }
                if (!site.returnType().equals("I") && !Descriptors.isReference(site.returnType())) {
                    return "call site " + site.name() + " must return an int or a reference, not " + site.returnType();
                }
            }
        }
        if (hook.outcome() == EntryHook.Outcome.REPLACE_ARGUMENT && (hook.replaced() < 0
                || hook.replaced() >= parameters.size() || !Descriptors.isReference(parameters.get(hook.replaced())))) {
            return "it has no reference parameter " + hook.replaced() + " to replace";
        }
        return null;
    }

    private EntryHookEdit(byte[] bytes, List<EntryHook> hooks) {
        this.bytes = bytes;
        this.hooks = hooks;
        if (bytes.length < 10 || u4(0) != 0xCAFEBABE) {
            throw new IllegalArgumentException("not a class file");
        }
        int count = u2(8);
        entry = new int[count];
        int at = 10;
        for (int i = 1; i < count; i++) {
            entry[i] = at;
            int tag = bytes[at] & 0xFF;
            at += switch (tag) {
                case 1 -> 3 + u2(at + 1); // UTF-8
                case 3, 4, 9, 10, 11, 12, 17, 18 -> 5; // int, float, refs, name and type, dynamic, invokedynamic
                case 5, 6 -> 9; // long, double: two slots
                case 7, 8, 16, 19, 20 -> 3; // class, string, method type, module, package
                case 15 -> 4; // method handle
                default -> throw new IllegalArgumentException("unknown constant pool tag " + tag + " at entry " + i);
            };
            if (tag == 5 || tag == 6) {
                i++;
            }
        }
        poolEnd = at;
        thisClass = u2(at + 2);
        owner = utf8(u2(entry[thisClass] + 1));
        classLiterals = u2(6) >= JAVA_5;
        pool = new Pool(count);
    }

    private Result edit() {
        int at = poolEnd + 6;
        at += 2 + 2 * u2(at); // interfaces
        int fields = u2(at);
        at += 2;
        for (int i = 0; i < fields; i++) {
            at = memberEnd(at);
        }
        int methods = u2(at);
        at += 2;
        // Each edited method's Code attribute: its offset, its length, and what replaces it.
        List<int[]> spans = new ArrayList<>();
        List<byte[]> codes = new ArrayList<>();
        for (int i = 0; i < methods; i++) {
            int method = at;
            at = memberEnd(at);
            int access = u2(method);
            if ((access & (ACC_ABSTRACT | ACC_NATIVE)) != 0) {
                continue;
            }
            String name = utf8(u2(method + 2));
            String desc = utf8(u2(method + 4));
            List<String> parameters = null;
            List<EntryHook> here = new ArrayList<>();
            for (EntryHook hook : hooks) {
                if (hook.matches(name, desc)) {
                    parameters = parameters != null ? parameters : Descriptors.parameters(desc);
                    String problem = problem(hook, (access & ACC_STATIC) != 0, parameters, classLiterals);
                    if (problem == null) {
                        here.add(hook);
                    } else {
                        problems.add(new Problem(hook, owner.replace('/', '.') + "." + name + desc + ": " + problem));
                    }
                }
            }
            if (here.isEmpty()) {
                continue;
            }
            int code = code(method);
            Insert insert = new Insert(name, (access & ACC_STATIC) != 0, parameters);
            for (EntryHook hook : here) {
                insert.hook(hook);
            }
            spans.add(new int[] {code, 6 + u4(code + 2)});
            codes.add(withEntry(code, insert));
            applied.addAll(here);
        }
        if (applied.isEmpty()) {
            return result(null, hooks, applied, problems);
        }
        Out out = new Out(bytes.length + pool.out.size + 64 * codes.size());
        out.bytes(bytes, 0, 8);
        out.u2(pool.next);
        out.bytes(bytes, 10, poolEnd - 10);
        out.bytes(pool.out.buf, 0, pool.out.size);
        int copied = poolEnd;
        for (int i = 0; i < spans.size(); i++) {
            int[] span = spans.get(i);
            out.bytes(bytes, copied, span[0] - copied);
            out.bytes(codes.get(i), 0, codes.get(i).length);
            copied = span[0] + span[1];
        }
        out.bytes(bytes, copied, bytes.length - copied);
        return result(out.toByteArray(), hooks, applied, problems);
    }

    /** The method's Code attribute. */
    private int code(int method) {
        int at = method + 8;
        for (int i = u2(method + 6); i > 0; i--) {
            if (utf8(u2(at)).equals("Code")) {
                return at;
            }
            at += 6 + u4(at + 2);
        }
        throw new IllegalArgumentException("a method without code is neither abstract nor native");
    }

    /** The Code attribute at {@code code} with the inserted code before the method's own. */
    private byte[] withEntry(int code, Insert insert) {
        int maxStack = Math.max(u2(code + 6), insert.stackNeeded);
        int length = u4(code + 10);
        int shift = (insert.code.size + 3) & ~3;
        if (length + shift > 65535) {
            throw new Unsupported("the method's code would grow past 65,535 bytes");
        }
        int start = code + 14;
        Out out = new Out(length + shift + 256);
        out.u2(u2(code));
        out.u4(0); // the length, written below
        out.u2(maxStack);
        out.u2(u2(code + 8));
        out.u4(length + shift);
        out.bytes(insert.code.buf, 0, insert.code.size);
        for (int i = insert.code.size; i < shift; i++) {
            out.u1(0); // nop
        }
        out.bytes(bytes, start, length);
        int at = start + length;
        int handlers = u2(at);
        out.u2(handlers);
        at += 2;
        for (int i = 0; i < handlers; i++, at += 8) {
            out.u2(u2(at) + shift);
            out.u2(u2(at + 2) + shift);
            out.u2(u2(at + 4) + shift);
            out.u2(u2(at + 6));
        }
        int attributes = u2(at);
        out.u2(attributes);
        at += 2;
        for (int i = 0; i < attributes; i++) {
            String name = utf8(u2(at));
            int size = u4(at + 2);
            int body = at + 6;
            switch (name) {
                case "LineNumberTable" -> {
                    out.bytes(bytes, at, 8);
                    for (int e = 0, p = body + 2; e < u2(body); e++, p += 4) {
                        out.u2(u2(p) + shift);
                        out.u2(u2(p + 2));
                    }
                }
                case "LocalVariableTable", "LocalVariableTypeTable" -> {
                    out.bytes(bytes, at, 8);
                    for (int e = 0, p = body + 2; e < u2(body); e++, p += 10) {
                        out.u2(u2(p) + shift);
                        out.bytes(bytes, p + 2, 8);
                    }
                }
                case "StackMapTable" -> {
                    byte[] frames = frames(body, shift);
                    out.bytes(bytes, at, 2);
                    out.u4(frames.length);
                    out.bytes(frames, 0, frames.length);
                }
                case "RuntimeVisibleTypeAnnotations", "RuntimeInvisibleTypeAnnotations" ->
                        throw new Unsupported("type annotations on the code");
                default -> out.bytes(bytes, at, 6 + size);
            }
            at = body + size;
        }
        byte[] edited = out.toByteArray();
        int attributeLength = edited.length - 6;
        edited[2] = (byte) (attributeLength >>> 24);
        edited[3] = (byte) (attributeLength >>> 16);
        edited[4] = (byte) (attributeLength >>> 8);
        edited[5] = (byte) attributeLength;
        return edited;
    }

    /** The stack map table's entries with the first frame's offset, and every {@code new}'s, moved by {@code shift}. */
    private byte[] frames(int body, int shift) {
        Out out = new Out(u4(body - 4) + 8);
        int count = u2(body);
        out.u2(count);
        int at = body + 2;
        for (int i = 0; i < count; i++) {
            int tag = bytes[at++] & 0xFF;
            int move = i == 0 ? shift : 0;
            if (tag < 64) { // same frame
                int delta = tag + move;
                if (delta < 64) {
                    out.u1(delta);
                } else {
                    out.u1(251);
                    out.u2(delta);
                }
            } else if (tag < 128) { // same locals, one stack item
                int delta = tag - 64 + move;
                if (delta < 64) {
                    out.u1(64 + delta);
                } else {
                    out.u1(247);
                    out.u2(delta);
                }
                at = type(at, out, shift);
            } else if (tag < 247) {
                throw new IllegalArgumentException("reserved stack map frame type " + tag);
            } else {
                out.u1(tag);
                out.u2(u2(at) + move);
                at += 2;
                if (tag == 247) {
                    at = type(at, out, shift);
                } else if (tag >= 252 && tag <= 254) {
                    for (int t = tag - 251; t > 0; t--) {
                        at = type(at, out, shift);
                    }
                } else if (tag == 255) {
                    for (int list = 0; list < 2; list++) {
                        int n = u2(at);
                        out.u2(n);
                        at += 2;
                        for (int t = 0; t < n; t++) {
                            at = type(at, out, shift);
                        }
                    }
                }
            }
        }
        return out.toByteArray();
    }

    /** Copies one verification type; an uninitialized one names its {@code new}'s offset, which moves. */
    private int type(int at, Out out, int shift) {
        int tag = bytes[at] & 0xFF;
        out.u1(tag);
        if (tag == 7) { // object: a class constant
            out.u2(u2(at + 1));
            return at + 3;
        }
        if (tag == 8) { // uninitialized: the offset of its new
            out.u2(u2(at + 1) + shift);
            return at + 3;
        }
        return at + 1;
    }

    /** The code inserted at one method's entry, and the stack it needs. */
    private final class Insert {
        private final String method;
        private final boolean isStatic;
        private final List<String> parameters;
        final Out code = new Out(64);
        int stackNeeded;

        Insert(String method, boolean isStatic, List<String> parameters) {
            this.method = method;
            this.isStatic = isStatic;
            this.parameters = parameters;
        }

        void hook(EntryHook hook) {
            StringBuilder bridge = new StringBuilder("(");
            int slots = 0;
            for (Value value : hook.values()) {
                String pushed = switch (value.kind()) {
                    case CONSTANT -> {
                        ldc(pool.string(value.constant()));
                        yield STRING;
                    }
                    case HOOKED_METHOD -> {
                        ldc(pool.string(owner.replace('/', '.') + "." + method));
                        yield STRING;
                    }
                    case ARGUMENT -> {
                        String type = parameters.get(value.index());
                        variable(load(type), slot(value.index()));
                        yield type;
                    }
                    case SELF -> {
                        variable(0x19, 0); // aload
                        yield "L" + owner + ";";
                    }
                    case HOOKED_CLASS -> {
                        ldc(thisClass);
                        yield "Ljava/lang/Class;";
                    }
                };
                // Each getter replaces its receiver (a reference, handed over as an Object either way) on the stack.
                for (EntryHook.Call call : value.calls()) {
                    invoke(0xB6, call.owner(), call.name(), call.descriptor()); // invokevirtual
                    pushed = Descriptors.returnType(call.descriptor());
                }
                boolean asIs = value.kind() == EntryHook.Kind.HOOKED_CLASS || value.kind() == EntryHook.Kind.CONSTANT
                        || value.kind() == EntryHook.Kind.HOOKED_METHOD;
                bridge.append(asIs || !Descriptors.isReference(pushed) ? pushed : OBJECT);
                slots += Descriptors.size(pushed);
            }
            String bridgeOwner = hook.bridgeOwner().replace('.', '/');
            switch (hook.outcome()) {
                case THROW_RETURNED -> {
                    invoke(0xB8, bridgeOwner, hook.bridgeMethod(), bridge.append(")Ljava/lang/Throwable;").toString());
                    invoke(0xB8, REFUSAL, "throwIfAny", "(Ljava/lang/Throwable;)V");
                }
                case REPLACE_ARGUMENT -> {
                    invoke(0xB8, bridgeOwner, hook.bridgeMethod(), bridge.append(")Ljava/lang/Object;").toString());
                    invoke(0xB8, REFUSAL, "unlessThrowable", "(Ljava/lang/Object;)Ljava/lang/Object;");
                    String type = parameters.get(hook.replaced());
                    if (!type.equals(OBJECT)) {
                        code.u1(0xC0); // checkcast: an array by its descriptor, a class by its internal name
                        code.u2(pool.classRef(type.charAt(0) == '[' ? type : type.substring(1, type.length() - 1)));
                    }
                    variable(0x3A, slot(hook.replaced())); // astore
                }
                case CALL -> invoke(0xB8, bridgeOwner, hook.bridgeMethod(), bridge.append(")V").toString());
            }
            stackNeeded = Math.max(stackNeeded, Math.max(slots, 1));
        }

        private void ldc(int constant) {
            code.u1(0x13); // ldc_w: any pool index
            code.u2(constant);
        }

        private void invoke(int opcode, String owner, String name, String descriptor) {
            code.u1(opcode);
            code.u2(pool.methodRef(owner, name, descriptor));
        }

        private void variable(int opcode, int slot) {
            if (slot > 255) {
                code.u1(0xC4); // wide
                code.u1(opcode);
                code.u2(slot);
            } else {
                code.u1(opcode);
                code.u1(slot);
            }
        }

        private static int load(String type) {
            return switch (type.charAt(0)) {
                case 'J' -> 0x16; // lload
                case 'F' -> 0x17; // fload
                case 'D' -> 0x18; // dload
                case 'L', '[' -> 0x19; // aload
                default -> 0x15; // iload: int, short, char, byte, boolean
            };
        }

        private int slot(int parameter) {
            int slot = isStatic ? 0 : 1;
            for (int i = 0; i < parameter; i++) {
                slot += Descriptors.size(parameters.get(i));
            }
            return slot;
        }
    }

    /** Constants appended after the class's own pool, each written once. */
    private static final class Pool {
        final Out out = new Out(256);
        final Map<String, Integer> written = new HashMap<>();
        int next;

        Pool(int count) {
            next = count;
        }

        int utf8(String s) {
            Integer known = written.get("U" + s);
            if (known != null) {
                return known;
            }
            byte[] encoded = modifiedUtf8(s);
            return add("U" + s, 1, encoded.length, encoded);
        }

        int string(String s) {
            return reference("S" + s, 8, utf8(s));
        }

        int classRef(String internalName) {
            return reference("C" + internalName, 7, utf8(internalName));
        }

        int methodRef(String owner, String name, String descriptor) {
            String key = "M" + owner + '.' + name + descriptor;
            Integer known = written.get(key);
            if (known != null) {
                return known;
            }
            int type = classRef(owner);
            String natKey = "N" + name + descriptor;
            Integer nat = written.get(natKey);
            if (nat == null) {
                int n = utf8(name);
                int d = utf8(descriptor);
                nat = add(natKey, 12, n, null);
                out.u2(d);
            }
            int ref = add(key, 10, type, null);
            out.u2(nat);
            return ref;
        }

        private int reference(String key, int tag, int index) {
            Integer known = written.get(key);
            return known != null ? known : add(key, tag, index, null);
        }

        /** Writes the tag and a u2 (and the bytes, if any); the caller writes any second u2. */
        private int add(String key, int tag, int u2, byte[] then) {
            if (next > 65534) {
                throw new Unsupported("the constant pool is full");
            }
            out.u1(tag);
            out.u2(u2);
            if (then != null) {
                out.bytes(then, 0, then.length);
            }
            written.put(key, next);
            return next++;
        }

        private static byte[] modifiedUtf8(String s) {
            boolean ascii = true;
            for (int i = 0; i < s.length() && ascii; i++) {
                char c = s.charAt(i);
                ascii = c != 0 && c < 0x80;
            }
            if (ascii) {
                return s.getBytes(StandardCharsets.ISO_8859_1);
            }
            Out out = new Out(s.length() * 3);
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c != 0 && c < 0x80) {
                    out.u1(c);
                } else if (c < 0x800) {
                    out.u1(0xC0 | c >> 6);
                    out.u1(0x80 | c & 0x3F);
                } else {
                    out.u1(0xE0 | c >> 12);
                    out.u1(0x80 | c >> 6 & 0x3F);
                    out.u1(0x80 | c & 0x3F);
                }
            }
            if (out.size > 65535) {
                throw new IllegalArgumentException("a constant longer than 65,535 bytes: " + s.substring(0, 40) + "...");
            }
            return out.toByteArray();
        }
    }

    /** A growing byte buffer, big-endian. */
    private static final class Out {
        byte[] buf;
        int size;

        Out(int capacity) {
            buf = new byte[Math.max(16, capacity)];
        }

        void u1(int v) {
            if (size == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            buf[size++] = (byte) v;
        }

        void u2(int v) {
            u1(v >>> 8);
            u1(v);
        }

        void u4(int v) {
            u2(v >>> 16);
            u2(v);
        }

        void bytes(byte[] b, int from, int n) {
            if (size + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
            }
            System.arraycopy(b, from, buf, size, n);
            size += n;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, size);
        }
    }

    private int memberEnd(int at) {
        int attributes = u2(at + 6);
        at += 8;
        for (int i = 0; i < attributes; i++) {
            at += 6 + u4(at + 2);
        }
        return at;
    }

    /** The UTF-8 constant at {@code index}, decoded from modified UTF-8. */
    private String utf8(int index) {
        int at = entry[index];
        if (bytes[at] != 1) {
            throw new IllegalArgumentException("constant " + index + " is not a UTF-8 string");
        }
        int length = u2(at + 1);
        int from = at + 3;
        int end = from + length;
        char[] chars = new char[length];
        int n = 0;
        for (int i = from; i < end; ) {
            int b = bytes[i] & 0xFF;
            if (b < 0x80) {
                chars[n++] = (char) b;
                i++;
            } else if ((b & 0xE0) == 0xC0) {
                chars[n++] = (char) ((b & 0x1F) << 6 | bytes[i + 1] & 0x3F);
                i += 2;
            } else {
                chars[n++] = (char) ((b & 0x0F) << 12 | (bytes[i + 1] & 0x3F) << 6 | bytes[i + 2] & 0x3F);
                i += 3;
            }
        }
        return new String(chars, 0, n);
    }

    private int u2(int at) {
        return (bytes[at] & 0xFF) << 8 | bytes[at + 1] & 0xFF;
    }

    private int u4(int at) {
        return u2(at) << 16 | u2(at + 2);
    }
}
