package dev.safeload.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import dev.safeload.it.victim.Victim;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of the {@link Victim} in a fresh JVM and a fresh folder: the payload, its marker
 * file, the agent options and the violation log it leaves.
 */
public final class Scenario {

    private final Path dir;
    private final Jdks.Jdk jdk;
    private final Path marker;
    private final Path log;
    private final List<String> jvmArgs = new ArrayList<>();

    /** What a run left behind. */
    public record Outcome(ForkedJvm.Result jvm, boolean markerCreated, List<JsonNode> events) {

        /** The victim's RESULT line. */
        public String result() {
            return jvm.stdout().lines().filter(l -> l.startsWith("RESULT ")).findFirst()
                    .orElseThrow(() -> new AssertionError("no RESULT line:\n" + jvm));
        }

        public List<JsonNode> actions(String action) {
            return ViolationLog.withAction(events, action);
        }

        /** The refuse and audit events, without lifecycle events. */
        public List<JsonNode> violations() {
            return events.stream().filter(e -> "alert".equals(e.path("event.kind").asText())).toList();
        }

        @Override
        public String toString() {
            return jvm + "\n--- marker created: " + markerCreated + "\n--- events: " + events;
        }
    }

    private Scenario(Jdks.Jdk jdk) throws IOException {
        this.jdk = jdk;
        this.dir = Files.createTempDirectory("safeload-scenario-");
        this.marker = dir.resolve("pwned-marker");
        this.log = dir.resolve("violations.jsonl");
    }

    public static Scenario on(Jdks.Jdk jdk) throws IOException {
        return new Scenario(jdk);
    }

    /** The file a gadget chain creates if it runs. */
    public String marker() {
        return marker.toString();
    }

    public Path dir() {
        return dir;
    }

    public Path log() {
        return log;
    }

    public Scenario jvmArg(String... args) {
        jvmArgs.addAll(List.of(args));
        return this;
    }

    /** Writes {@code bytes} as a payload file and returns its path. */
    public Path payload(byte[] bytes) throws IOException {
        Path file = Files.createTempFile(dir, "payload", ".ser");
        Files.write(file, bytes);
        return file;
    }

    /**
     * Runs the victim. {@code agentOptions} null means no agent; otherwise the log option is
     * added so every run writes to its own folder.
     */
    public Outcome run(String agentOptions, String mode, String... args) throws IOException, InterruptedException {
        return run(agentOptions, 60, mode, args);
    }

    public Outcome run(String agentOptions, long timeoutSeconds, String mode, String... args)
            throws IOException, InterruptedException {
        Files.deleteIfExists(marker);
        Files.deleteIfExists(log);
        ForkedJvm jvm = ForkedJvm.on(jdk).workDir(dir).timeoutSeconds(timeoutSeconds);
        jvm.jvmArg(jvmArgs.toArray(String[]::new));
        if (agentOptions != null) {
            jvm.withAgent("log=" + log + (agentOptions.isEmpty() ? "" : "," + agentOptions));
        }
        String[] all = new String[args.length + 1];
        all[0] = mode;
        System.arraycopy(args, 0, all, 1, args.length);
        ForkedJvm.Result result = jvm.runMain(Victim.class, all);
        return new Outcome(result, Files.exists(marker), ViolationLog.read(log));
    }
}
