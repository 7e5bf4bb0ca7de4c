package dev.safeload.ops;

import dev.safeload.policy.ClassPatterns;
import dev.safeload.policy.Presets;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Classes that public gadget chains are built from: the agent's own denylist
 * ({@code serial-gadgets.txt}), which it refuses whatever a policy allows, and the building
 * blocks in {@code gadget-building-blocks.txt} (such as {@code java.net.URL} and
 * {@code TiedMapEntry}), which libraries do serialize but which {@code learn} never allows
 * without {@code --allow-dangerous}.
 */
public final class GadgetCatalog {

    private static final String BUILDING_BLOCKS = "/dev/safeload/ops/gadget-building-blocks.txt";

    /** Why a class is dangerous, and whether the agent refuses it regardless of the policy. */
    public record Match(String pattern, String reason, boolean refusedByAgent) {
    }

    private final ClassPatterns agentDeny;
    private final ClassPatterns buildingBlocks;
    private final Map<String, String> reasons;

    private GadgetCatalog(ClassPatterns agentDeny, Map<String, String> reasons) {
        this.agentDeny = agentDeny;
        this.reasons = reasons;
        this.buildingBlocks = ClassPatterns.of(reasons.keySet());
    }

    /** The catalogue shipped in the agent jar. */
    public static GadgetCatalog builtIn() {
        return new GadgetCatalog(Presets.gadgetDeny(), readBuildingBlocks());
    }

    /** What makes {@code className} (a plain name, not an array name) dangerous, or null. */
    public Match match(String className) {
        String denied = agentDeny.match(className);
        if (denied != null) {
            return new Match(denied, "on the agent's built-in gadget denylist, refused whatever the policy allows",
                    true);
        }
        String block = buildingBlocks.match(className);
        return block == null ? null : new Match(block, reasons.get(block), false);
    }

    /**
     * The catalogue patterns that {@code pkg.*} would cover, so a package holding a known
     * building block is never widened to all of its classes.
     */
    public List<String> patternsInPackage(String pkg) {
        List<String> hits = new ArrayList<>();
        for (ClassPatterns set : List.of(agentDeny, buildingBlocks)) {
            for (String pattern : set.patterns()) {
                if (overlapsPackage(pattern, pkg) && !hits.contains(pattern)) {
                    hits.add(pattern);
                }
            }
        }
        return hits;
    }

    private static boolean overlapsPackage(String pattern, String pkg) {
        if (pattern.endsWith(".**")) {
            String root = pattern.substring(0, pattern.length() - 3);
            return pkg.equals(root) || pkg.startsWith(root + ".");
        }
        if (pattern.endsWith(".*")) {
            return pkg.equals(pattern.substring(0, pattern.length() - 2));
        }
        if (pattern.endsWith("*")) {
            String prefix = pattern.substring(0, pattern.length() - 1);
            String member = pkg + ".";
            return member.startsWith(prefix)
                    || (prefix.startsWith(member) && prefix.indexOf('.', member.length()) < 0);
        }
        int dot = pattern.lastIndexOf('.');
        return dot > 0 && pattern.substring(0, dot).equals(pkg);
    }

    private static Map<String, String> readBuildingBlocks() {
        InputStream in = GadgetCatalog.class.getResourceAsStream(BUILDING_BLOCKS);
        if (in == null) {
            throw new IllegalStateException("safeload jar is missing " + BUILDING_BLOCKS);
        }
        Map<String, String> reasons = new LinkedHashMap<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                int hash = line.indexOf('#');
                String pattern = (hash >= 0 ? line.substring(0, hash) : line).strip();
                if (!pattern.isEmpty()) {
                    reasons.put(pattern, hash >= 0 ? line.substring(hash + 1).strip() : "a known gadget building block");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + BUILDING_BLOCKS, e);
        }
        return reasons;
    }
}
