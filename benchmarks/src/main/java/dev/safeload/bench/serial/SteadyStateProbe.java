package dev.safeload.bench.serial;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * A second probe for the steady-state figures, independent of JMH: no harness, no blackhole,
 * just {@code System.nanoTime} around batches of reads in a plain JVM. {@code bench/independent.sh}
 * runs one JVM per configuration and compares the ratios with JMH's.
 *
 * <p>Usage: {@code SteadyStateProbe rpc|graph WARMUP_SECONDS BATCHES}; prints the median and
 * the spread of the batches' reads per second, then the median thread CPU time per read and the
 * heap allocated per read (the thread's allocation counter, exact whatever the load). A batch
 * is about one second. The CPU time is what {@code bench/guard-ab.sh} compares: on a machine
 * shared with other jobs a read waits for a core without using CPU, so its CPU time stays close
 * to a quiet machine's while its wall time does not.
 */
public final class SteadyStateProbe {

    private static volatile Object sink;

    private SteadyStateProbe() {
    }

    public static void main(String[] args) throws Exception {
        String workload = args[0];
        long warmupNanos = Long.parseLong(args[1]) * 1_000_000_000L;
        int batches = Integer.parseInt(args[2]);
        byte[] stream = Payloads.serialize(workload.equals("rpc") ? Payloads.rpc() : Payloads.graph());

        long end = System.nanoTime() + warmupNanos;
        long perBatch = 1;
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            for (long i = 0; i < perBatch; i++) {
                sink = read(stream);
            }
            long took = System.nanoTime() - t0;
            perBatch = took < 100_000_000L ? perBatch * 2 : perBatch; // grow to about 0.1 s, then keep
        }
        perBatch *= 10; // about one second per measured batch
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long allocated = allocatedBytes(threads);
        long reads = 0;
        double[] rates = new double[batches];
        double[] cpuPerRead = new double[batches];
        for (int b = 0; b < batches; b++) {
            long c0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            for (long i = 0; i < perBatch; i++) {
                sink = read(stream);
            }
            rates[b] = perBatch / ((System.nanoTime() - t0) / 1e9);
            cpuPerRead[b] = (threads.getCurrentThreadCpuTime() - c0) / (double) perBatch;
            reads += perBatch;
        }
        double allocPerRead = (allocatedBytes(threads) - allocated) / (double) reads;
        Arrays.sort(rates);
        Arrays.sort(cpuPerRead);
        System.out.printf("%s median %.1f min %.1f max %.1f reads/s cpu %.0f ns/read (min %.0f max %.0f) alloc %.0f B/read%n",
                workload, rates[batches / 2], rates[0], rates[batches - 1], cpuPerRead[batches / 2], cpuPerRead[0],
                cpuPerRead[batches - 1], allocPerRead);
    }

    private static long allocatedBytes(ThreadMXBean threads) {
        return threads instanceof com.sun.management.ThreadMXBean counting
                ? counting.getThreadAllocatedBytes(Thread.currentThread().getId()) : -1;
    }

    private static Object read(byte[] stream) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(stream))) {
            return in.readObject();
        }
    }
}
