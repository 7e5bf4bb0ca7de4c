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

    /**
     * Without the agent's boot class path (the CLI, a renamed jar, these tests), the boot pack's
     * classes are defined here too, read from the boot pack, never asked of the parent.
     */
    @Test
    void definesTheBootPacksClassesHereWhenItCannotDefineThemInTheBootLoader() throws Exception {
        String sink = "dev.safeload.report.logback.LogbackEventSink";
        Path jar = jar(Map.of(Packed.class.getName(), bytes(Packed.class)), false,
                Map.of(sink, bytes(Class.forName(sink))));
        PackLoader loader = new PackLoader(PackLoaderTest.class.getClassLoader(), jar);
        Class<?> defined = Class.forName(sink, false, loader);
        assertSame(loader, defined.getClassLoader());
        assertNotSame(Class.forName(sink), defined);
        assertSame(defined, loader.loadClass(sink), "defined once");
        // A name in the boot pack's packages that the pack lacks is not found, though the parent has it.
        String nested = sink + "$LineLayout";
        assertSame(PackLoaderTest.class.getClassLoader(), Class.forName(nested).getClassLoader());
        assertThrows(ClassNotFoundException.class, () -> loader.loadClass(nested));
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

    private Path jar(Map<String, byte[]> classes, boolean deflateThePack) throws IOException {
        return jar(classes, deflateThePack, Map.of());
    }

    /**
     * A jar with {@code classes} packed as the build packs them (in the map's order), and
     * {@code bootClasses} in a boot pack when there are any.
     */
    private Path jar(Map<String, byte[]> classes, boolean deflateThePack, Map<String, byte[]> bootClasses)
            throws IOException {
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
            if (!bootClasses.isEmpty()) {
                zip.putNextEntry(new ZipEntry(Pack.BOOT_RESOURCE));
                DataOutputStream boot = new DataOutputStream(zip);
                boot.writeInt(BootPack.MAGIC);
                boot.writeInt(bootClasses.size());
                for (Map.Entry<String, byte[]> c : bootClasses.entrySet()) {
                    boot.writeShort(c.getKey().length());
                    boot.writeBytes(c.getKey());
                    boot.writeInt(c.getValue().length);
                    boot.write(c.getValue());
                }
                boot.flush();
                zip.closeEntry();
            }
        }
        return jar;
    }
}
