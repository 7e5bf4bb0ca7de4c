import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;

/**
 * SteadyStateProbe's read loop with async-profiler switched on only after the warm-up, so that
 * the profile holds the compiled steady state and nothing of the JIT's start (bench/steady-profile.sh
 * runs it). The profiler is loaded by reflection from its jar or folder, so nothing here depends
 * on it at build time; it is a measuring tool, never a dependency of the agent.
 *
 * <p>Usage: {@code SteadyProfile LIBASYNCPROFILER WORKLOAD WARMUP_S MEASURE_S OUT SPEC}; SPEC as
 * async-profiler's start command takes it ({@code event=cpu,interval=500us}), or {@code none} to
 * measure without it. Prints the reads and the main thread's CPU per read while profiled: the
 * collapsed stacks' samples under {@code SteadyProfile.main}, scaled to that figure, give CPU per read by frame.
 */
public final class SteadyProfile {

    private static volatile Object sink;

    public static void main(String[] a) throws Exception {
        String lib = a[0];
        String workload = a[1];
        long warm = Long.parseLong(a[2]) * 1_000_000_000L;
        long measure = Long.parseLong(a[3]) * 1_000_000_000L;
        String out = a[4];
        String spec = a[5];
        Class<?> payloads = Class.forName("dev.safeload.bench.serial.Payloads");
        Object graph = payloads.getMethod(workload.equals("rpc") ? "rpc" : "graph").invoke(null);
        byte[] stream = (byte[]) payloads.getMethod("serialize", Object.class).invoke(null, graph);
        long end = System.nanoTime() + warm;
        while (System.nanoTime() < end) {
            sink = read(stream);
        }
        Object profiler = null;
        Method execute = null;
        if (!spec.equals("none")) {
            Class<?> ap = Class.forName("one.profiler.AsyncProfiler");
            profiler = ap.getMethod("getInstance", String.class).invoke(null, lib);
            execute = ap.getMethod("execute", String.class);
            execute.invoke(profiler, "start," + spec); // no "threads": async-profiler 3.0 crashes naming threads on JDK 25
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long reads = 0;
        end = System.nanoTime() + measure;
        while (System.nanoTime() < end) {
            sink = read(stream);
            reads++;
        }
        long cpu = threads.getCurrentThreadCpuTime() - cpu0;
        if (profiler != null) {
            execute.invoke(profiler, "stop,file=" + out + ",collapsed,ann");
        }
        System.out.printf("reads %d cpu %.1f us/read%n", reads, cpu / 1e3 / reads);
    }

    private static Object read(byte[] stream) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(stream))) {
            return in.readObject();
        }
    }
}
