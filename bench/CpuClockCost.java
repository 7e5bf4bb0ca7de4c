import java.io.FileInputStream;
import java.lang.management.ManagementFactory;

/**
 * What the first read of the thread's CPU clock costs a fresh JVM (BENCHMARKS.md section 7,
 * session 6): the ThreadMXBean's, which builds every platform bean provider at first use, against
 * the /proc/thread-self/schedstat read that serial/ThreadCpuClock does instead. Wall time of the
 * call only. Compiled first: run as a source file, the in-process compiler has already loaded
 * part of java.management and the bean looks cheaper than a server finds it.
 *   javac -d /tmp/cpuclock bench/CpuClockCost.java
 *   java -cp /tmp/cpuclock CpuClockCost bean;  java -cp /tmp/cpuclock CpuClockCost schedstat
 */
public class CpuClockCost {
    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        long cpu;
        if (args[0].equals("bean")) {
            cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        } else {
            byte[] buf = new byte[64];
            int n;
            try (FileInputStream in = new FileInputStream("/proc/thread-self/schedstat")) {
                n = in.read(buf);
            }
            cpu = Long.parseLong(new String(buf, 0, n).split(" ")[0]);
        }
        System.out.printf("%s: %.2f ms (thread CPU %d ns)%n", args[0], (System.nanoTime() - t0) / 1e6, cpu);
    }
}
