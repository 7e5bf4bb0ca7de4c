package dev.safeload.bench.serial;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.util.Arrays;

/**
 * A second probe for the steady-state figures, independent of JMH: no harness, no blackhole,
 * just {@code System.nanoTime} around batches of reads in a plain JVM. {@code bench/independent.sh}
 * runs one JVM per configuration and compares the ratios with JMH's.
 *
 * <p>Usage: {@code SteadyStateProbe rpc|graph WARMUP_SECONDS BATCHES}; prints the median and
 * the spread of the batches' reads per second. A batch is about one second.
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
        double[] rates = new double[batches];
        for (int b = 0; b < batches; b++) {
            long t0 = System.nanoTime();
            for (long i = 0; i < perBatch; i++) {
                sink = read(stream);
            }
            rates[b] = perBatch / ((System.nanoTime() - t0) / 1e9);
        }
        Arrays.sort(rates);
        System.out.printf("%s median %.1f min %.1f max %.1f reads/s%n", workload, rates[batches / 2], rates[0],
                rates[batches - 1]);
    }

    private static Object read(byte[] stream) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(stream))) {
            return in.readObject();
        }
    }
}
