package dev.safeload.ops;

/**
 * Makes log text safe to print or to write into a policy comment. Class names, call sites and
 * model paths in a violation log come from whoever wrote the stream or the file, so they may
 * hold terminal escape sequences, line breaks (which would end a policy comment and start a
 * live entry) or bidirectional overrides (which make a reviewed line read differently).
 */
public final class Printable {

    private Printable() {
    }

    /** {@code text} with control, line-separator and bidi-override characters as {@code \\uXXXX}. */
    public static String text(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean unsafe = c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
                    || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069') || c == '\u200e'
                    || c == '\u200f' || c == '\u061c';
            if (unsafe) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 16).append(text, 0, i);
                }
                out.append(String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }
}
