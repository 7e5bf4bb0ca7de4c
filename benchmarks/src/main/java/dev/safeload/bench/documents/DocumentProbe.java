package dev.safeload.bench.documents;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.jsontype.impl.LaissezFaireSubTypeValidator;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import org.yaml.snakeyaml.Yaml;

/**
 * {@link DocumentReadBenchmark}'s two reads without JMH, timed by the thread's CPU time, for
 * {@code bench/documents-ab.sh}: on a shared machine a read that waits for a core spends wall
 * time but no CPU, so CPU time per read stays comparable where reads/s does not. It runs from
 * {@code benchmarks-startup.jar}, which holds none of the agent's classes, so the
 * {@code -javaagent} jar's own classes are the ones measured (in {@code benchmarks.jar} a copy
 * of the agent's classes comes first on the class path, whatever jar {@code -javaagent} names).
 *
 * <p>Usage: {@code DocumentProbe jackson|yaml agent|none WARMUP_SECONDS BATCHES}; prints the
 * median, tenth-percentile and fastest batch's CPU time per read (batches of about 0.1 s) and the
 * heap allocated per read. First it checks
 * that an unlisted {@code AtomicInteger} is refused when {@code agent} is said, read otherwise.
 */
public final class DocumentProbe {

    private static volatile Object sink;

    private DocumentProbe() {
    }

    public static void main(String[] args) throws Exception {
        String workload = args[0];
        boolean agent = args[1].equals("agent");
        long warmupNanos = Long.parseLong(args[2]) * 1_000_000_000L;
        int batches = Integer.parseInt(args[3]);
        ObjectMapper mapper = new ObjectMapper();
        mapper.activateDefaultTyping(LaissezFaireSubTypeValidator.instance, ObjectMapper.DefaultTyping.NON_FINAL);
        String json = mapper.writeValueAsString(Documents.order());
        Documents.checkAgentInForce(mapper, agent, agent ? "agent" : "no agent");
        Read read = workload.equals("jackson") ? () -> mapper.readValue(json, Object.class)
                : () -> new Yaml().load(Documents.YAML);

        long end = System.nanoTime() + warmupNanos;
        long perBatch = 1;
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            for (long i = 0; i < perBatch; i++) {
                sink = read.run();
            }
            perBatch = System.nanoTime() - t0 < 100_000_000L ? perBatch * 2 : perBatch;
        }
        // Batches of about 0.1 s, many of them: on two vCPUs that may share a core, a batch run while
        // the sibling is busy costs up to twice the CPU, so the fastest tenth is the steadier figure.
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long allocated = allocatedBytes(threads);
        long reads = 0;
        double[] cpuPerRead = new double[batches];
        for (int b = 0; b < batches; b++) {
            long c0 = threads.getCurrentThreadCpuTime();
            for (long i = 0; i < perBatch; i++) {
                sink = read.run();
            }
            cpuPerRead[b] = (threads.getCurrentThreadCpuTime() - c0) / (double) perBatch;
            reads += perBatch;
        }
        double allocPerRead = (allocatedBytes(threads) - allocated) / (double) reads;
        Arrays.sort(cpuPerRead);
        System.out.printf("%s cpu %.1f ns/read p10 %.1f fastest %.1f alloc %.0f B/read%n", workload,
                cpuPerRead[batches / 2], cpuPerRead[batches / 10], cpuPerRead[0], allocPerRead);
    }

    private interface Read {
        Object run() throws Exception;
    }

    private static long allocatedBytes(ThreadMXBean threads) {
        return threads instanceof com.sun.management.ThreadMXBean counting
                ? counting.getThreadAllocatedBytes(Thread.currentThread().getId()) : -1;
    }
}
