import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.CRC32;
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
 */
public final class DropFolderEntries {

    public static void main(String[] args) throws IOException {
        Path jar = Path.of(args[0]);
        Path out = jar.resolveSibling(jar.getFileName() + ".files-only");
        int dropped = 0;
        int storedCount = 0;
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
                ZipEntry copy = new ZipEntry(entry.getName());
                copy.setTime(entry.getTime());
                if (stored(entry.getName())) {
                    byte[] bytes;
                    try (InputStream in1 = in.getInputStream(entry)) {
                        bytes = in1.readAllBytes();
                    }
                    CRC32 crc = new CRC32();
                    crc.update(bytes);
                    copy.setMethod(ZipEntry.STORED);
                    copy.setSize(bytes.length);
                    copy.setCompressedSize(bytes.length);
                    copy.setCrc(crc.getValue());
                    zip.putNextEntry(copy);
                    zip.write(bytes);
                    storedCount++;
                } else {
                    zip.putNextEntry(copy);
                    try (InputStream bytes = in.getInputStream(entry)) {
                        bytes.transferTo(zip);
                    }
                }
                zip.closeEntry();
            }
        }
        Files.move(out, jar, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("DropFolderEntries: " + dropped + " folder entries dropped, " + storedCount
                + " classes stored from " + jar);
    }

    /** The packages (not their subpackages) whose classes are stored: premain's and the first stream's. */
    static final List<String> STORED_PACKAGES = List.of("dev/safeload/agent/", "dev/safeload/config/",
            "dev/safeload/policy/", "dev/safeload/report/", "dev/safeload/serial/", "dev/safeload/instrument/",
            "dev/safeload/instrument/jdk/");

    private static boolean stored(String name) {
        int slash = name.lastIndexOf('/');
        return name.endsWith(".class") && STORED_PACKAGES.contains(name.substring(0, slash + 1));
    }

    private static boolean isManifest(ZipEntry entry) {
        return entry.getName().equals("META-INF/MANIFEST.MF");
    }
}
