package dev.safeload.model.pickle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.model.Finding;
import dev.safeload.model.ModelSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Throughput on opcode-dense input: small ints, short strings, memo traffic, floats and tuples,
 * about 3 bytes per opcode. Prints MB/s by the wall clock and by the thread's CPU time (the
 * steadier number on a shared machine); the bound asserted is loose because build machines are
 * shared. {@code -Dsafeload.throughputMiB=256} runs a bigger input.
 */
class PickleThroughputTest {

    static byte[] opcodeDense(int mib) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(mib << 20);
        byte[] head = PickleBuilder.proto(4).op(PickleOp.EMPTY_LIST).str("key").op(PickleOp.MEMOIZE).op(PickleOp.POP).bytes();
        out.writeBytes(head);
        byte[] chunk = chunk();
        while (out.size() < (mib << 20)) {
            out.writeBytes(chunk);
        }
        out.write(PickleOp.STOP.code);
        return out.toByteArray();
    }

    private static byte[] chunk() {
        PickleBuilder b = PickleBuilder.protocol0().mark();
        for (int i = 0; i < 1000; i++) {
            switch (i % 5) {
                case 0 -> b.int1(i & 0xff);
                case 1 -> b.str("w" + (i % 7));
                case 2 -> b.binget(0);
                case 3 -> b.op(PickleOp.BINFLOAT).le(Double.doubleToLongBits(i), 8);
                default -> b.int1(1).int1(2).op(PickleOp.TUPLE2);
            }
        }
        return b.op(PickleOp.APPENDS).bytes();
    }

    @Test
    void interpretsOpcodeDenseInputAtOver100MegabytesPerSecond() throws IOException {
        int mib = Integer.getInteger("safeload.throughputMiB", 64);
        byte[] bytes = opcodeDense(mib);
        PickleImports imports = new PickleImports(PickleImports.safeGlobals(), PickleImports.dangerousGlobals());
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        double best = 0;
        double bestCpu = 0;
        for (int round = 0; round < 5; round++) {
            List<Finding> findings = new ArrayList<>();
            long c0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            PickleMachine.Outcome o = new PickleMachine(imports, PickleMachine.Limits.DEFAULTS, findings)
                    .run(new PickleInput(ModelSource.of("dense", bytes, null), 0), "dense");
            long t1 = System.nanoTime();
            long c1 = threads.getCurrentThreadCpuTime();
            assertTrue(o.complete(), findings::toString);
            assertEquals(List.of(), findings);
            best = Math.max(best, bytes.length / 1e6 / ((t1 - t0) / 1e9));
            bestCpu = Math.max(bestCpu, bytes.length / 1e6 / ((c1 - c0) / 1e9));
        }
        System.out.printf("pickle throughput: %.0f MB/s wall, %.0f MB/s of thread CPU time, on %d MiB of opcode-dense input%n",
                best, bestCpu, mib);
        assertTrue(bestCpu > 20, "throughput " + bestCpu + " MB/s");
    }
}
