package dev.safeload.model.numpy;

import dev.safeload.model.ModelSource;
import dev.safeload.model.ModelSources;
import dev.safeload.model.pickle.NumpyDtype;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a {@code .npy} file: magic, version, and a Python dict literal with
 * {@code descr}, {@code fortran_order} and {@code shape}, parsed here without any evaluation.
 *
 * @param dataOffset where the array data (or, for object arrays, the pickle) starts
 * @param descr the dtype description: a typestr, or a list of fields for a structured dtype
 * @param shape the dimensions
 * @param error why the header cannot be read, or null
 */
record NpyHeader(long dataOffset, Object descr, List<Long> shape, String error) {

    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    static boolean hasMagic(byte[] head) {
        if (head.length < 10) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (head[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    static NpyHeader read(ModelSource source) throws IOException {
        byte[] pre = ModelSources.readAt(source, 0, 12);
        if (pre.length < 10) {
            return failed("file ends inside the .npy preamble");
        }
        int major = pre[6] & 0xff;
        long len;
        int start;
        if (major == 1) {
            len = (pre[8] & 0xff) | (pre[9] & 0xff) << 8;
            start = 10;
        } else if (major == 2 || major == 3) {
            if (pre.length < 12) {
                return failed("file ends inside the .npy preamble");
            }
            len = (pre[8] & 0xffL) | (pre[9] & 0xffL) << 8 | (pre[10] & 0xffL) << 16 | (pre[11] & 0xffL) << 24;
            start = 12;
        } else {
            return failed(".npy format version " + major + " is not one NumPy writes");
        }
        if (len > 16 * 1024 * 1024) {
            return failed(".npy header of " + len + " bytes; NumPy refuses headers this large");
        }
        byte[] text = ModelSources.readAt(source, start, (int) len);
        if (text.length < len) {
            return failed("file ends inside the .npy header (truncated)");
        }
        String header = new String(text, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        try {
            Object parsed = new Literal(header).parse();
            if (!(parsed instanceof Map<?, ?> dict) || !dict.containsKey("descr") || !dict.containsKey("shape")) {
                return failed(".npy header is not a dict with descr and shape");
            }
            List<Long> shape = new ArrayList<>();
            if (!(dict.get("shape") instanceof List<?> dims)) {
                return failed(".npy shape is not a tuple");
            }
            for (Object d : dims) {
                if (!(d instanceof Long n) || n < 0) {
                    return failed(".npy shape holds something other than sizes");
                }
                shape.add(n);
            }
            return new NpyHeader(start + len, dict.get("descr"), shape, null);
        } catch (IllegalArgumentException e) {
            return failed(".npy header is not a Python literal: " + e.getMessage());
        }
    }

    private static NpyHeader failed(String why) {
        return new NpyHeader(-1, null, List.of(), why);
    }

    /** Whether any field of the dtype holds Python objects (then the data is a pickle). */
    boolean hasObject() {
        return hasObject(descr);
    }

    private static boolean hasObject(Object descr) {
        if (descr instanceof String s) {
            NumpyDtype d = NumpyDtype.ofTypestr(s);
            return d == null ? s.contains("O") : d.hasObject();
        }
        if (descr instanceof List<?> fields) {
            for (Object f : fields) {
                if (f instanceof List<?> field && field.size() >= 2 && hasObject(field.get(1))) {
                    return true;
                }
                if (!(f instanceof List<?>)) {
                    return true; // not a field: cannot be sure, so treat as objects
                }
            }
            return false;
        }
        return true;
    }

    /** Bytes per element, or -1 if the descr is not one this can size. */
    long itemSize() {
        return itemSize(descr);
    }

    private static long itemSize(Object descr) {
        if (descr instanceof String s) {
            NumpyDtype d = NumpyDtype.ofTypestr(s);
            return d == null ? -1 : d.itemSize();
        }
        if (descr instanceof List<?> fields) {
            long total = 0;
            for (Object f : fields) {
                if (!(f instanceof List<?> field) || field.size() < 2) {
                    return -1;
                }
                long size = itemSize(field.get(1));
                if (size < 0) {
                    return -1;
                }
                if (field.size() > 2 && field.get(2) instanceof List<?> sub) {
                    for (Object n : sub) {
                        if (!(n instanceof Long k)) {
                            return -1;
                        }
                        size *= k;
                    }
                }
                total += size;
            }
            return total;
        }
        return -1;
    }

    /** A parser for the Python literals a .npy header holds: dict, list, tuple, str, int, bool, None. */
    private static final class Literal {
        private final String s;
        private int i;

        Literal(String s) {
            this.s = s;
        }

        Object parse() {
            Object v = value();
            skipSpace();
            if (i != s.length()) {
                throw new IllegalArgumentException("unexpected text at " + i);
            }
            return v;
        }

        private Object value() {
            skipSpace();
            if (i >= s.length()) {
                throw new IllegalArgumentException("unexpected end");
            }
            char c = s.charAt(i);
            if (c == '{') {
                Map<Object, Object> m = new LinkedHashMap<>();
                i++;
                while (!peek('}')) {
                    Object k = value();
                    expect(':');
                    m.put(k, value());
                    if (!peek('}')) {
                        expect(',');
                    }
                }
                i++;
                return m;
            }
            if (c == '[' || c == '(') {
                char close = c == '[' ? ']' : ')';
                List<Object> l = new ArrayList<>();
                i++;
                while (!peek(close)) {
                    l.add(value());
                    if (!peek(close)) {
                        expect(',');
                    }
                }
                i++;
                return l;
            }
            if (c == '\'' || c == '"') {
                StringBuilder sb = new StringBuilder();
                i++;
                while (i < s.length() && s.charAt(i) != c) {
                    if (s.charAt(i) == '\\' && i + 1 < s.length()) {
                        i++;
                    }
                    sb.append(s.charAt(i++));
                }
                if (i >= s.length()) {
                    throw new IllegalArgumentException("unterminated string");
                }
                i++;
                return sb.toString();
            }
            int start = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '-' || s.charAt(i) == '_')) {
                i++;
            }
            String word = s.substring(start, i);
            switch (word) {
                case "True":
                    return Boolean.TRUE;
                case "False":
                    return Boolean.FALSE;
                case "None":
                    return null;
                default:
                    try {
                        return Long.parseLong(word.endsWith("L") ? word.substring(0, word.length() - 1) : word);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("unexpected \"" + word + "\" at " + start);
                    }
            }
        }

        private boolean peek(char c) {
            skipSpace();
            if (i >= s.length()) {
                throw new IllegalArgumentException("unexpected end");
            }
            return s.charAt(i) == c;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw new IllegalArgumentException("expected '" + c + "' at " + i);
            }
            i++;
        }

        private void skipSpace() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }
    }
}
