import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.zip.ZipFile;

/**
 * What opening a jar costs a fresh JVM's thread, in Java ({@code ZipFile$Source.initCEN}: every
 * entry of the central directory is hashed and checked, interpreted this early), as the system
 * class loader does for the agent jar at every start (BENCHMARKS.md, "Session 12: the jar's
 * central directory"). Another jar is opened first, so the ZipFile classes are loaded as at start.
 *
 * <pre>
 * javac -d /tmp/cen bench/CentralDirectoryCost.java
 * java -cp /tmp/cen CentralDirectoryCost JAR OTHER_JAR    # thread CPU µs, wall µs, entries
 * </pre>
 */
public class CentralDirectoryCost {
    public static void main(String[] args) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        new ZipFile(args[1]).close();
        long cpu = threads.getCurrentThreadCpuTime();
        long wall = System.nanoTime();
        try (ZipFile jar = new ZipFile(args[0])) {
            long cpuUs = (threads.getCurrentThreadCpuTime() - cpu) / 1000;
            long wallUs = (System.nanoTime() - wall) / 1000;
            System.out.println(cpuUs + " " + wallUs + " " + jar.size());
        }
    }
}
