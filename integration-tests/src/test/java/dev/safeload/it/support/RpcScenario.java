package dev.safeload.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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

    /**
     * A gadget chain refused by serial.allow before it ran: no marker, a result line {@code
     * refused} (the library's exception and "safeload: refused ") followed by the class, the rule,
     * the library's entry point and the victim's call site, and one refuse event that says the same.
     */
    public static void assertChainRefusedByTheAllowlist(Scenario.Outcome outcome, String refused, String className,
            String entryPoint, String library) {
        assertFalse(outcome.markerCreated(), () -> "the chain ran under the agent\n" + outcome);
        assertTrue(outcome.result().startsWith(refused + className + " (rule serial.allow: not in the allowlist) in "
                + entryPoint + " at " + RpcVictim.class.getName() + ".result"), outcome::toString);
        List<JsonNode> refusals = outcome.actions("refuse");
        assertEquals(1, refusals.size(), outcome::toString);
        JsonNode event = refusals.get(0);
        assertEquals(className, event.path("safeload.class").asText(), event::toString);
        assertEquals("serial.allow", event.path("rule.name").asText(), event::toString);
        assertEquals(entryPoint, event.path("safeload.entry_point").asText(), event::toString);
        assertEquals(library, event.path("safeload.library").asText(), event::toString);
        assertEquals("failure", event.path("event.outcome").asText(), event::toString);
        assertTrue(event.path("safeload.call_site").asText().startsWith(RpcVictim.class.getName() + ".result"),
                event::toString);
    }
}
