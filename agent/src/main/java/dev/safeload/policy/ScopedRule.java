package dev.safeload.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * An allow or deny entry that holds only when the stream is read under some code: written
 * {@code classPattern@scopePattern}, e.g. {@code com.acme.dto.**@com.acme.cache.**} allows the
 * DTOs only when a frame of {@code com.acme.cache} is on the stack that reads the stream.
 *
 * @param classes the classes the rule is about
 * @param scope the code it is limited to, matched against the class of every stack frame
 * @param allow true for an allow rule, false for a deny rule
 * @param text the entry as written, for logs
 */
public record ScopedRule(ClassPatterns classes, ClassPatterns scope, boolean allow, String text) {

    /** Whether {@code entry} is scoped ({@code a@b}). */
    public static boolean isScoped(String entry) {
        return entry.indexOf('@') > 0;
    }

    /** Parses {@code classPattern@scopePattern}. */
    public static ScopedRule parse(String entry, boolean allow) {
        int at = entry.indexOf('@');
        if (at <= 0 || at == entry.length() - 1 || entry.indexOf('@', at + 1) >= 0) {
            throw new IllegalArgumentException("scoped entry \"" + entry + "\" is not classPattern@scopePattern");
        }
        return new ScopedRule(ClassPatterns.of(List.of(entry.substring(0, at))),
                ClassPatterns.of(List.of(entry.substring(at + 1))), allow, entry);
    }

    /** Parses every scoped entry of {@code entries}. */
    public static List<ScopedRule> parseAll(List<String> entries, boolean allow) {
        List<ScopedRule> rules = new ArrayList<>();
        for (String e : entries) {
            rules.add(parse(e, allow));
        }
        return rules;
    }

    /** {@link #parseAll} for the agent's own list, its patterns compiled as {@link ClassPatterns#builtIn}. */
    static List<ScopedRule> parseBuiltIn(List<String> entries, boolean allow) {
        List<ScopedRule> rules = new ArrayList<>();
        for (String entry : entries) {
            int at = entry.indexOf('@');
            if (at <= 0 || at == entry.length() - 1 || entry.indexOf('@', at + 1) >= 0) {
                throw new IllegalArgumentException("scoped entry \"" + entry + "\" is not classPattern@scopePattern");
            }
            rules.add(new ScopedRule(ClassPatterns.builtIn(List.of(entry.substring(0, at))),
                    ClassPatterns.builtIn(List.of(entry.substring(at + 1))), allow, entry));
        }
        return rules;
    }
}
