package dev.safeload.pack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.model.compress.LibraryDecoders;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pack's loader on a real jar written in the build's format (agent/src/build/DropFolderEntries.java),
 * and {@link Pack}'s fall-back where there is no pack (these tests run from target/classes).
 */
class PackLoaderTest {

    @TempDir
    Path dir;

    /** A packed class; it is on the tests' class path too, which the pack's loader must not ask. */
    public static final class Packed implements Runnable {
        @Override
        public void run() {
        }
    }

    @Test
    void definesWhatItsIndexNamesFromThePackNotFromItsParent() throws Exception {
        Path jar = jar(Map.of(Packed.class.getName(), bytes(Packed.class)), false);
        PackLoader loader = new PackLoader(PackLoaderTest.class.getClassLoader(), jar);
        Class<?> packed = Class.forName(Packed.class.getName(), false, loader);
        assertSame(loader, packed.getClassLoader());
        assertNotSame(Packed.class, packed);
        assertSame(packed, loader.loadClass(Packed.class.getName()), "defined once");
        // Its references resolve through the parent: Runnable, and this test class.
        assertTrue(Runnable.class.isAssignableFrom(packed));
        ((Runnable) packed.getConstructor().newInstance()).run();
        assertSame(PackLoaderTest.class, loader.loadClass(PackLoaderTest.class.getName()));
        assertEquals(1, loader.names().length);
    }

    @Test
    void refusesAPackWhoseIndexIsNotSorted() throws Exception {
        Map<String, byte[]> classes = new java.util.LinkedHashMap<>();
        classes.put("b.B", new byte[] {1});
        classes.put("a.A", new byte[] {2});
        Path jar = jar(classes, false);
        IOException e = assertThrows(IOException.class, () -> new PackLoader(null, jar));
        assertTrue(e.getMessage().contains("not sorted"), e::getMessage);
    }

    @Test
    void refusesAPackThatIsNotStored() throws Exception {
        Path jar = jar(Map.of(Packed.class.getName(), bytes(Packed.class)), true);
        IOException e = assertThrows(IOException.class, () -> new PackLoader(null, jar));
        assertTrue(e.getMessage().contains("no stored"), e::getMessage);
    }

    @Test
    void withoutAPackTheCoresOwnLoaderLoadsThePackedClasses() {
        LibraryDecoders decoders = Pack.instance(LibraryDecoders.class, "dev.safeload.model.compress.bundled.BundledDecoders");
        assertSame(Pack.class.getClassLoader(), decoders.getClass().getClassLoader());
        assertThrows(LinkageError.class, () -> Pack.instance(Runnable.class, "dev.safeload.NoSuchClass"));
    }

    private static byte[] bytes(Class<?> c) throws IOException {
        try (InputStream in = c.getResourceAsStream(c.getName().substring(c.getName().lastIndexOf('.') + 1) + ".class")) {
            return in.readAllBytes();
        }
    }

    /** A jar with {@code classes} packed as the build packs them (in the map's order). */
    private Path jar(Map<String, byte[]> classes, boolean deflateThePack) throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        ByteArrayOutputStream pack = new ByteArrayOutputStream();
        DataOutputStream index = new DataOutputStream(pack);
        index.writeInt(PackLoader.MAGIC);
        index.writeInt(classes.size());
        for (Map.Entry<String, byte[]> c : classes.entrySet()) {
            Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            deflater.setInput(c.getValue());
            deflater.finish();
            int offset = data.size();
            byte[] buffer = new byte[4096];
            while (!deflater.finished()) {
                data.write(buffer, 0, deflater.deflate(buffer));
            }
            deflater.end();
            index.writeUTF(c.getKey());
            index.writeInt(offset);
            index.writeInt(data.size() - offset);
            index.writeInt(c.getValue().length);
        }
        index.flush();
        data.writeTo(pack);
        byte[] bytes = pack.toByteArray();
        Path jar = Files.createTempFile(dir, "pack", ".jar");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
            zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            zip.write("Manifest-Version: 1.0\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            zip.closeEntry();
            ZipEntry entry = new ZipEntry(Pack.RESOURCE);
            if (!deflateThePack) {
                CRC32 crc = new CRC32();
                crc.update(bytes);
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(bytes.length);
                entry.setCompressedSize(bytes.length);
                entry.setCrc(crc.getValue());
            }
            zip.putNextEntry(entry);
            zip.write(bytes);
            zip.closeEntry();
        }
        return jar;
    }
}
