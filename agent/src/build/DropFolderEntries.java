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
        Map<String, byte[]> bootPacked = new TreeMap<>();
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
                if (packed(entry.getName()) || bootPacked(entry.getName())) {
                    try (InputStream in1 = in.getInputStream(entry)) {
                        String name = entry.getName();
                        (packed(name) ? packed : bootPacked).put(
                                name.substring(0, name.length() - ".class".length()).replace('/', '.'), in1.readAllBytes());
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
            if (!bootPacked.isEmpty()) {
                // Stored: inflating it took 4.5 ms of the hand-over's thread CPU (BENCHMARKS.md, "Session 15").
                writeStored(zip, new ZipEntry(BOOT_PACK), bootPack(bootPacked));
            }
        }
        Files.move(out, jar, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("DropFolderEntries: " + dropped + " folder entries dropped, " + storedCount
                + " classes stored, " + packed.size() + " classes packed into " + PACK + ", " + bootPacked.size() + " into "
                + BOOT_PACK + " from " + jar);
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
     * not, so these stay in the directory: Jackson (the CLI and several checks) and Byte Buddy's
     * ASM (the edits at the servers' start). jHDF's SLF4J calls reach the boot pack through the
     * pack's loader.
     */
    static final List<String> PACKED_PACKAGES = List.of("dev/safeload/shaded/commons/", "dev/safeload/shaded/tukaani/",
            "dev/safeload/shaded/aircompressor/",
            "dev/safeload/shaded/jhdf/", "dev/safeload/model/compress/bundled/", "dev/safeload/model/keras/h5/");

    private static boolean packed(String name) {
        return name.endsWith(".class") && PACKED_PACKAGES.stream().anyMatch(name::startsWith);
    }

    /** The boot pack's entry: {@code dev.safeload.pack.Pack.BOOT_RESOURCE}. */
    static final String BOOT_PACK = "META-INF/safeload/boot.pack";

    /**
     * The packages (with their subpackages) of the boot pack: Logback and SLF4J, which only the
     * log's hand-over to Logback (2 s or more after start) and jHDF use, and the agent's sink that
     * uses Logback. With the agent on the boot class path they are all defined in the boot loader at
     * their first use, unverified like the directory's classes; otherwise the pack's loader defines
     * them. The boot loader finds nothing it was not given, so the whole pack is defined at once,
     * each class after its superclass and interfaces (235 entries less to index at every start:
     * 1.6 ms of the map probe's CPU; BENCHMARKS.md, "Session 15").
     */
    static final List<String> BOOT_PACKED_PACKAGES = List.of("dev/safeload/shaded/logback/",
            "dev/safeload/shaded/slf4j/", "dev/safeload/report/logback/");

    private static boolean bootPacked(String name) {
        return name.endsWith(".class") && BOOT_PACKED_PACKAGES.stream().anyMatch(name::startsWith);
    }

    /** A packed package a class file names (its constant pool holds internal names as UTF-8), or null. */
    private static String packedMention(byte[] classFile) {
        String text = new String(classFile, StandardCharsets.ISO_8859_1);
        for (List<String> prefixes : List.of(PACKED_PACKAGES, BOOT_PACKED_PACKAGES)) {
            for (String prefix : prefixes) {
                if (text.contains(prefix)) {
                    return prefix;
                }
            }
        }
        return null;
    }

    /**
     * The boot pack: {@code SLBP}, the count, then per class the length of its name, its name
     * (ASCII), its length and its bytes, each class after every class of the pack it extends or
     * implements. The agent reads it whole and defines each class where it lies.
     */
    private static byte[] bootPack(Map<String, byte[]> classes) throws IOException {
        List<String> order = new ArrayList<>();
        Map<String, Boolean> placed = new TreeMap<>();
        for (String name : classes.keySet()) {
            place(name, classes, placed, order);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x534c4250);
        out.writeInt(order.size());
        for (String name : order) {
            byte[] classFile = classes.get(name);
            if (!StandardCharsets.US_ASCII.newEncoder().canEncode(name)) {
                throw new IllegalStateException("the boot pack names classes in ASCII: " + name);
            }
            byte[] ascii = name.getBytes(StandardCharsets.US_ASCII);
            out.writeShort(ascii.length);
            out.write(ascii);
            out.writeInt(classFile.length);
            out.write(classFile);
        }
        out.flush();
        return bytes.toByteArray();
    }

    /** Adds {@code name} to {@code order} after its supertypes in the pack (depth first). */
    private static void place(String name, Map<String, byte[]> classes, Map<String, Boolean> placed, List<String> order) {
        Boolean state = placed.get(name);
        if (state != null) {
            if (!state) {
                throw new IllegalStateException("a cycle of supertypes through " + name);
            }
            return;
        }
        placed.put(name, false);
        for (String supertype : supertypes(classes.get(name))) {
            if (classes.containsKey(supertype)) {
                place(supertype, classes, placed, order);
            }
        }
        placed.put(name, true);
        order.add(name);
    }

    /** The binary names of a class file's superclass and interfaces (JVMS 4.1). */
    static List<String> supertypes(byte[] classFile) {
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(classFile);
        in.position(8);
        int count = in.getShort() & 0xffff;
        String[] utf8 = new String[count];
        int[] classNameIndex = new int[count];
        for (int i = 1; i < count; i++) {
            int tag = in.get();
            switch (tag) {
                case 1 -> {
                    int length = in.getShort() & 0xffff;
                    byte[] text = new byte[length];
                    in.get(text);
                    utf8[i] = new String(text, StandardCharsets.UTF_8); // names are ASCII here
                }
                case 7 -> classNameIndex[i] = in.getShort() & 0xffff;
                case 8, 16, 19, 20 -> in.position(in.position() + 2);
                case 15 -> in.position(in.position() + 3);
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.position(in.position() + 4);
                case 5, 6 -> {
                    in.position(in.position() + 8);
                    i++;
                }
                default -> throw new IllegalStateException("constant pool tag " + tag);
            }
        }
        in.position(in.position() + 4); // access flags, this class
        List<String> names = new ArrayList<>();
        int superIndex = in.getShort() & 0xffff;
        if (superIndex != 0) {
            names.add(utf8[classNameIndex[superIndex]].replace('/', '.'));
        }
        int interfaces = in.getShort() & 0xffff;
        for (int i = 0; i < interfaces; i++) {
            names.add(utf8[classNameIndex[in.getShort() & 0xffff]].replace('/', '.'));
        }
        return names;
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
