package dev.safeload.policy;

/**
 * Whether a name a stream flags as an enum ({@code SC_ENUM}) is one, proven by loading the
 * class without initialising it. The flag is the writer's claim: a loader whose
 * {@code resolveClass} initialises what it loads (Weka's does) would run any class's static
 * initialiser on the claim alone, so an unproven claim is refused before that code runs.
 */
public final class EnumProof {

    private EnumProof() {
    }

    /** True when one of {@code loaders} (null entries skipped) defines {@code name} as a real enum. */
    public static boolean isEnum(String name, ClassLoader... loaders) {
        for (ClassLoader loader : loaders) {
            if (loader == null) {
                continue;
            }
            try {
                Class<?> type = Class.forName(name, false, loader);
                // A loader that answers a different class for the same name than the host's
                // loader would is the host's own class path, not the stream's to choose.
                return type.isEnum();
            } catch (ClassNotFoundException | LinkageError e) {
                // Not visible to this loader; try the next.
            }
        }
        return false;
    }
}
