package dev.safeload.bench.serial;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Steady-state cost of reading one stream, one configuration per method so that every
 * configuration gets its own JVM in the same run.
 *
 * <p>The JVM options are argument files (the launcher expands {@code @file}) that
 * {@code bench/jmh.sh} writes under {@code benchmarks/target/jvm-args} with absolute paths, so
 * the run must start in the repository root. Annotations can only hold constants; the files let
 * the filter and the agent path be computed from the checkout.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ObjectInputStreamBenchmark {

    @Param({"rpc", "graph"})
    public String workload;

    private byte[] stream;

    @Setup
    public void serializeOnce() throws Exception {
        checkFilterInForce();
        stream = Payloads.serialize(workload.equals("rpc") ? Payloads.rpc() : Payloads.graph());
        read();
    }

    /**
     * A negative control: a serializable class outside every allowlist must be refused where a
     * filter enforces, and read where none does (no agent, audit mode). A fork whose options
     * did not take effect fails here instead of reporting a flattering number.
     */
    private void checkFilterInForce() throws Exception {
        String config = System.getProperty("bench.config", "?");
        boolean enforcing = config.equals("jdk-pattern-filter") || config.startsWith("agent-") && !config.equals("agent-audit");
        if (config.equals("?")) {
            throw new IllegalStateException("no -Dbench.config: run through bench/jmh.sh");
        }
        stream = Payloads.serialize(new AtomicInteger(7));
        boolean refused;
        try {
            read();
            refused = false;
        } catch (InvalidClassException e) {
            refused = true;
        }
        if (refused != enforcing) {
            throw new IllegalStateException(config + ": AtomicInteger was " + (refused ? "refused" : "read")
                    + "; the configuration is not what it claims");
        }
    }

    private Object read() throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(stream))) {
            return in.readObject();
        }
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "@benchmarks/target/jvm-args/no-agent.args")
    public Object a_noAgent() throws Exception {
        return read();
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "@benchmarks/target/jvm-args/jdk-pattern-filter.args")
    public Object b_jdkPatternFilter() throws Exception {
        return read();
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "@benchmarks/target/jvm-args/agent-enforce.args")
    public Object c_agentEnforce() throws Exception {
        return read();
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "@benchmarks/target/jvm-args/agent-200-patterns.args")
    public Object d_agent200Patterns() throws Exception {
        return read();
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "@benchmarks/target/jvm-args/agent-audit.args")
    public Object e_agentAudit() throws Exception {
        return read();
    }
}
