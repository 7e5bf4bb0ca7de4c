package dev.safeload.model.pickle;

import dev.safeload.model.pickle.PyValue.Call;
import dev.safeload.model.pickle.PyValue.Seq;

/**
 * The size of one element of a NumPy dtype and whether it holds Python objects, read from a
 * pickled {@code numpy.dtype(typestr, align, copy)} call and its BUILD state, or from a
 * {@code .npy} descr string.
 *
 * @param itemSize bytes per element
 * @param hasObject whether elements are Python objects (then a pickle holds them)
 */
public record NumpyDtype(long itemSize, boolean hasObject) {

    /** The dtype a pickled value describes, or null if it is not one this can size. */
    static NumpyDtype of(Object value) {
        if (!(value instanceof Call c) || c.global() == null || !c.global().name().equals("dtype")
                || !(c.args instanceof Seq args) || !(args.get(0) instanceof String typestr)) {
            return null;
        }
        boolean flaggedObject = false;
        long elsize = -1;
        if (c.state instanceof Seq state) {
            if (!state.complete()) {
                return null; // items were dropped past the retention budget, so indices shift
            }
            if (state.get(7) instanceof Long flags) {
                flaggedObject = (flags & 1) != 0; // NPY_ITEM_REFCOUNT: the dtype holds objects
            }
            if (state.get(5) instanceof Long size) {
                elsize = size;
            }
            if (state.get(4) instanceof PyValue.Dict) {
                // A structured dtype: its fields decide; only the flags say whether any is an object.
                return elsize > 0 ? new NumpyDtype(elsize, flaggedObject) : null;
            }
        }
        NumpyDtype simple = ofTypestr(typestr);
        if (simple == null) {
            return null;
        }
        long size = elsize > 0 ? elsize : simple.itemSize();
        return new NumpyDtype(size, simple.hasObject() || flaggedObject);
    }

    /** A simple typestr such as {@code <f4}, {@code |O}, {@code U10}; null for anything else. */
    public static NumpyDtype ofTypestr(String typestr) {
        String t = typestr;
        if (!t.isEmpty() && "<>|=".indexOf(t.charAt(0)) >= 0) {
            t = t.substring(1);
        }
        if (t.isEmpty()) {
            return null;
        }
        char kind = t.charAt(0);
        String digits = t.substring(1);
        int bracket = digits.indexOf('[');
        if (bracket >= 0 && (kind == 'M' || kind == 'm')) {
            digits = digits.substring(0, bracket); // datetime unit, e.g. M8[ns]
        }
        long n;
        if (digits.isEmpty()) {
            n = switch (kind) {
                case '?', 'b', 'B' -> 1;
                case 'O' -> 8;
                case 'h', 'H', 'e' -> 2;
                case 'i', 'I', 'f', 'l', 'L' -> kind == 'l' || kind == 'L' ? 8 : 4;
                case 'q', 'Q', 'd', 'g', 'p', 'P' -> 8;
                case 'F' -> 8;
                case 'D' -> 16;
                default -> -1;
            };
            if (n < 0) {
                return null;
            }
            return new NumpyDtype(n, kind == 'O');
        }
        try {
            n = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return null;
        }
        if (n < 0) {
            return null;
        }
        return switch (kind) {
            case 'b', 'i', 'u', 'f', 'c', 'M', 'm', 'V', 'S', 'a' -> new NumpyDtype(n, false);
            case 'U' -> new NumpyDtype(n * 4, false);
            case 'O' -> new NumpyDtype(8, true);
            default -> null;
        };
    }
}
