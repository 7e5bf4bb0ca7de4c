import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;

/**
 * Thread CPU of the four java.base class edits (JdkHooks.rewrite of ObjectInputStream,
 * ObjectStreamClass, ObjectInputFilter$Config, Hashtable), cold, once, in this fresh JVM: the
 * agent classes they load and their work, as at the first stream. The agent jar is opened before
 * the clock starts, as premain has. Compile it first (the source launcher would warm the JDK):
 *
 *   javac -d /tmp/jdkeditcost bench/JdkEditCost.java
 *   java -cp /tmp/jdkeditcost:agent/target/safeload-agent.jar JdkEditCost
 *   java -Xint -cp /tmp/jdkeditcost:/tmp/s8base/agent/target/safeload-agent.jar JdkEditCost
 *
 * Prints the milliseconds and the edited classes' total size.
 */
public class JdkEditCost {
    public static void main(String[] args) throws Exception {
        String[] names = {"java/io/ObjectInputStream", "java/io/ObjectStreamClass", "java/io/ObjectInputFilter$Config",
                "java/util/Hashtable"};
        byte[][] bytes = new byte[names.length][];
        FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
        for (int i = 0; i < names.length; i++) {
            bytes[i] = Files.readAllBytes(jrt.getPath("modules/java.base/" + names[i] + ".class"));
        }
        Class.forName("dev.safeload.instrument.jdk.HookedJdkClasses"); // opens the agent jar, as premain has
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        PrintStream console = new PrintStream(new ByteArrayOutputStream());
        long start = threads.getCurrentThreadCpuTime();
        Class<?> hooks = Class.forName("dev.safeload.instrument.jdk.JdkHooks");
        Object jdkHooks = hooks.getConstructor(PrintStream.class).newInstance(console);
        Method rewrite = hooks.getMethod("rewrite", String.class, byte[].class);
        long size = 0;
        for (int i = 0; i < names.length; i++) {
            size += ((byte[]) rewrite.invoke(jdkHooks, names[i], bytes[i])).length;
        }
        long end = threads.getCurrentThreadCpuTime();
        System.out.println((end - start) / 1e6 + " " + size);
    }
}
