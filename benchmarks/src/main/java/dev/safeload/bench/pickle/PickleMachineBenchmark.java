package dev.safeload.bench.pickle;

import dev.safeload.model.Finding;
import dev.safeload.model.ModelSource;
import dev.safeload.model.pickle.PickleImports;
import dev.safeload.model.pickle.PickleInput;
import dev.safeload.model.pickle.PickleMachine;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Interprets an opcode-dense pickle of 1 MiB or 100 MiB from memory with the scanner's own
 * machine and limits. MB/s is {@code mib} times ops/s; bench/jmh-table.py prints it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
public class PickleMachineBenchmark {

    @Param({"1", "100"})
    public int mib;

    private byte[] pickle;
    private PickleImports imports;

    @Setup
    public void build() {
        pickle = OpcodeDensePickle.ofSize((long) mib << 20);
        imports = new PickleImports(PickleImports.safeGlobals(), PickleImports.dangerousGlobals());
    }

    @Benchmark
    public PickleMachine.Outcome interpret() throws IOException {
        List<Finding> findings = new ArrayList<>();
        PickleMachine.Outcome o = new PickleMachine(imports, PickleMachine.Limits.DEFAULTS, findings)
                .run(new PickleInput(ModelSource.of("dense.pkl", pickle, null), 0), "dense.pkl");
        if (!o.complete() || !findings.isEmpty()) {
            throw new IllegalStateException("dense pickle did not run clean: " + o + " " + findings);
        }
        return o;
    }
}
