package dev.safeload.bench.pickle;

import dev.safeload.model.Finding;
import dev.safeload.model.ModelSource;
import dev.safeload.model.pickle.PickleImports;
import dev.safeload.model.pickle.PickleInput;
import dev.safeload.model.pickle.PickleMachine;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code write FILE MIB} writes an opcode-dense pickle; {@code run FILE} interprets it from disk
 * (never whole in memory) and prints seconds, MB/s and the peak heap the JVM used, so that
 * bench/pickle-memory.sh can show the machine's memory does not grow with the opcode count.
 */
public final class PickleFileProbe {

    private PickleFileProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[1]);
        if (args[0].equals("write")) {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
                OpcodeDensePickle.write(out, Long.parseLong(args[2]) << 20);
            }
            return;
        }
        PickleImports imports = new PickleImports(PickleImports.safeGlobals(), PickleImports.dangerousGlobals());
        List<Finding> findings = new ArrayList<>();
        long t0 = System.nanoTime();
        PickleMachine.Outcome o;
        try (ModelSource source = ModelSource.of(file)) {
            o = new PickleMachine(imports, PickleMachine.Limits.DEFAULTS, findings).run(new PickleInput(source, 0), file.toString());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long peakHeap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peakHeap += pool.getPeakUsage().getUsed();
            }
        }
        double mb = Files.size(file) / 1e6;
        System.out.printf("complete=%s findings=%d size_mb=%.1f seconds=%.3f mb_per_s=%.1f peak_heap_mib=%.1f%n",
                o.complete(), findings.size(), mb, seconds, mb / seconds, peakHeap / 1048576.0);
    }
}
