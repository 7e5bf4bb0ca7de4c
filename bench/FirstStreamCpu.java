import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JVM's first stream, on the main thread: thread CPU and wall of loading ObjectInputStream
 * (under the agent: its edit, then the wait for the first stream's work on its own thread), then
 * of the first readObject of a file read before. A second argument initialises
 * ObjectInputFilter.Config first (the empty agent's read then leaves out the JDK's own Config
 * initialisation, which the agent does on its worker). Compile it first:
 *
 *   javac -d /tmp/fsc bench/FirstStreamCpu.java
 *   java -javaagent:agent/target/safeload-agent.jar -cp /tmp/fsc FirstStreamCpu /tmp/map.ser
 *   java -javaagent:benchmarks/target/benchmarks-startup.jar -cp /tmp/fsc FirstStreamCpu /tmp/map.ser config
 *
 * Prints "load CPU wall read CPU wall" in ms.
 */
public class FirstStreamCpu {
    public static void main(String[] args) throws Exception {
        byte[] bytes = Files.readAllBytes(Path.of(args[0]));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (args.length > 1) {
            ObjectInputFilter.Config.getSerialFilter();
        }
        long c0 = threads.getCurrentThreadCpuTime();
        long w0 = System.nanoTime();
        Class.forName("java.io.ObjectInputStream");
        long c1 = threads.getCurrentThreadCpuTime();
        long w1 = System.nanoTime();
        try (ObjectInputStream in = new ObjectInputStream(new BufferedInputStream(new ByteArrayInputStream(bytes)))) {
            in.readObject();
        }
        long c2 = threads.getCurrentThreadCpuTime();
        long w2 = System.nanoTime();
        System.out.println(String.format("load %.3f %.3f read %.3f %.3f", (c1 - c0) / 1e6, (w1 - w0) / 1e6,
                (c2 - c1) / 1e6, (w2 - w1) / 1e6));
    }
}
