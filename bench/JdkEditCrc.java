import java.io.*;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.file.*;
import java.util.zip.CRC32;

/**
 * The size and CRC32 of each java.base class as JdkHooks.rewrite edits it: two agent jars whose
 * lines agree edit those classes to the same bytes.
 *
 *   javac -d /tmp/jdkeditcrc bench/JdkEditCrc.java
 *   java -cp /tmp/jdkeditcrc:agent/target/safeload-agent.jar JdkEditCrc    # and the other jar; JDK 17 and 25
 */
public class JdkEditCrc {
    public static void main(String[] args) throws Exception {
        String[] names = {"java/io/ObjectInputStream", "java/io/ObjectStreamClass", "java/io/ObjectInputFilter$Config", "java/util/Hashtable"};
        FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
        Class<?> hooks = Class.forName("dev.safeload.instrument.jdk.JdkHooks");
        Object jdkHooks = hooks.getConstructor(PrintStream.class).newInstance(new PrintStream(new ByteArrayOutputStream()));
        Method rewrite = hooks.getMethod("rewrite", String.class, byte[].class);
        for (String n : names) {
            byte[] in = Files.readAllBytes(jrt.getPath("modules/java.base/" + n + ".class"));
            byte[] out = (byte[]) rewrite.invoke(jdkHooks, n, in);
            CRC32 crc = new CRC32(); crc.update(out);
            System.out.printf("%s %d %08x%n", n, out.length, crc.getValue());
        }
    }
}
