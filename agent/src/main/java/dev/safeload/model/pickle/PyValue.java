package dev.safeload.model.pickle;

import java.util.ArrayList;
import java.util.List;

/**
 * The symbolic values on {@link PickleMachine}'s stack and memo. Plain Python values are
 * {@link Long}, {@link java.math.BigInteger}, {@link String} and {@link Boolean}; everything
 * else is one of the types here. Containers keep their first items only, within the machine's
 * retention budget, so memory stays bounded whatever the pickle says.
 */
public final class PyValue {

    private PyValue() {
    }

    /** Values whose content is not kept: the kind is all the checks need. */
    public enum Opaque {
        NONE, FLOAT, BYTES, BYTEARRAY, BUFFER,
        /** A str longer than the machine keeps. */
        LONG_STR,
        /** An integer too large for a long. */
        BIG_INT,
        /** A value the machine could not track, such as a memo entry dropped at the memo cap. */
        UNKNOWN,
        /** What a persistent id resolves to (PyTorch: a storage). */
        PERSISTENT
    }

    /** An imported global: what {@code find_class(module, name)} returns. */
    public record Global(String module, String name, long offset) {
        /** {@code module.name}, the form allowlists use. */
        public String qualifiedName() {
            return module + "." + name;
        }

        @Override
        public String toString() {
            return qualifiedName();
        }
    }

    /** The result of calling (REDUCE, INST, OBJ, NEWOBJ) {@code callee} with {@code args}. */
    public static final class Call {
        public final Object callee;
        public final Object args;
        /** What BUILD last gave it, or null. */
        public Object state;

        Call(Object callee, Object args) {
            this.callee = callee;
            this.args = args;
        }

        /** The global called, or null when the callee was not an import. */
        public Global global() {
            return callee instanceof Global g ? g : null;
        }

        @Override
        public String toString() {
            return callee + "(...)";
        }
    }

    /** A list, tuple, set or frozenset. */
    public static final class Seq {
        public enum Kind { LIST, TUPLE, SET, FROZENSET }

        public final Kind kind;
        /** The first items, up to what the retention budget allowed (read-only for callers). */
        public List<Object> items = List.of();
        /** How many items it really has. */
        public long size;

        Seq(Kind kind) {
            this.kind = kind;
        }

        void add(Object item) {
            if (items.isEmpty()) {
                items = new ArrayList<>(4);
            }
            items.add(item);
        }

        /** Whether {@link #items} holds every item. */
        public boolean complete() {
            return items.size() == size;
        }

        public Object get(int i) {
            return i < items.size() ? items.get(i) : Opaque.UNKNOWN;
        }

        @Override
        public String toString() {
            return kind.name().toLowerCase() + items;
        }
    }

    /** A dict (or an OrderedDict's items); keys and values in insertion order. */
    public static final class Dict {
        /** Keys and values kept within the retention budget (read-only for callers). */
        public List<Object> keys = List.of();
        public List<Object> values = List.of();
        public long size;

        void put(Object key, Object value) {
            if (keys.isEmpty()) {
                keys = new ArrayList<>(4);
                values = new ArrayList<>(4);
            }
            keys.add(key);
            values.add(value);
        }

        /** The value for a str key, or null. */
        public Object get(String key) {
            for (int i = keys.size() - 1; i >= 0; i--) {
                if (key.equals(keys.get(i))) {
                    return values.get(i);
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return "dict(" + size + ")";
        }
    }
}
