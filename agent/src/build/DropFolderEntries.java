import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Rewrites the shaded agent jar without its folder entries (run by the agent module's build after
 * the shade step, as a single-file program: {@code java DropFolderEntries.java JAR}). The JVM
 * indexes every entry of the agent jar's central directory at every start; a folder entry is never
 * read. The manifest stays first, for {@code JarInputStream} readers; the other entries keep their
 * order and times.
 */
public final class DropFolderEntries {

    public static void main(String[] args) throws IOException {
        Path jar = Path.of(args[0]);
        Path out = jar.resolveSibling(jar.getFileName() + ".files-only");
        int dropped = 0;
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
                zip.putNextEntry(copy);
                try (InputStream bytes = in.getInputStream(entry)) {
                    bytes.transferTo(zip);
                }
                zip.closeEntry();
            }
        }
        Files.move(out, jar, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("DropFolderEntries: " + dropped + " folder entries dropped from " + jar);
    }

    private static boolean isManifest(ZipEntry entry) {
        return entry.getName().equals("META-INF/MANIFEST.MF");
    }
}
