package dev.safeload.policy;

import dev.safeload.model.ModelPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Whether a new policy is at least as strict as the one in force, so that at run time
 * protection can only go up. Every setting counts, except in the staging step from audit to
 * enforce, where only the mode does: audit refuses nothing, so any enforce policy refuses more. The comparison is conservative: a change it cannot prove to be
 * no looser (a narrower pattern it does not recognise as narrower, say) counts as a loosening.
 */
public final class Strictness {

    private Strictness() {
    }

    /**
     * What {@code next} allows that {@code current} does not, one readable item per change
     * (e.g. {@code mode enforce -> audit}, {@code serial.allow adds com.acme.**}); empty when
     * {@code next} is at least as strict.
     */
    public static List<String> loosenings(Policy current, Policy next) {
        List<String> looser = new ArrayList<>();
        if (rank(next.mode()) < rank(current.mode())) {
            looser.add("mode " + current.mode().label() + " -> " + next.mode().label());
        }
        if (current.mode() != Mode.ENFORCE && next.mode() == Mode.ENFORCE) {
            // The staging step: audit refused nothing, so any enforce policy refuses more, and
            // the learned allow entries ship with it. Audit -> audit is compared in full, or a
            // widened list slipped in during audit would be enforced by a later JMX raise.
            return looser;
        }
        SerialPolicy was = current.serial();
        SerialPolicy now = next.serial();
        patternsAdded("serial.allow adds ", now.allowPatterns(), was.allowPatterns(), looser);
        patternsAdded("serial.deny drops ", was.denyPatterns(), now.denyPatterns(), looser);
        patternsAdded("serial.allowWithoutConstructor adds ", now.unconstructedPatterns(), was.unconstructedPatterns(),
                looser);
        scopedChanges(was.scopedRules(), now.scopedRules(), looser);
        limitRaised("serial.maxDepth", was.limits().maxDepth(), now.limits().maxDepth(), looser);
        limitRaised("serial.maxRefs", was.limits().maxRefs(), now.limits().maxRefs(), looser);
        limitRaised("serial.maxBytes", was.limits().maxBytes(), now.limits().maxBytes(), looser);
        limitRaised("serial.maxArray", was.limits().maxArray(), now.limits().maxArray(), looser);

        ModelPolicy m0 = current.model();
        ModelPolicy m1 = next.model();
        for (String format : m1.allowFormats()) {
            if (!m0.allowFormats().contains(format)) {
                looser.add("model.allowFormats adds " + format);
            }
        }
        patternsAdded("model.pickle.allow adds ", m1.pickleAllow(), m0.pickleAllow(), looser);
        patternsAdded("model.pickle.allow drops !", m0.pickleDeny(), m1.pickleDeny(), looser);
        for (Path dir : m1.trustedDirs()) {
            if (m0.trustedDirs().stream().noneMatch(dir::startsWith)) {
                looser.add("model.trustedDirs adds " + dir);
            }
        }
        for (String pin : m1.sha256Pins()) {
            if (!m0.sha256Pins().contains(pin)) {
                looser.add("model.sha256 adds " + pin);
            }
        }
        for (ModelHook hook : current.hooks()) {
            if (!next.hooks().contains(hook)) {
                looser.add("model.hooks drops " + hook);
            }
        }
        for (String member : next.xmlDecoderMethods()) {
            if (!current.xmlDecoderMethods().contains(member)) {
                looser.add("xmldecoder.allowMethods adds " + member);
            }
        }
        if (next.allowNativeLibraries() && !current.allowNativeLibraries()) {
            looser.add("model.allowNativeLibraries false -> true");
        }
        return looser;
    }

    /** off &lt; audit &lt; enforce. */
    public static int rank(Mode mode) {
        return switch (mode) {
            case OFF -> 0;
            case AUDIT -> 1;
            case ENFORCE -> 2;
        };
    }

    /** Adds an item for each pattern of {@code wider} that {@code narrower} does not cover. */
    private static void patternsAdded(String what, ClassPatterns wider, ClassPatterns narrower, List<String> looser) {
        for (String pattern : wider.patterns()) {
            if (!covers(narrower, pattern)) {
                looser.add(what + pattern);
            }
        }
    }

    /**
     * Whether every name {@code pattern} matches is matched by {@code patterns}. A probe name
     * ending in NUL, which no real class has, stands for "any name under this prefix".
     */
    static boolean covers(ClassPatterns patterns, String pattern) {
        if (patterns.patterns().contains(pattern)) {
            return true;
        }
        int star = pattern.indexOf('*');
        if (star < 0) {
            return patterns.match(pattern) != null;
        }
        String hit = patterns.match(pattern.substring(0, star) + '\0');
        if (hit == null) {
            return false;
        }
        boolean tree = hit.endsWith(".**");
        boolean prefix = hit.endsWith("*") && !hit.endsWith(".*");
        // A package pattern a.* covers a.* only (the exact case above), never a.** or a.Pre*,
        // which also match names in subpackages.
        return tree || prefix;
    }

    private static void scopedChanges(List<ScopedRule> was, List<ScopedRule> now, List<String> looser) {
        Set<String> wasAllow = new HashSet<>();
        Set<String> nowDeny = new HashSet<>();
        for (ScopedRule rule : was) {
            if (rule.allow()) {
                wasAllow.add(rule.text());
            }
        }
        for (ScopedRule rule : now) {
            if (!rule.allow()) {
                nowDeny.add(rule.text());
            }
        }
        for (ScopedRule rule : now) {
            if (rule.allow() && !wasAllow.contains(rule.text())) {
                looser.add("serial.allow adds " + rule.text());
            }
        }
        for (ScopedRule rule : was) {
            if (!rule.allow() && !nowDeny.contains(rule.text())) {
                looser.add("serial.deny drops " + rule.text());
            }
        }
    }

    private static void limitRaised(String key, long was, long now, List<String> looser) {
        if (now > was) {
            looser.add(key + " " + was + " -> " + now);
        }
    }
}
