package dev.safeload.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A set of class-name patterns in the JDK's {@code ObjectInputFilter} syntax, without the
 * {@code !} (callers sort patterns into allow and deny sets first):
 * <ul>
 *   <li>{@code a.b.C} matches that class only;</li>
 *   <li>{@code a.b.*} matches classes of package {@code a.b}, not of its subpackages;</li>
 *   <li>{@code a.b.**} matches classes of {@code a.b} and of every package below it;</li>
 *   <li>{@code a.b.Pre*} matches every name that starts with {@code a.b.Pre}.</li>
 * </ul>
 * Matching is anchored at both ends: {@code java.*} never matches {@code javax.x.Y}, and
 * nothing matches by suffix or by regular expression.
 */
public final class ClassPatterns {

    /** No exact pattern, by length ({@link #exactByLength}); before {@link #EMPTY}, which is made with it. */
    private static final String[][] NO_NAMES = new String[0][];
    private static final ClassPatterns EMPTY = new ClassPatterns(List.of());

    /**
     * The patterns in the order first given, without repeats. For a built-in list, made from
     * {@link #text} when first asked ({@link #patterns}): the start only matches against it.
     */
    private volatile List<String> patterns;
    /** A built-in list's text ({@link #builtInText}), or null. */
    private final String text;
    /** Where a line of {@link #text} ends its pattern: {@code '\n'}, or {@code '@'} for the scoped rules' classes. */
    private final char cut;
    /**
     * The patterns that name one class, by length (element n: those of length n, or null): a
     * name is compared with the few of its own length. Not a hash map: filling one hashed every
     * built-in pattern at premain (about 140 strings, 4,800 characters), which with the JDK's own
     * hashing took {@code StringLatin1.hashCode} to C2 in most map probes (issue 12). A lookup
     * here is rare: the serial policy caches its decision per class.
     */
    private final String[][] exactByLength;
    private final Map<String, String> packages = new HashMap<>();
    private final Map<String, String> trees = new HashMap<>();
    private final String[] prefixes;

    private ClassPatterns(List<String> patterns) {
        this.patterns = List.copyOf(patterns);
        this.text = null;
        this.cut = '\n';
        List<String> prefixList = new ArrayList<>();
        String[][] exactTable = NO_NAMES;
        for (String pattern : this.patterns) {
            exactTable = index(pattern, prefixList, exactTable);
        }
        this.prefixes = prefixList.toArray(new String[0]);
        this.exactByLength = exactTable;
    }

    /**
     * A list as {@link BuiltInLists} holds it ({@link #builtInText}), each line's pattern ending
     * at {@code cut} or the line's end: indexed as it is found, with no list of the patterns made
     * (a list, a substring and two searches a line were most of the start's calls of those JDK
     * methods, which took them to the JIT's thresholds).
     */
    private ClassPatterns(String text, char cut) {
        this.text = text;
        this.cut = cut;
        List<String> prefixList = new ArrayList<>();
        String[][] exactTable = NO_NAMES;
        for (int start = text.indexOf('\n') + 1; start < text.length(); ) { // past the comment line
            int end = lineEnd(start);
            exactTable = index(patternAt(start, end), prefixList, exactTable);
            start = end + 1;
        }
        this.prefixes = prefixList.toArray(new String[0]);
        this.exactByLength = exactTable;
    }

    /** Where the line of {@link #text} that starts at {@code start} ends: its {@code '\n'}, or the text's end. */
    private int lineEnd(int start) {
        int end = text.indexOf('\n', start);
        return end < 0 ? text.length() : end;
    }

    /** The pattern of the line of {@link #text} from {@code start} to {@code end}: up to {@link #cut}, else the whole line. */
    private String patternAt(int start, int end) {
        int patternEnd = cut == '\n' ? end : text.indexOf(cut, start);
        return text.substring(start, patternEnd <= start || patternEnd > end ? end : patternEnd);
    }

