package dev.safeload.model.pickle;

import dev.safeload.model.pickle.PyValue.Call;
import dev.safeload.model.pickle.PyValue.Dict;
import dev.safeload.model.pickle.PyValue.Opaque;
import dev.safeload.model.pickle.PyValue.Seq;
import java.util.List;
import java.util.Set;

/**
 * The calls of {@code builtins.bytes} and {@code builtins.bytearray} a pickle may make: those
 * CPython writes. Protocols 0-2 pickle {@code b''} as {@code bytes()}, {@code bytearray(x)} as
 * {@code bytearray(_codecs.encode(s, 'latin1'))} (protocol 3+: {@code bytearray(b'...')}), and
 * Python 2 a bytearray as {@code bytearray(u'...', 'latin-1')}. Any other argument is refused:
 * {@code bytes(10**12)} allocates a terabyte, so the import alone is not harmless.
 */
final class BytesConstructor {

    static final Set<String> NAMES = Set.of("builtins.bytes", "builtins.bytearray");
    private static final Set<String> LATIN1 = Set.of("latin1", "latin-1");
    private static final String CODECS_ENCODE = "_codecs.encode";

    private BytesConstructor() {
    }

    /**
     * Why calling {@code bytes}/{@code bytearray} with {@code args} (and {@code kwargs}, null when
     * the opcode passes none) is refused, or null when it is one of the calls CPython writes: no
     * argument, or one whose size the pickle's own bytes bound (a str, a bytes value, a list of
     * small ints), or a str with the Latin-1 encoding.
     */
    static String refusal(Object args, Object kwargs) {
        if (kwargs != null && !(kwargs instanceof Dict d && d.size == 0)) {
            return "keyword arguments (" + PickleMachine.kind(kwargs) + ")";
        }
        if (!(args instanceof Seq s) || s.kind != Seq.Kind.TUPLE || !s.complete()) {
            return "arguments that are " + PickleMachine.kind(args) + ", not a tuple the check can read";
        }
        List<Object> items = s.items;
        if (items.isEmpty()) {
            return null;
        }
        if (items.size() == 1 && boundedSource(items.get(0))) {
            return null;
        }
        if (items.size() == 2 && isStr(items.get(0)) && items.get(1) instanceof String enc && LATIN1.contains(enc)) {
            return null;
        }
        StringBuilder kinds = new StringBuilder();
        for (Object item : items) {
            kinds.append(kinds.length() == 0 ? "" : ", ").append(PickleMachine.kind(item));
        }
        return "(" + kinds + ")";
    }

    /** A value whose bytes the pickle spells out, so its size is bounded by the pickle's. */
    private static boolean boundedSource(Object v) {
        if (isStr(v) || v == Opaque.BYTES || v == Opaque.BYTEARRAY) {
            return true;
        }
        if (isEncodedBytes(v)) {
            return true; // protocols 0-2 write bytes as _codecs.encode(str, 'latin1'): as long as the str
        }
        if (v instanceof Seq list && list.kind == Seq.Kind.LIST && list.complete()) {
            for (Object item : list.items) {
                if (!(item instanceof Long n) || n < 0 || n > 255) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    /** The result of {@code _codecs.encode(...)}, as protocols 0-2 write a bytes value. */
    static boolean isEncodedBytes(Object v) {
        return v instanceof Call c && c.global() != null && c.global().qualifiedName().equals(CODECS_ENCODE);
    }

    private static boolean isStr(Object v) {
        return v instanceof String || v == Opaque.LONG_STR;
    }
}
