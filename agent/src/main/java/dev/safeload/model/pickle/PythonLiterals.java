package dev.safeload.model.pickle;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/** The text forms protocol 0 writes, decoded as CPython's unpickler decodes them. */
final class PythonLiterals {

    private PythonLiterals() {
    }

    /** {@code int(text, 0)}: sign, 0x/0o/0b prefixes and underscores; null if Python would refuse it. */
    static BigInteger parseInt(String text) {
        String s = text;
        boolean negative = false;
        if (s.startsWith("-") || s.startsWith("+")) {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        int radix = 10;
        if (s.length() > 2 && s.charAt(0) == '0') {
            char p = Character.toLowerCase(s.charAt(1));
            radix = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 10;
            if (radix != 10) {
                s = s.substring(2);
                if (s.startsWith("_")) {
                    s = s.substring(1);
                }
            }
        }
        if (s.isEmpty() || s.startsWith("_") || s.endsWith("_") || s.contains("__")) {
            return null;
        }
        s = s.replace("_", "");
        if (radix == 10 && s.length() > 1 && s.charAt(0) == '0' && !s.chars().allMatch(c -> c == '0')) {
            return null; // int("010", 0) is an error in Python 3
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), radix) < 0 || s.charAt(i) > 0x7f) {
                return null;
            }
        }
        BigInteger v = new BigInteger(s, radix);
        return negative ? v.negate() : v;
    }

    /** Whether Python's {@code float(text)} accepts it. */
    static boolean isFloat(String text) {
        String s = text.strip().toLowerCase();
        if (s.startsWith("-") || s.startsWith("+")) {
            s = s.substring(1);
        }
        if (s.equals("inf") || s.equals("infinity") || s.equals("nan")) {
            return true;
        }
        if (s.isEmpty() || s.startsWith("_") || s.endsWith("_") || s.contains("__") || !s.matches("[0-9._e+-]+")) {
            return false;
        }
        try {
            Double.parseDouble(s.replace("_", ""));
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** {@code codecs.escape_decode} of bytes {@code [from, to)}, as latin-1 text. */
    static String escapeDecode(byte[] b, int from, int to) {
        StringBuilder out = new StringBuilder(to - from);
        for (int i = from; i < to; i++) {
            char c = (char) (b[i] & 0xff);
            if (c != '\\' || i + 1 >= to) {
                out.append(c);
                continue;
            }
            char e = (char) (b[++i] & 0xff);
            switch (e) {
                case '\n' -> { }
                case '\\', '\'', '"' -> out.append(e);
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'v' -> out.append('\u000b');
                case 'x' -> {
                    int v = i + 2 < to ? hex(b[i + 1]) * 16 + hex(b[i + 2]) : -1;
                    if (v >= 0 && hex(b[i + 1]) >= 0 && hex(b[i + 2]) >= 0) {
                        out.append((char) v);
                        i += 2;
                    } else {
                        out.append('\\').append(e);
                    }
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int v = e - '0';
                        for (int k = 0; k < 2 && i + 1 < to && b[i + 1] >= '0' && b[i + 1] <= '7'; k++) {
                            v = v * 8 + (b[++i] - '0');
                        }
                        out.append((char) (v & 0xff));
                    } else {
                        out.append('\\').append(e);
                    }
                }
            }
        }
        return out.toString();
    }

    /** Python's {@code raw-unicode-escape} codec: only backslash-u and backslash-U escapes. */
    static String rawUnicodeEscape(byte[] b, int from, int to) {
        String s = new String(b, from, to - from, StandardCharsets.ISO_8859_1);
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int digits = c == '\\' && i + 1 < s.length() ? (s.charAt(i + 1) == 'u' ? 4 : s.charAt(i + 1) == 'U' ? 8 : 0) : 0;
            if (digits > 0 && i + 2 + digits <= s.length()) {
                try {
                    out.appendCodePoint(Integer.parseInt(s.substring(i + 2, i + 2 + digits), 16));
                    i += 1 + digits;
                    continue;
                } catch (IllegalArgumentException ignored) {
                    // kept as written
                }
            }
            out.append(c);
        }
        return out.toString();
    }

    private static int hex(byte c) {
        return Character.digit((char) (c & 0xff), 16);
    }
}
