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
    private final Map<String, Decision> cache = new ConcurrentHashMap<>();

    public PickleImports(ClassPatterns allow, ClassPatterns deny) {
        this.allow = allow;
        this.deny = deny;
    }

    /** The tensor and array rebuilders every pickle may import (resource {@code safe-globals.txt}). */
    public static ClassPatterns safeGlobals() {
        ClassPatterns p = safeGlobals;
        if (p == null) {
            safeGlobals = p = ClassPatterns.of(read(BASE + "safe-globals.txt"));
        }
        return p;
    }

    /** Globals that run code or touch files and the network (resource {@code dangerous-globals.txt}). */
    public static ClassPatterns dangerousGlobals() {
        ClassPatterns p = dangerousGlobals;
        if (p == null) {
            dangerousGlobals = p = ClassPatterns.of(read(BASE + "dangerous-globals.txt"));
        }
        return p;
    }

    /** These imports plus {@code extra} allow patterns, e.g. TorchScript's own classes inside a TorchScript archive. */
    public PickleImports plusAllowed(ClassPatterns extra) {
        return new PickleImports(allow.plus(extra), deny);
    }

    /** The decision for {@code module.name}: rule {@code pickle.deny}, {@code pickle.allow} or allowed. */
    public Decision decide(String qualifiedName) {
        Decision d = cache.get(qualifiedName);
        if (d == null) {
            String denied = deny.match(qualifiedName);
            if (denied != null) {
                d = Decision.reject("pickle.deny", "!" + denied);
            } else {
                String allowed = allow.match(qualifiedName);
                d = allowed != null ? Decision.allow("pickle.allow", allowed)
                        : Decision.reject("pickle.allow", "not in the allowlist");
            }
            if (cache.size() < CACHE_LIMIT) {
                cache.put(qualifiedName, d);
            }
        }
        return d;
    }

    static List<String> read(String resource) {
        return Presets.readPatternFile(resource);
    }
}
