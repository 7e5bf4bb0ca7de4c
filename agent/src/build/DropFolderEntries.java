import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Rewrites the shaded agent jar without its folder entries (run by the agent module's build after
 * the shade step, as a single-file program: {@code java DropFolderEntries.java JAR}). The JVM
 * indexes every entry of the agent jar's central directory at every start; a folder entry is never
 * read. The manifest stays first, for {@code JarInputStream} readers; the other entries keep their
 * order and times.
 *
 * <p>The classes of the packages the agent's start and the JVM's first stream load from
 * ({@link #STORED_PACKAGES}) are stored, not deflated: each is read before the host's {@code main}
 * or on its first stream, and the JVM inflates a deflated entry at every load (premain's thread
 * CPU about 0.8 ms less for the 30 classes it loads; BENCHMARKS.md, "Session 11: premain"). The
 * rest (the model checks, the commands, the shaded libraries) stays deflated: the jar's budget
 * ({@code AgentJarTest}).
 *
 * <p>The classes of {@link #PACKED_PACKAGES} (the bundled libraries no class outside them uses,
 * and the agent's classes that use them) leave the central directory for one stored entry,
 * {@code META-INF/safeload/classes.pack}, which {@code dev.safeload.pack.PackLoader} reads: an
 * index sorted by name, then each class deflated on its own. The JVM indexes the agent jar's
 * central directory in Java at every start, about 5 microseconds an entry (BENCHMARKS.md,
 * "Session 12"). The build fails if a class left in the directory names a packed one: the boot
 * loader could not find it.
 */
public final class DropFolderEntries {

    public static void main(String[] args) throws IOException {
        Path jar = Path.of(args[0]);
        Path out = jar.resolveSibling(jar.getFileName() + ".files-only");
        int dropped = 0;
        int storedCount = 0;
        Map<String, byte[]> packed = new TreeMap<>();
        try (ZipFile in = new ZipFile(jar.toFile());
             OutputStream file = Files.newOutputStream(out);
             ZipOutputStream zip = new ZipOutputStream(file)) {
            List<ZipEntry> entries = new ArrayList<>(Collections.list(in.entries()));
            entries.sort((a, b) -> Boolean.compare(!isManifest(a), !isManifest(b))); // stable: the rest keep their order
            for (ZipEntry entry : entries) {
                if (entry.isDirectory()) {
                    dropped++;
                    continue;
                }
                if (packed(entry.getName())) {
                    try (InputStream in1 = in.getInputStream(entry)) {
                        String name = entry.getName();
                        packed.put(name.substring(0, name.length() - ".class".length()).replace('/', '.'),
                                in1.readAllBytes());
                    }
                    continue;
                }
                if (entry.getName().endsWith(".class")) {
                    try (InputStream in1 = in.getInputStream(entry)) {
                        String mention = packedMention(in1.readAllBytes());
                        if (mention != null) {
                            throw new IllegalStateException(entry.getName() + " names the packed " + mention
                                    + ": pack its package too, or reach it through an interface (dev.safeload.pack.Pack)");
                        }
                    }
                }
                ZipEntry copy = new ZipEntry(entry.getName());
                copy.setTime(entry.getTime());
                if (stored(entry.getName())) {
                    byte[] bytes;
                    try (InputStream in1 = in.getInputStream(entry)) {
                        bytes = in1.readAllBytes();
                    }
                    writeStored(zip, copy, bytes);
                    storedCount++;
                } else {
                    zip.putNextEntry(copy);
                    try (InputStream bytes = in.getInputStream(entry)) {
                        bytes.transferTo(zip);
                    }
                }
                zip.closeEntry();
            }
            if (!packed.isEmpty()) {
                writeStored(zip, new ZipEntry(PACK), pack(packed));
            }
        }
        Files.move(out, jar, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("DropFolderEntries: " + dropped + " folder entries dropped, " + storedCount
                + " classes stored, " + packed.size() + " classes packed into " + PACK + " from " + jar);
    }

    /** The packages (not their subpackages) whose classes are stored: premain's and the first stream's. */
    static final List<String> STORED_PACKAGES = List.of("dev/safeload/agent/", "dev/safeload/config/",
            "dev/safeload/policy/", "dev/safeload/report/", "dev/safeload/serial/", "dev/safeload/instrument/",
            "dev/safeload/instrument/jdk/");

    private static boolean stored(String name) {
        int slash = name.lastIndexOf('/');
        return name.endsWith(".class") && STORED_PACKAGES.contains(name.substring(0, slash + 1));
    }

    /** The pack's entry: {@code dev.safeload.pack.Pack.RESOURCE}. */
    static final String PACK = "META-INF/safeload/classes.pack";

    /**
     * The packages (with their subpackages) whose classes are packed: the libraries that only the
     * model checks use, and those checks' classes. A packed class is verified, a boot class is
     * not, so these stay in the directory: Jackson (the CLI and several checks), Byte Buddy's ASM
     * (the edits at the servers' start) and Logback with SLF4J (packed, the log's hand-over cost
     * about 27 ms of CPU once against about 1.3 ms saved at every start: BENCHMARKS.md, "Session
     * 12"; jHDF's SLF4J calls reach them through the pack's parent).
     */
    static final List<String> PACKED_PACKAGES = List.of("dev/safeload/shaded/commons/", "dev/safeload/shaded/tukaani/",
            "dev/safeload/shaded/aircompressor/",
            "dev/safeload/shaded/jhdf/", "dev/safeload/model/compress/bundled/", "dev/safeload/model/keras/h5/");

    private static boolean packed(String name) {
        return name.endsWith(".class") && PACKED_PACKAGES.stream().anyMatch(name::startsWith);
    }

    /** A packed package a class file names (its constant pool holds internal names as UTF-8), or null. */
    private static String packedMention(byte[] classFile) {
        String text = new String(classFile, StandardCharsets.ISO_8859_1);
        for (String prefix : PACKED_PACKAGES) {
            if (text.contains(prefix)) {
                return prefix;
            }
        }
        return null;
    }

    /**
     * The pack: {@code SLPK}, the count, per class (sorted by name) its name, its offset after the
     * index, its deflated and its full length; then the deflated classes (raw deflate).
     */
    private static byte[] pack(Map<String, byte[]> classes) throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        ByteArrayOutputStream index = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(index);
        out.writeInt(0x534c504b);
        out.writeInt(classes.size());
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        byte[] buffer = new byte[64 * 1024];
        for (Map.Entry<String, byte[]> c : classes.entrySet()) {
            deflater.reset();
            deflater.setInput(c.getValue());
            deflater.finish();
            int offset = data.size();
            while (!deflater.finished()) {
                data.write(buffer, 0, deflater.deflate(buffer));
            }
            out.writeUTF(c.getKey());
            out.writeInt(offset);
            out.writeInt(data.size() - offset);
            out.writeInt(c.getValue().length);
        }
        deflater.end();
        out.flush();
        data.writeTo(index);
        return index.toByteArray();
    }

    private static void writeStored(ZipOutputStream zip, ZipEntry entry, byte[] bytes) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(bytes.length);
        entry.setCompressedSize(bytes.length);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(bytes);
        zip.closeEntry();
    }

    private static boolean isManifest(ZipEntry entry) {
        return entry.getName().equals("META-INF/MANIFEST.MF");
    }
}
