package dev.safeload.model.pickle;

import dev.safeload.policy.ClassPatterns;
import dev.safeload.policy.Decision;
import dev.safeload.policy.Presets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which Python globals a pickle may import: default-deny, with the dangerous list winning over
 * every allow pattern. Decisions are cached per name, so a pickle that imports the same
 * rebuilder a million times pays for one match.
 */
public final class PickleImports {

    private static final String BASE = "/dev/safeload/model/pickle/";
    private static final int CACHE_LIMIT = 4096;

    private static volatile ClassPatterns safeGlobals;
    private static volatile ClassPatterns dangerousGlobals;

    private final ClassPatterns allow;
    private final ClassPatterns deny;
    private final java.util.Set<String> denyExempt;
    private final Map<String, Decision> cache = new ConcurrentHashMap<>();

    public PickleImports(ClassPatterns allow, ClassPatterns deny) {
        this(allow, deny, java.util.Set.of());
    }

    private PickleImports(ClassPatterns allow, ClassPatterns deny, java.util.Set<String> denyExempt) {
        this.allow = allow;
        this.deny = deny;
        this.denyExempt = denyExempt;
    }

    /** The tensor and array rebuilders every pickle may import (resource {@code safe-globals.txt}). */
    public static ClassPatterns safeGlobals() {
        ClassPatterns p = safeGlobals;
        if (p == null) {
            safeGlobals = p = Presets.builtInList(BASE + "safe-globals.txt");
        }
        return p;
    }

    /** Globals that run code or touch files and the network (resource {@code dangerous-globals.txt}). */
    public static ClassPatterns dangerousGlobals() {
        ClassPatterns p = dangerousGlobals;
        if (p == null) {
            dangerousGlobals = p = Presets.builtInList(BASE + "dangerous-globals.txt");
        }
        return p;
    }

    /** These imports with {@code extra} deny patterns, which win over every allow. */
    public PickleImports plusDenied(ClassPatterns extra) {
        return new PickleImports(allow, deny.plus(extra), denyExempt);
    }

    /**
     * These imports with {@code extra} deny patterns, except for the names in {@code exactly}
     * (full names, no patterns): TorchScript refuses native custom classes but PyTorch's own
     * packed-weight classes.
     */
    public PickleImports plusDenied(ClassPatterns extra, java.util.Set<String> exactly) {
        java.util.Set<String> exempt = new java.util.HashSet<>(denyExempt);
        exempt.addAll(exactly);
        return new PickleImports(allow, deny.plus(extra), java.util.Set.copyOf(exempt));
    }

    /** These imports plus {@code extra} allow patterns, e.g. TorchScript's own classes inside a TorchScript archive. */
    public PickleImports plusAllowed(ClassPatterns extra) {
        return new PickleImports(allow.plus(extra), deny, denyExempt);
    }

    /**
     * The decision for global {@code name} of {@code module}: rule {@code pickle.deny},
     * {@code pickle.allow} or allowed. Since protocol 4 a name is a dotted attribute path that
     * the unpickler walks with getattr, so a wildcard ({@code sklearn.**}) could reach through a
     * module's own imports ({@code sklearn.x\nos.system}) or its {@code __builtins__}. Hence a
     * wildcard admits only a plain public name (no dot, no leading underscore) in a module whose
     * path adds no dunder part to the pattern's; anything else must be listed exactly; a dunder
     * name is never admitted.
     */
    public Decision decide(String module, String name) {
        String key = module + '\n' + name; // "a.b"+"c" and "a"+"b.c" differ for wildcards
        Decision d = cache.get(key);
        if (d == null) {
            d = judge(module, name, module + "." + name);
            if (cache.size() < CACHE_LIMIT) {
                cache.put(key, d);
            }
        }
        return d;
    }

    private Decision judge(String module, String name, String qualifiedName) {
        for (String part : name.split("\\.", -1)) {
            if (isDunder(part)) {
                return Decision.reject("pickle.allow", "dunder name " + part + " is never allowed");
            }
        }
        String denied = deny.match(qualifiedName);
        if (denied != null && !denyExempt.contains(qualifiedName)) {
            return Decision.reject("pickle.deny", "!" + denied);
        }
        String allowed = allow.match(qualifiedName);
        if (allowed == null) {
            return Decision.reject("pickle.allow", "not in the allowlist");
        }
        if (allowed.equals(qualifiedName)) {
            return Decision.allow("pickle.allow", allowed);
        }
        if (name.indexOf('.') >= 0 || name.startsWith("_")) {
            return Decision.reject("pickle.allow", "wildcard " + allowed + " admits no private or dotted name; list it exactly");
        }
        String literal = allowed.substring(0, allowed.indexOf('*'));
        String[] parts = module.split("\\.", -1);
        int covered = 0;
        for (int i = 0, at = 0; i < parts.length; at += parts[i].length() + 1, i++) {
            if (at + parts[i].length() <= literal.length()) {
                covered = i + 1;
            }
        }
        for (int i = covered; i < parts.length; i++) {
            if (isDunder(parts[i])) {
                return Decision.reject("pickle.allow", "wildcard " + allowed + " admits no dunder module " + parts[i]);
            }
        }
        return Decision.allow("pickle.allow", allowed);
    }

    private static boolean isDunder(String part) {
        return part.length() > 4 && part.startsWith("__") && part.endsWith("__");
    }

    static List<String> read(String resource) {
        return Presets.readPatternFile(resource);
    }
}
