import java.lang.management.ManagementFactory;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;

/**
 * What registering the agent's bean costs a JVM with no platform MBean server yet, against only
 * asking whether one exists (BENCHMARKS.md section 7). Thread CPU of each, in a fresh JVM:
 *   java bench/JmxCost.java register;  java bench/JmxCost.java find
 * (run as a source file; the timing starts after the compile and covers only the call).
 */
public class JmxCost {
    public interface ProbeMXBean {
        String getMode();
    }

    public static class Probe implements ProbeMXBean {
        public String getMode() {
            return "enforce";
        }
    }

    public static void main(String[] args) throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long c0 = threads.getCurrentThreadCpuTime();
        if (args[0].equals("find")) {
            MBeanServerFactory.findMBeanServer(null);
        } else {
            ManagementFactory.getPlatformMBeanServer().registerMBean(new Probe(), new ObjectName("dev.safeload:type=Agent"));
        }
        System.out.printf("%s: thread CPU %.1f ms%n", args[0], (threads.getCurrentThreadCpuTime() - c0) / 1e6);
    }
}
