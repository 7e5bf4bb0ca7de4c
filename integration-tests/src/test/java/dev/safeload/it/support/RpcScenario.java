package dev.safeload.it.support;

import dev.safeload.it.victim.RpcVictim;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of the {@link RpcVictim} (Kryo, Hessian, Pyrolite) in a fresh JVM and folder, with
 * or without the agent: the payload, its marker file and the violation log it leaves.
 */
public final class RpcScenario {

    private final Jdks.Jdk jdk;
    private final Path dir;
    private final Path marker;
    private final Path log;
    private final List<String> jvmArgs = new ArrayList<>();

    private RpcScenario(Jdks.Jdk jdk) throws IOException {
        this.jdk = jdk;
        this.dir = Files.createTempDirectory("safeload-rpc-");
        this.marker = dir.resolve("pwned-marker");
        this.log = dir.resolve("violations.jsonl");
    }

    public static RpcScenario on(Jdks.Jdk jdk) throws IOException {
        return new RpcScenario(jdk);
    }

    /** The file an attack creates if it runs. */
    public String marker() {
        return marker.toString();
    }

    public RpcScenario jvmArg(String... args) {
        jvmArgs.addAll(List.of(args));
        return this;
    }

    /** Writes {@code bytes} as the payload file and returns its path. */
    public Path payload(byte[] bytes) throws IOException {
        Path file = Files.createTempFile(dir, "payload", ".bin");
        Files.write(file, bytes);
        return file;
    }

    /** Reads {@code payload} in {@code mode}; {@code agentOptions} null means no agent. */
    public Scenario.Outcome run(String agentOptions, String mode, Path payload) throws IOException, InterruptedException {
        Files.deleteIfExists(marker);
        Files.deleteIfExists(log);
        ForkedJvm jvm = ForkedJvm.on(jdk).workDir(dir).timeoutSeconds(90);
        jvm.jvmArg(jvmArgs.toArray(String[]::new));
        if (agentOptions != null) {
            jvm.withAgent("log=" + log + (agentOptions.isEmpty() ? "" : "," + agentOptions));
        }
        ForkedJvm.Result result = jvm.runMain(RpcVictim.class, mode, payload.toString());
        return new Scenario.Outcome(result, Files.exists(marker), ViolationLog.read(log));
    }
}
