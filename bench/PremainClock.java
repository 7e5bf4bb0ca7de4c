import java.lang.management.ManagementFactory;

/**
 * A clock around another agent's premain (bench/premain-cpu.sh): given before it on the command
 * line as {@code =start} and after it as {@code =end}; agents' premains run in order on one
 * thread, so the difference is that agent's jar opening, class loading and premain, in thread
 * CPU ({@code getCurrentThreadCpuTime}, exact) and wall time.
 */
public class PremainClock {
    public static void premain(String phase) {
        long cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        long wall = System.nanoTime();
        if ("start".equals(phase)) {
            System.setProperty("premainclock.cpu", Long.toString(cpu));
            System.setProperty("premainclock.wall", Long.toString(wall));
        } else {
            long cpu0 = Long.parseLong(System.getProperty("premainclock.cpu"));
            long wall0 = Long.parseLong(System.getProperty("premainclock.wall"));
            System.err.println("premainclock cpu_us=" + (cpu - cpu0) / 1000 + " wall_us=" + (wall - wall0) / 1000);
        }
    }
}
