package dev.safeload.bench.documents;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.jsontype.impl.LaissezFaireSubTypeValidator;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.yaml.snakeyaml.Yaml;

/**
 * Steady-state cost of the deserializer hooks: a Jackson polymorphic read (default typing, 17
 * type ids per document) and a SnakeYAML load of a tagged config, with no agent and under the
 * agent in enforce mode with the DTOs in {@code serial.allow}. One fork per configuration, in
 * the same run ({@code bench/documents.sh} writes the argument files).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DocumentReadBenchmark {

    static final String YAML = Documents.YAML;

    private ObjectMapper mapper;
    private String json;

    @Setup
    public void prepare() throws Exception {
        mapper = new ObjectMapper();
        mapper.activateDefaultTyping(LaissezFaireSubTypeValidator.instance, ObjectMapper.DefaultTyping.NON_FINAL);
        json = mapper.writeValueAsString(order());
        checkAgentInForce();
        jackson();
        yaml();
    }

    /**
     * A negative control: an unlisted class named by a type id must be refused under the agent
     * and read without it. A fork whose options did not take effect fails here.
     */
    private void checkAgentInForce() throws Exception {
        String config = System.getProperty("bench.config", "?");
        if (config.equals("?")) {
            throw new IllegalStateException("no -Dbench.config: run through bench/documents.sh");
        }
        Documents.checkAgentInForce(mapper, config.startsWith("agent-"), config);
    }

    static Order order() {
        return Documents.order();
    }

    private Object jackson() throws Exception {
        return mapper.readValue(json, Object.class);
    }

    private Object yaml() {
        return new Yaml().load(YAML);
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "@benchmarks/target/jvm-args/documents-no-agent.args")
    public Object jackson_a_noAgent() throws Exception {
        return jackson();
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "@benchmarks/target/jvm-args/documents-agent-enforce.args")
    public Object jackson_b_agentEnforce() throws Exception {
        return jackson();
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "@benchmarks/target/jvm-args/documents-no-agent.args")
    public Object yaml_a_noAgent() {
        return yaml();
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "@benchmarks/target/jvm-args/documents-agent-enforce.args")
    public Object yaml_b_agentEnforce() {
        return yaml();
    }
}