    /**
     * Files {@code pattern} where it belongs; returns {@code exactTable}, or a larger copy with
     * {@code pattern} in it for an exact one ({@link #exactByLength}). Arrays copied with {@code
     * System.arraycopy}, not a list: a list's add and iterator, called for each built-in pattern
     * at premain, reached the JIT's thresholds.
     */
    private String[][] index(String pattern, List<String> prefixList, String[][] exactTable) {
        int length = pattern.length();
        if (pattern.charAt(length - 1) != '*') {
            return withExact(exactTable, pattern, length); // most patterns: one test, not three
        } else if (pattern.endsWith(".**")) {
            trees.put(pattern.substring(0, length - 3), pattern);
        } else if (pattern.endsWith(".*")) {
            packages.put(pattern.substring(0, length - 2), pattern);
        } else {
            prefixList.add(pattern.substring(0, length - 1));
        }
        return exactTable;
    }

    private static String[][] withExact(String[][] table, String pattern, int length) {
        String[][] grown = table;
        if (length >= table.length) {
            grown = new String[Math.max(length + 1, 2 * table.length)][];
            System.arraycopy(table, 0, grown, 0, table.length);
        }
        String[] same = grown[length];
        String[] more = new String[same == null ? 1 : same.length + 1];
        if (same != null) {
            System.arraycopy(same, 0, more, 0, same.length);
        }
        more[more.length - 1] = pattern;
        grown[length] = more;
        return grown;
    }

    /** No patterns at all. */
    public static ClassPatterns empty() {
        return EMPTY;
    }

    /**
     * Compiles patterns after checking each one.
     *
     * @throws IllegalArgumentException naming the first pattern that is not valid
     */
    public static ClassPatterns of(Iterable<String> patterns) {
        if (patterns instanceof Collection<String> given && given.isEmpty()) {
            return EMPTY; // the start's usual serial.allow, serial.deny and allowWithoutConstructor
        }
        Set<String> checked = new LinkedHashSet<>();
        for (String pattern : patterns) {
            checked.add(validate(pattern));
        }
        return checked.isEmpty() ? EMPTY : new ClassPatterns(new ArrayList<>(checked));
    }

    /**
     * The agent's own lists, compiled without the per-character checks of {@link #of}: premain
     * compiles three of them in the interpreter, and {@code PresetsReadTest} proves every built-in
     * list passes those checks and compiles to the same set.
     */
    static ClassPatterns builtIn(List<String> patterns) {
        return patterns.isEmpty() ? EMPTY : new ClassPatterns(new ArrayList<>(new LinkedHashSet<>(patterns)));
    }

    /**
     * One of {@link BuiltInLists}' constants, compiled in one pass over its text: a comment
     * line, then one pattern a line, each already valid, trimmed and not repeated ({@code
     * BuiltInListsTest} holds the constants to that, and {@code PresetsReadTest} proves they
     * compile as their files do). Premain compiles two of them, interpreted: no lines list, no
     * set to drop repeats, no copy.
     */
    static ClassPatterns builtInText(String text) {
        return ofText(text, '\n');
    }

    /**
     * The class patterns of a list of scoped rules held as {@link #builtInText} holds a list
     * ({@code class@scope}, one a line), without repeats, in the order first found: what {@link
     * #builtIn} makes of those classes, without the lists between.
     */
    static ClassPatterns builtInClassesOfScoped(String text) {
        return ofText(text, '@');
    }

    /** A built-in text's set; the empty set for a text with no line past its comment. */
    private static ClassPatterns ofText(String text, char cut) {
        int comment = text.indexOf('\n');
        return comment < 0 || comment == text.length() - 1 ? EMPTY : new ClassPatterns(text, cut);
    }

    /** A built-in list's patterns, from its text, as the list constructor would have kept them. */
    private List<String> patternsOfText() {
        Set<String> found = new LinkedHashSet<>();
        for (int start = text.indexOf('\n') + 1; start < text.length(); ) {
            int end = lineEnd(start);
            found.add(patternAt(start, end));
            start = end + 1;
        }
        return List.copyOf(found);
    }

