package dev.safeload.pack;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Defines the agent's packed classes from the one stored entry that holds them ({@link Pack#RESOURCE}).
 *
 * <p>The entry starts with an index the build sorted: the magic {@code SLPK}, a count, then per
 * class its binary name, its offset from the end of the index, its deflated length and its
 * length; then each class's bytes, deflated on their own (raw deflate). A class is read by
 * skipping to its offset in the stored entry, so opening the pack reads the index only, and
 * nothing is written to disk.
 *
 * <p>Names in the index are defined here first, never asked of the parent: the host cannot put a
 * class of its own in their place, and there is no public way to define anything else here.
 *
 * <p>The boot pack's classes ({@link BootPack}) that the packed classes use (jHDF's SLF4J) are
 * defined here too, read from the boot pack, never asked of the parent.
 */
final class PackLoader extends ClassLoader {

    static final int MAGIC = 0x534c504b; // "SLPK"

    static {
        registerAsParallelCapable();
    }

    private final ZipFile jar;
    private final ZipEntry entry;
    private final String[] names;
    private final long[] offsets;
    private final int[] deflatedLengths;
    private final int[] lengths;
    private final long dataStart;
    /** Where the boot pack's classes lie in it, once read. Guarded by this. */
    private Map<String, int[]> bootPackIndex;

    /** The pack's index, as read. */
    private record Index(String[] names, long[] offsets, int[] deflatedLengths, int[] lengths) {
    }

    PackLoader(ClassLoader parent, Path jarFile) throws IOException {
        super("safeload-pack", parent);
        // The JVM already opened this jar (it is on the class path): ZipFile shares the index it built.
        jar = new ZipFile(jarFile.toFile());
        entry = jar.getEntry(Pack.RESOURCE);
        if (entry == null || entry.getMethod() != ZipEntry.STORED) {
            jar.close();
            throw new IOException(jarFile + " has no stored " + Pack.RESOURCE);
        }
        Index index;
        try {
            index = readIndex(jarFile);
        } catch (IOException | RuntimeException e) {
            jar.close();
            throw e;
        }
        names = index.names();
        offsets = index.offsets();
        deflatedLengths = index.deflatedLengths();
        lengths = index.lengths();
        dataStart = indexLength(names);
    }

    private Index readIndex(Path jarFile) throws IOException {
        try (InputStream raw = jar.getInputStream(entry);
             DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw, 64 * 1024))) {
            if (in.readInt() != MAGIC) {
                throw new IOException(Pack.RESOURCE + " in " + jarFile + " is not a class pack");
            }
            int count = in.readInt();
            String[] names = new String[count];
            long[] offsets = new long[count];
            int[] deflatedLengths = new int[count];
            int[] lengths = new int[count];
            for (int i = 0; i < count; i++) {
                names[i] = in.readUTF();
                offsets[i] = in.readInt() & 0xffffffffL;
                deflatedLengths[i] = in.readInt();
                lengths[i] = in.readInt();
                if (i > 0 && names[i - 1].compareTo(names[i]) >= 0) {
                    throw new IOException(Pack.RESOURCE + " in " + jarFile + " is not sorted at " + names[i]);
                }
            }
            return new Index(names, offsets, deflatedLengths, lengths);
        }
    }

    /** The index's length in bytes, as {@code DataOutputStream} wrote it. */
    static long indexLength(String[] names) {
        long length = 8;
        for (String name : names) {
            length += 2 + modifiedUtf8Length(name) + 12;
        }
        return length;
    }

    private static int modifiedUtf8Length(String s) {
        int length = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            length += c >= 1 && c <= 0x7f ? 1 : c <= 0x7ff ? 2 : 3;
        }
        return length;
    }

    /** The binary names of every packed class, sorted; for the jar's own test. */
    String[] names() {
        return names.clone();
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        int index = Arrays.binarySearch(names, name);
        if (index < 0) {
            return BootPack.covers(name) ? loadBootPacked(name, resolve) : super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                c = define(index);
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    /**
     * A class of the boot pack, defined here. Here even when the boot loader has them: jHDF's SLF4J
     * calls (the first Keras HDF5 file, maybe at the host's start) then define the few classes they
     * use, not the whole boot pack.
     */
    private Class<?> loadBootPacked(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                int[] at = bootPackIndex().get(name);
                if (at == null) {
                    throw new ClassNotFoundException(name);
                }
                byte[] bytes;
                try (InputStream in = jar.getInputStream(jar.getEntry(Pack.BOOT_RESOURCE))) {
                    in.skipNBytes(at[0]); // a stored entry: a skip is a seek
                    bytes = in.readNBytes(at[1]);
                } catch (IOException | RuntimeException e) {
                    throw new ClassNotFoundException(name + ": cannot read it from " + Pack.BOOT_RESOURCE, e);
                }
                if (bytes.length != at[1]) {
                    throw new ClassNotFoundException(name + ": its bytes in " + Pack.BOOT_RESOURCE + " are truncated");
                }
                c = defineClass(name, bytes, 0, bytes.length);
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    /** Where each class of the boot pack lies in it: its offset and its length; read at the first. */
    private synchronized Map<String, int[]> bootPackIndex() throws ClassNotFoundException {
        if (bootPackIndex == null) {
            Map<String, int[]> index = new HashMap<>();
            try {
                BootPack.read(jar, (name, pack, offset, length) -> index.put(name, new int[] {offset, length}));
            } catch (IOException | ReflectiveOperationException e) {
                throw new ClassNotFoundException("cannot read " + Pack.BOOT_RESOURCE, e);
            }
            bootPackIndex = index;
        }
        return bootPackIndex;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        throw new ClassNotFoundException(name);
    }

    private Class<?> define(int index) throws ClassNotFoundException {
        String name = names[index];
        byte[] bytes = new byte[lengths[index]];
        try (InputStream in = jar.getInputStream(entry)) {
            in.skipNBytes(dataStart + offsets[index]); // a stored entry: a skip is a seek
            byte[] deflated = in.readNBytes(deflatedLengths[index]);
            Inflater inflater = new Inflater(true);
            try {
                inflater.setInput(deflated);
                int n = 0;
                while (n < bytes.length && !inflater.finished()) {
                    int read = inflater.inflate(bytes, n, bytes.length - n);
                    if (read == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                        break;
                    }
                    n += read;
                }
                if (n != bytes.length) {
                    throw new ClassNotFoundException(name + ": its packed bytes are truncated");
                }
            } finally {
                inflater.end();
            }
        } catch (IOException | DataFormatException e) {
            throw new ClassNotFoundException(name + ": cannot read it from " + Pack.RESOURCE, e);
        }
        return defineClass(name, bytes, 0, bytes.length);
    }
}
