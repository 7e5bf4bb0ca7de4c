package dev.safeload.model.read;

import java.util.ArrayList;
import java.util.List;

/**
 * The tokens of a Python-subset source (TorchScript's serialized {@code code/} files): names,
 * dots and other punctuation, with strings and comments dropped, so that a check sees every
 * dotted reference the way a parser does, whatever whitespace or line joins split it. A source
 * this lexer cannot read to the end (an unterminated string) is reported, never guessed at.
 */
public final class PythonTokens {

    /** One token: a name ({@code NAME}), a dot ({@code DOT}), or any other symbol ({@code OTHER}). */
    public record Token(Kind kind, String text, int line) {
    }

    public enum Kind { NAME, DOT, OTHER }

    private final List<Token> tokens;
    private final String problem;

    private PythonTokens(List<Token> tokens, String problem) {
        this.tokens = tokens;
        this.problem = problem;
    }

    public List<Token> tokens() {
        return tokens;
    }

    /** Why the source could not be read to its end, or null. */
    public String problem() {
        return problem;
    }

    public static PythonTokens of(String source) {
        List<Token> out = new ArrayList<>();
        int line = 1;
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            if (c == '\n') {
                line++;
                i++;
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\\') {
                i++; // a backslash outside a string joins lines: the tokens on either side still meet
            } else if (c == '#') {
                while (i < n && source.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '\'' || c == '"' || (isPrefix(c) && startsString(source, i))) {
                while (source.charAt(i) != '\'' && source.charAt(i) != '"') {
                    i++; // string prefix letters (r, b, u, f)
                }
                char q = source.charAt(i);
                boolean triple = i + 2 < n && source.charAt(i + 1) == q && source.charAt(i + 2) == q;
                int end = triple ? 3 : 1;
                i += end;
                boolean closed = false;
                while (i < n) {
                    char s = source.charAt(i);
                    if (s == '\\') {
                        if (i + 1 < n && source.charAt(i + 1) == '\n') {
                            line++;
                        }
                        i += 2;
                        continue;
                    }
                    if (s == '\n') {
                        if (!triple) {
                            break;
                        }
                        line++;
                    }
                    if (s == q && (!triple || (i + 2 < n && source.charAt(i + 1) == q && source.charAt(i + 2) == q))) {
                        i += end;
                        closed = true;
                        break;
                    }
                    i++;
                }
                if (!closed) {
                    return new PythonTokens(out, "unterminated string on line " + line);
                }
                out.add(new Token(Kind.OTHER, "<str>", line));
            } else if (Character.isJavaIdentifierStart(c) && c != '$') {
                int start = i;
                while (i < n && Character.isJavaIdentifierPart(source.charAt(i)) && source.charAt(i) != '$'
                        && !Character.isIdentifierIgnorable(source.charAt(i))) {
                    i++;
                }
                out.add(new Token(Kind.NAME, source.substring(start, i), line));
            } else if (Character.isDigit(c)) {
                // Numbers, including 1.5 and 1e5: their dots are not attribute access.
                while (i < n && (Character.isLetterOrDigit(source.charAt(i)) || source.charAt(i) == '.'
                        || source.charAt(i) == '_')) {
                    i++;
                }
                out.add(new Token(Kind.OTHER, "<num>", line));
            } else if (c == '.') {
                out.add(new Token(Kind.DOT, ".", line));
                i++;
            } else {
                out.add(new Token(Kind.OTHER, String.valueOf(c), line));
                i++;
            }
        }
        return new PythonTokens(out, null);
    }

    private static boolean isPrefix(char c) {
        return "rRbBuUfF".indexOf(c) >= 0;
    }

    /** A string prefix such as r, b, rb: at most two prefix letters right before a quote, at the start of a token. */
    private static boolean startsString(String s, int i) {
        if (i > 0 && Character.isJavaIdentifierPart(s.charAt(i - 1))) {
            return false;
        }
        int j = i;
        while (j < s.length() && j - i < 2 && isPrefix(s.charAt(j))) {
            j++;
        }
        return j < s.length() && (s.charAt(j) == '\'' || s.charAt(j) == '"');
    }
}
