package dev.safeload.pack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/**
 * The agent's classes that use the bundled libraries out of the jar's central directory (issue 12):
 * the build packs them into one stored entry, {@link #RESOURCE}, and {@link PackLoader} defines them
 * at their first use. The core reaches a packed class only through an interface of its own and
 * {@link #instance}. Without a pack (the unit tests, from {@code target/classes}) the core's own
 * loader loads the same class, so every test runs the same code.
 */
public final class Pack {

    /** The packed classes' entry in the agent jar; written by {@code agent/src/build/DropFolderEntries.java}. */
    public static final String RESOURCE = "META-INF/safeload/classes.pack";

    /**
     * Logback, SLF4J and the agent's Logback sink, in the order they can be defined; written by
     * {@code DropFolderEntries} too. With the agent on the boot class path they are defined in the
     * boot loader, so unverified, at the log's hand-over to Logback ({@link BootPack}).
     */
    public static final String BOOT_RESOURCE = "META-INF/safeload/boot.pack";

    private Pack() {
    }

    /**
     * A new {@code className}, made by its constructor of {@code parameterTypes}, as a {@code type}.
     * The name is the core's own constant, never the host's: the pack defines only what its index holds.
     */
    public static <T> T instance(Class<T> type, String className, Class<?>[] parameterTypes, Object... arguments) {
        return bootInstance(null, type, className, parameterTypes, arguments);
    }

    /**
     * {@link #instance(Class, String, Class[], Object...)} of a class of the boot pack, which
     * {@code inst} lets {@link BootPack} define in the boot loader (one export of
     * {@code jdk.internal.misc} to the agent's own boot classes, at the first call); without it,
     * or not on the boot class path, the pack's loader defines it.
     */
    public static <T> T bootInstance(Instrumentation inst, Class<T> type, String className, Class<?>[] parameterTypes,
            Object... arguments) {
        try {
            // The boot pack's classes are the boot loader's when it has them: no pack's loader, no index read.
            Class<?> packed = Class.forName(className, true,
                    BootPack.covers(className) && BootPack.inBootLoader(inst) ? null : Loader.LOADER);
            return type.cast(packed.getConstructor(parameterTypes).newInstance(arguments));
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("cannot make " + className, cause);
        } catch (ReflectiveOperationException e) {
            throw new LinkageError("the agent's class " + className + " is missing: " + e, e);
        }
    }

    /** A new {@code className} by its public no-argument constructor, as a {@code type}. */
    public static <T> T instance(Class<T> type, String className) {
        return instance(type, className, new Class<?>[0]);
    }

    /** The loader of the packed classes, or the core's own where the jar has no pack; made at first use. */
    public static ClassLoader loader() {
        return Loader.LOADER;
    }

    /** A holder: the pack is opened at the first packed class, never at the agent's start. */
    private static final class Loader {
        static final ClassLoader LOADER = open();
    }

    private static ClassLoader open() {
        ClassLoader core = Pack.class.getClassLoader();
        // A boot class looks up resources on the boot class path only; the app loader (java -jar)
        // asks its parents first: either way the pack comes from the jar the core came from.
        URL url = Pack.class.getResource("/" + RESOURCE);
        if (url == null) {
            if (core == null) {
                // Never the system loader: it would take these names from the host's class path.
                throw new IllegalStateException("the agent jar on the boot class path has no " + RESOURCE);
            }
            return core;
        }
        try {
            return new PackLoader(core, jarOf(url));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the agent's packed classes in " + url, e);
        }
    }

    /** The jar file of a {@code jar:file:...!/entry} URL. */
    static Path jarOf(URL url) throws IOException {
        String spec = url.toString();
        int bang = spec.lastIndexOf("!/");
        if (!spec.startsWith("jar:file:") || bang < 0) {
            throw new IOException("the packed classes are not in a jar file: " + spec);
        }
        try {
            return Path.of(new URI(spec.substring("jar:".length(), bang)));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IOException("cannot name the agent jar of " + spec, e);
        }
    }
}
