package dev.safeload.report;

import java.util.Collection;
import java.util.Map;

/**
 * Encodes an {@link Event} as one line of JSON (no raw newline can appear inside it). Written by
 * hand rather than with Jackson: the first event of a model server comes at its start (the
 * model it loads), and Jackson's generator is some 70 classes to load for a few strings and numbers.
 */
public final class JsonLines {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private JsonLines() {
    }

    /** The event as a single JSON object, without the trailing newline. */
    public static String encode(Map<String, Object> fields) {
        StringBuilder out = new StringBuilder(512);
        writeValue(out, fields);
        return out.toString();
    }

    private static void writeValue(StringBuilder out, Object value) {
        if (value instanceof Boolean b) {
            out.append(b.booleanValue());
        } else if (value instanceof Integer || value instanceof Long) {
            out.append(((Number) value).longValue());
        } else if (value instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isFinite(d)) {
                out.append(d);
            } else {
                writeString(out, Double.toString(d)); // as Jackson writes NaN and infinities: quoted
            }
        } else if (value instanceof Collection<?> items) {
            out.append('[');
            boolean first = true;
            for (Object item : items) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                writeValue(out, item);
            }
            out.append(']');
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                writeString(out, String.valueOf(e.getKey()));
                out.append(':');
                writeValue(out, e.getValue());
            }
            out.append('}');
        } else {
            writeString(out, String.valueOf(value));
        }
    }

    /** Quotes and escapes as RFC 8259 requires: quote, backslash and every control character. */
    private static void writeString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
