package dev.safeload.pack;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The boot pack ({@link Pack#BOOT_RESOURCE}): Logback, SLF4J and the agent's Logback sink, out of
 * the jar's central directory, which every host indexes at start.
 *
 * <p>When the agent runs from the boot class path, the log's hand-over to Logback (2 s or more
 * after start, on its own thread) defines all of them in the boot loader, unverified like the
 * classes the boot loader reads from the jar. The boot loader asks nobody for a class it lacks, so
 * all of them are defined at once, each after its supertypes (the build wrote them in that order).
 * Otherwise (the CLI, a renamed jar, a failure here) {@link PackLoader} defines them, verified, as
 * it does for the SLF4J calls of the packed jHDF.
 */
final class BootPack {

    static final int MAGIC = 0x534c4250; // "SLBP"

    /** The boot pack's packages (DropFolderEntries.BOOT_PACKED_PACKAGES). */
    private static final String[] PACKAGES = {"dev.safeload.shaded.logback.", "dev.safeload.shaded.slf4j.",
        "dev.safeload.report.logback."};

    /** Where the boot pack's classes are: 0 not yet asked, 1 the boot loader, 2 not there. */
    private static int state;

    private BootPack() {
    }

    /** Whether {@code className} is in the boot pack's packages. */
    static boolean covers(String className) {
        for (String prefix : PACKAGES) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the boot loader has the boot pack's classes; the first call (the log's hand-over,
     * once) defines them there when the agent runs from the boot class path with {@code inst}.
     */
    static synchronized boolean inBootLoader(Instrumentation inst) {
        if (state == 0) {
            state = 2;
            URL url = Pack.class.getClassLoader() == null && inst != null
                    ? Pack.class.getResource("/" + Pack.BOOT_RESOURCE) : null;
            if (url != null) {
                try (ZipFile jar = new ZipFile(Pack.jarOf(url).toFile())) {
                    defineInBootLoader(inst, jar);
                    state = 1;
                } catch (IOException | ReflectiveOperationException | RuntimeException | LinkageError e) {
                    // Nothing is lost: what was defined is unused, PackLoader defines the same classes.
                    System.err.println("safeload: notice: Logback's classes are defined by the agent's own"
                            + " loader, verified (cannot define them in the boot loader: " + e + ")");
                }
            }
        }
        return state == 1;
    }

    /**
     * Defines every class of the boot pack in the boot loader, in the pack's order.
     * {@code jdk.internal.misc.Unsafe.defineClass} is the one way to define a class there; its
     * package is exported to the agent's boot classes only, which java.base's edits already call
     * (and {@code sun.misc.Unsafe}, open to every class, gives more).
     */
    private static void defineInBootLoader(Instrumentation inst, ZipFile jar)
            throws IOException, ReflectiveOperationException {
        Module javaBase = Object.class.getModule();
        Module own = BootPack.class.getModule();
        if (!javaBase.isExported("jdk.internal.misc", own)) {
            inst.redefineModule(javaBase, Set.of(), Map.of("jdk.internal.misc", Set.of(own)), Map.of(),
                    Set.of(), Map.of());
        }
        Class<?> unsafeType = Class.forName("jdk.internal.misc.Unsafe", false, null);
        Object unsafe = unsafeType.getMethod("getUnsafe").invoke(null);
        Method define = unsafeType.getMethod("defineClass", String.class, byte[].class, int.class, int.class,
                ClassLoader.class, ProtectionDomain.class);
        read(jar, (name, pack, offset, length) -> define.invoke(unsafe, name, pack, offset, length, null, null));
    }

    /** What is done with each class of the boot pack: its bytes are {@code length} bytes of {@code pack} from {@code offset}. */
    interface Each {
        void accept(String name, byte[] pack, int offset, int length) throws ReflectiveOperationException;
    }

    /**
     * Reads the boot pack whole (a stored entry: one read), then hands each class over where it
     * lies: {@code SLBP}, the count, then per class the length of its name, its name (ASCII), its
     * length and its bytes. An {@link InvocationTargetException} of a {@link LinkageError} throws the error.
     */
    static void read(ZipFile jar, Each each) throws IOException, ReflectiveOperationException {
        ZipEntry entry = jar.getEntry(Pack.BOOT_RESOURCE);
        if (entry == null || entry.getSize() < 8 || entry.getSize() > Integer.MAX_VALUE - 8) {
            throw new IOException(jar.getName() + " has no " + Pack.BOOT_RESOURCE);
        }
        byte[] pack;
        try (InputStream in = jar.getInputStream(entry)) {
            pack = in.readNBytes((int) entry.getSize());
        }
        ByteBuffer at = ByteBuffer.wrap(pack);
        try {
            if (pack.length != entry.getSize() || at.getInt() != MAGIC) {
                throw new IOException(Pack.BOOT_RESOURCE + " in " + jar.getName() + " is not a boot pack");
            }
            int count = at.getInt();
            for (int i = 0; i < count; i++) {
                int nameLength = at.getShort() & 0xffff;
                String name = new String(pack, at.position(), nameLength, StandardCharsets.ISO_8859_1);
                at.position(at.position() + nameLength);
                int length = at.getInt();
                int offset = at.position();
                at.position(offset + length);
                try {
                    each.accept(name, pack, offset, length);
                } catch (InvocationTargetException e) {
                    if (e.getCause() instanceof LinkageError error) {
                        throw error;
                    }
                    throw e;
                }
            }
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new IOException(Pack.BOOT_RESOURCE + " in " + jar.getName() + " is truncated", e);
        }
    }
}
