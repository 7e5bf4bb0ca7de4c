package dev.safeload.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import dev.safeload.it.victim.DeserVictim;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs {@link DeserVictim} in a fresh JVM and folder, on the tests' class path or on the exact
 * jars of one library version ({@code target/deser-libs/<version>}), and reports what it left:
 * its RESULT line, the marker files an attack would create, the violation log.
 */
public final class DeserRun {

    /** What one run left behind. */
    public record Outcome(ForkedJvm.Result jvm, List<Path> markersCreated, List<JsonNode> events) {

        public String result() {
            return jvm.stdout().lines().filter(l -> l.startsWith("RESULT ")).findFirst()
                    .orElseThrow(() -> new AssertionError("no RESULT line:\n" + jvm));
        }

        public List<JsonNode> actions(String action) {
            return ViolationLog.withAction(events, action);
        }

        @Override
        public String toString() {
            return jvm + "\n--- markers created: " + markersCreated + "\n--- events: " + events;
        }
    }

    private final Jdks.Jdk jdk;
    private final Path dir;
    private final String classPath;
    private final List<String> jvmArgs = new ArrayList<>();
    private long timeoutSeconds = 60;

    private DeserRun(Jdks.Jdk jdk, String classPath) throws IOException {
        this.jdk = jdk;
        this.classPath = classPath;
        this.dir = Files.createTempDirectory("safeload-deser-");
    }

    /** On the tests' class path (XMLDecoder needs nothing else). */
    public static DeserRun on(Jdks.Jdk jdk) throws IOException {
        return new DeserRun(jdk, System.getProperty("java.class.path"));
    }

    /**
     * On the tests' class path with the library jars swapped for those of {@code version}, a
     * folder under {@code target/deser-libs} (e.g. {@code xstream-1.4.17}, with the
     * commons-collections it is attacked with).
     */
    public static DeserRun onLibrary(Jdks.Jdk jdk, String version) throws IOException {
        return new DeserRun(jdk, libraryClassPath(version));
    }

    static String libraryClassPath(String version) throws IOException {
        Path libs = Path.of(System.getProperty("it.deserLibs", "target/deser-libs"), version);
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String file = Path.of(entry).getFileName().toString();
            if (!file.startsWith("xstream-") && !file.startsWith("commons-collections-")) {
                entries.add(entry);
            }
        }
        try (Stream<Path> jars = Files.list(libs)) {
            jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> entries.add(p.toAbsolutePath().toString()));
        }
        return String.join(File.pathSeparator, entries);
    }

    public Path dir() {
        return dir;
    }

    public DeserRun jvmArg(String... args) {
        jvmArgs.addAll(List.of(args));
        return this;
    }

    /** Each run's JVM is killed after this (60 s unless set); {@link ForkedJvm.Result#timedOut} then says so. */
    public DeserRun timeoutSeconds(long seconds) {
        this.timeoutSeconds = seconds;
        return this;
    }

    /** Writes a document into the run's folder. */
    public Path document(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    /** A marker file path in the run's folder, for an attack to create. */
    public Path marker(String name) {
        return dir.resolve(name);
    }

    /**
     * Runs the victim; {@code agentOptions} null means no agent. Markers are looked for until
     * two seconds after the JVM ends, since a started process may still be creating one.
     */
    public Outcome run(String agentOptions, List<Path> markers, String... args) throws Exception {
        Path log = dir.resolve("violations.jsonl");
        Files.deleteIfExists(log);
        for (Path marker : markers) {
            Files.deleteIfExists(marker);
        }
        ForkedJvm jvm = ForkedJvm.on(jdk).workDir(dir).classPath(classPath).jvmArg(jvmArgs.toArray(String[]::new))
                .timeoutSeconds(timeoutSeconds);
        if (agentOptions != null) {
            jvm.withAgent("log=" + log + (agentOptions.isEmpty() ? "" : "," + agentOptions));
        }
        ForkedJvm.Result result = jvm.runMain(DeserVictim.class, args);
        List<Path> created = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        do {
            created.clear();
            for (Path marker : markers) {
                if (Files.exists(marker)) {
                    created.add(marker);
                }
            }
            if (created.size() == markers.size()) {
                break;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        return new Outcome(result, List.copyOf(created), ViolationLog.read(log));
    }

    /** The victim's console mode, started without the agent, for attach. */
    public Console console() throws IOException {
        List<String> command = new ArrayList<>(List.of(jdk.java().toString(), "-XX:+EnableDynamicAgentLoading"));
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", classPath, DeserVictim.class.getName(), "console"));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SAFELOAD_"));
        pb.redirectError(dir.resolve("console-stderr.txt").toFile());
        return new Console(pb.start());
    }

    /** A running console victim: one command, one RESULT line. */
    public static final class Console implements AutoCloseable {
        private final Process process;
        private final PrintWriter in;
        private final BufferedReader out;
        private final long pid;

        Console(Process process) throws IOException {
            this.process = process;
            this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String ready = out.readLine();
            if (ready == null || !ready.startsWith("READY ")) {
                throw new IOException("the console did not start: " + ready);
            }
            this.pid = Long.parseLong(ready.substring(6).trim());
        }

        public long pid() {
            return pid;
        }

        public String send(String command) throws IOException {
            in.println(command);
            String answer = out.readLine();
            if (answer == null) {
                throw new IOException("the console died after: " + command);
            }
            return answer;
        }

        @Override
        public void close() throws Exception {
            in.println("quit");
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
