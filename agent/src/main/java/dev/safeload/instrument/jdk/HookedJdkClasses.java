package dev.safeload.instrument.jdk;

import java.util.Set;

/**
 * Which java.base classes {@link JdkHooks} edits, in a class that names no ASM type: the
 * transformer asks at every class load from premain on, and a JVM that never loads one of them
 * never loads {@code JdkHooks} or ASM (verifying {@code JdkHooks} loads ASM's visitor and writer).
 */
public final class HookedJdkClasses {

    private static final Set<String> BINARY_NAMES = Set.of(JdkHooks.OBJECT_INPUT_STREAM.replace('/', '.'),
            JdkHooks.OBJECT_STREAM_CLASS.replace('/', '.'), JdkHooks.FILTER_CONFIG.replace('/', '.'),
            JdkHooks.HASHTABLE.replace('/', '.'), JdkHooks.CONCURRENT_HASH_MAP.replace('/', '.'),
            JdkHooks.COLL_SER.replace('/', '.'), JdkHooks.PRIORITY_QUEUE.replace('/', '.'));

    private HookedJdkClasses() {
    }

    /** The binary names of the classes {@link JdkHooks} edits. */
    public static Set<String> binaryNames() {
        return BINARY_NAMES;
    }

    /** True for the internal names {@link JdkHooks} rewrites. */
    public static boolean handles(String internalName) {
        return JdkHooks.OBJECT_INPUT_STREAM.equals(internalName) || JdkHooks.OBJECT_STREAM_CLASS.equals(internalName)
                || JdkHooks.FILTER_CONFIG.equals(internalName) || JdkHooks.HASHTABLE.equals(internalName)
                || JdkHooks.CONCURRENT_HASH_MAP.equals(internalName) || JdkHooks.COLL_SER.equals(internalName)
                || JdkHooks.PRIORITY_QUEUE.equals(internalName);
    }
}
