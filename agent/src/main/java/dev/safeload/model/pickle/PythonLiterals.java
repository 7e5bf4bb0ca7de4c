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
        String s = stripSpace(text).toLowerCase();
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

    /** The line up to its first NUL, as C reads a string through a char pointer. */
    private static int cLength(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return n;
    }

    private static boolean isSpace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }

    /**
     * The C unpickler's {@code load_int}: {@code strtol(s, &end, 0)}; if it stops before the
     * newline or overflows, {@code PyLong_FromString(s, NULL, 0)}; a two-character 0 or 1 read by
     * strtol is a bool. {@code line[0, n)} is the line without its newline. Null: an error.
     */
    static Object cInt(byte[] line, int n) {
        int len = cLength(line, n);
        int i = 0;
        while (i < len && isSpace(line[i])) {
            i++;
        }
        boolean negative = false;
        if (i < len && (line[i] == '+' || line[i] == '-')) {
            negative = line[i] == '-';
            i++;
        }
        int radix = 10;
        int digitsFrom = i;
        if (i < len && line[i] == '0') {
            if (i + 1 < len && (line[i + 1] == 'x' || line[i + 1] == 'X') && i + 2 < len && Character.digit(line[i + 2], 16) >= 0) {
                radix = 16;
                digitsFrom = i + 2;
            } else {
                radix = 8;
            }
        }
        int j = digitsFrom;
        while (j < len && line[j] > 0 && Character.digit((char) line[j], radix) >= 0) {
            j++;
        }
        boolean parsedAll = j == len && j > digitsFrom;
        if (parsedAll) {
            BigInteger v = new BigInteger(new String(line, digitsFrom, j - digitsFrom, StandardCharsets.ISO_8859_1), radix);
            if (negative) {
                v = v.negate();
            }
            if (v.bitLength() < 64) {
                // n + 1 is C's len, with the newline.
                if (n + 1 == 3 && (v.signum() == 0 || v.equals(BigInteger.ONE))) {
                    return v.signum() != 0;
                }
                return v;
            }
        }
        return parseInt(stripSpace(new String(line, 0, len, StandardCharsets.ISO_8859_1)));
    }

    /** pickle.py's {@code load_int}: {@code b"00"} and {@code b"01"} are bools, else {@code int(s, 0)}. */
    static Object pyInt(byte[] line, int n) {
        if (n == 2 && line[0] == '0' && (line[1] == '0' || line[1] == '1')) {
            return line[1] == '1';
        }
        String text = pyText(line, n);
        return text == null ? null : parseInt(stripSpace(text));
    }

    /** The C unpickler's {@code load_long}: an 'L' right before the newline is dropped, then {@code PyLong_FromString(s, NULL, 0)}. */
    static Object cLong(byte[] line, int n) {
        int len = n > 0 && line[n - 1] == 'L' ? n - 1 : n;
        len = cLength(line, len);
        return parseInt(stripSpace(new String(line, 0, len, StandardCharsets.ISO_8859_1)));
    }

    /** pickle.py's {@code load_long}: the same, on the whole bytes (a NUL is an error). */
    static Object pyLong(byte[] line, int n) {
        int len = n > 0 && line[n - 1] == 'L' ? n - 1 : n;
        String text = pyText(line, len);
        return text == null ? null : parseInt(stripSpace(text));
    }

    /** Python's int() and float() strip ASCII whitespace only (Py_ISSPACE), not Java's wider set. */
    static String stripSpace(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && isSpace(s.charAt(a))) {
            a++;
        }
        while (b > a && isSpace(s.charAt(b - 1))) {
            b--;
        }
        return s.substring(a, b);
    }

    /** GET and PUT indices: {@code PyLong_FromString(s, NULL, 10)} in C (to the first NUL), {@code int(s)} in pickle.py. */
    static BigInteger base10(byte[] line, int n, boolean c) {
        int len = c ? cLength(line, n) : n;
        String text = c ? new String(line, 0, len, StandardCharsets.ISO_8859_1) : pyText(line, n);
        if (text == null) {
            return null;
        }
        String s = stripSpace(text);
        boolean negative = s.startsWith("-");
        if (s.startsWith("-") || s.startsWith("+")) {
            s = s.substring(1);
        }
        if (s.isEmpty() || s.startsWith("_") || s.endsWith("_") || s.contains("__")) {
            return null;
        }
        s = s.replace("_", "");
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return null;
            }
        }
        BigInteger v = new BigInteger(s);
        return negative ? v.negate() : v;
    }

    /** The text Python's int() and float() see in bytes: ASCII only (others are errors here), no NUL. */
    private static String pyText(byte[] line, int n) {
        for (int i = 0; i < n; i++) {
            if (line[i] <= 0) {
                return null;
            }
        }
        return new String(line, 0, n, StandardCharsets.ISO_8859_1);
    }

    /**
     * The C unpickler's {@code load_float}: {@code PyOS_string_to_double} from the first byte (no
     * leading space, no underscores), which must stop at the newline or a NUL.
     */
    static boolean isCFloat(byte[] line, int n) {
        String s = new String(line, 0, cLength(line, n), StandardCharsets.ISO_8859_1);
        return s.matches("(?i)[+-]?((\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?|inf|infinity|nan)");
    }

    /** {@code codecs.escape_decode} of bytes {@code [from, to)}, as latin-1 text; null where CPython raises. */
    static String escapeDecode(byte[] b, int from, int to) {
        StringBuilder out = new StringBuilder(to - from);
        for (int i = from; i < to; i++) {
            char c = (char) (b[i] & 0xff);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (i + 1 >= to) {
                return null; // "Trailing \\ in string"
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
                        return null; // "invalid \\x escape"
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

    /**
     * Python's {@code raw-unicode-escape} codec: a backslash escapes only {@code u} and {@code U}
     * and only when it is not itself escaped (an odd run of backslashes); a short or out-of-range
     * escape is an error (null).
     */
    static String rawUnicodeEscape(byte[] b, int from, int to) {
        String s = new String(b, from, to - from, StandardCharsets.ISO_8859_1);
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                out.append(c);
                continue;
            }
            char e = s.charAt(i + 1);
            int digits = e == 'u' ? 4 : e == 'U' ? 8 : 0;
            if (digits == 0) {
                out.append(c).append(e); // the pair is literal, so "\\\\u" escapes nothing
                i++;
                continue;
            }
            if (i + 2 + digits > s.length()) {
                return null;
            }
            int cp = 0;
            for (int k = 0; k < digits; k++) {
                int d = Character.digit(s.charAt(i + 2 + k), 16);
                if (d < 0) {
                    return null;
                }
                cp = cp * 16 + d;
            }
            if (cp < 0 || cp > 0x10ffff) {
                return null;
            }
            out.appendCodePoint(cp);
            i += 1 + digits;
        }
        return out.toString();
    }

    private static int hex(byte c) {
        return Character.digit((char) (c & 0xff), 16);
    }
}