    /**
     * The last {@link #plus} made, with its argument: the model policy joins the same two lists
     * (the built-in pickle globals and {@code model.pickle.allow}) at every pickle it scans, which
     * compiled about 300 patterns each time.
     */
    private volatile Joined lastJoined;

    private record Joined(ClassPatterns other, ClassPatterns both) {
    }

    /** This set and {@code other} together; the same object again for the same {@code other} as last time. */
    public ClassPatterns plus(ClassPatterns other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        Joined last = lastJoined;
        if (last != null && last.other == other) {
            return last.both;
        }
        Set<String> all = new LinkedHashSet<>(patterns());
        all.addAll(other.patterns());
        ClassPatterns both = new ClassPatterns(new ArrayList<>(all));
        lastJoined = new Joined(other, both);
        return both;
    }

    /**
     * The entry of {@code byLength} (names, element <i>n</i> those of length <i>n</i>) equal to
     * {@code name}, or null: a comparison with the few of its length, and no hash, which a lookup
     * at start would take to the JIT's thresholds.
     */
    public static String exactIn(String[][] byLength, String name) {
        int length = name.length();
        String[] sameLength = length < byLength.length ? byLength[length] : null;
        if (sameLength != null) {
            for (String candidate : sameLength) {
                if (candidate.equals(name)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    /**
     * The pattern that matches {@code className} (a plain class name, not an array name), or
     * null when none does.
     */
    public String match(String className) {
        String hit = exactIn(exactByLength, className);
        if (hit != null) {
            return hit;
        }
        int dot = className.lastIndexOf('.');
        String pkg = dot < 0 ? "" : className.substring(0, dot);
        if (!packages.isEmpty() && (hit = packages.get(pkg)) != null) {
            return hit;
        }
        if (!trees.isEmpty()) {
            for (String p = pkg; !p.isEmpty(); ) {
                if ((hit = trees.get(p)) != null) {
                    return hit;
                }
                int up = p.lastIndexOf('.');
                p = up < 0 ? "" : p.substring(0, up);
            }
        }
        for (String prefix : prefixes) {
            if (className.startsWith(prefix)) {
                return prefix + "*";
            }
        }
        return null;
    }

    /** The patterns, in the order first given. */
    public List<String> patterns() {
        List<String> list = patterns;
        if (list == null) {
            list = patternsOfText(); // the same list whichever thread makes it first
            patterns = list;
        }
        return list;
    }

    public boolean isEmpty() {
        return text == null && patterns.isEmpty(); // a built-in list's text holds a pattern (builtInText)
    }

    private static String validate(String raw) {
        String pattern = raw.trim();
        if (pattern.isEmpty()) {
            throw new IllegalArgumentException("empty class pattern");
        }
        if (pattern.indexOf('/') >= 0) {
            throw new IllegalArgumentException("module-qualified pattern \"" + pattern
                    + "\" is not supported; name the package instead");
        }
        if (pattern.startsWith("[")) {
            throw new IllegalArgumentException("array pattern \"" + pattern
                    + "\": arrays are checked by their component class, name that class instead");
        }
        int star = pattern.indexOf('*');
        if (star >= 0) {
            String tail = pattern.substring(star);
            boolean ok = tail.equals("*") || (tail.equals("**") && pattern.endsWith(".**"));
            if (!ok) {
                throw new IllegalArgumentException("pattern \"" + pattern
                        + "\": '*' may only end a pattern, as a.B*, a.* or a.**");
            }
        }
        String name = star >= 0 ? pattern.substring(0, star) : pattern;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = Character.isJavaIdentifierPart(c) || c == '.' || c == '$';
            if (!ok || (c == '.' && i > 0 && name.charAt(i - 1) == '.')) {
                throw new IllegalArgumentException("pattern \"" + pattern
                        + "\" is not a class name pattern (bad character '" + c + "')");
            }
        }
        if (name.startsWith(".")) {
            throw new IllegalArgumentException("pattern \"" + pattern + "\" starts with '.'");
        }
        return pattern;
    }
}
