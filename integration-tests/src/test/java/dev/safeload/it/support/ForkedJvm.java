package dev.safeload.it.support;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real JVM started as users start it: {@code java [-javaagent:...] -cp ... Main args}. */
public final class ForkedJvm {

    /** What a finished JVM left: exit code, output and the time it took. */
    public record Result(int exitCode, String stdout, String stderr, long millis, boolean timedOut) {
        @Override
        public String toString() {
            return "exit " + exitCode + (timedOut ? " (timed out)" : "") + " after " + millis + " ms\n--- stdout\n"
                    + stdout + "\n--- stderr\n" + stderr;
        }
    }

    private final Jdks.Jdk jdk;
    private String agentOptions;
    private boolean withAgent;
    private final List<String> jvmArgs = new ArrayList<>();
    private final Map<String, String> env = new HashMap<>();
    private Path workDir;
    private long timeoutSeconds = 60;
    private String classPath = System.getProperty("java.class.path");

    private ForkedJvm(Jdks.Jdk jdk) {
        this.jdk = jdk;
    }

    public static ForkedJvm on(Jdks.Jdk jdk) {
        return new ForkedJvm(jdk);
    }

    /** The agent jar built by the agent module. */
    public static Path agentJar() {
        Path jar = Path.of(System.getProperty("it.agentJar", "../agent/target/safeload-agent.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run `mvn -B verify` from the repository root");
        }
        return jar.toAbsolutePath().normalize();
    }

    /** Adds {@code -javaagent:safeload-agent.jar[=options]}. */
    public ForkedJvm withAgent(String options) {
        this.withAgent = true;
        this.agentOptions = options;
        return this;
    }

    public ForkedJvm jvmArg(String... args) {
        jvmArgs.addAll(Arrays.asList(args));
        return this;
    }

    public ForkedJvm env(String name, String value) {
        env.put(name, value);
        return this;
    }

    public ForkedJvm workDir(Path dir) {
        this.workDir = dir;
        return this;
    }

    public ForkedJvm timeoutSeconds(long seconds) {
        this.timeoutSeconds = seconds;
        return this;
    }

    /** Runs {@link #runMain} with this class path instead of the test class path. */
    public ForkedJvm classPath(String path) {
        this.classPath = path;
        return this;
    }

    /** Runs {@code mainClass} from the test class path. */
    public Result runMain(Class<?> mainClass, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(prefix());
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass.getName());
        command.addAll(Arrays.asList(args));
        return run(command);
    }

    /** Runs {@code java ... -jar jar args}. */
    public Result runJar(Path jar, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(prefix());
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(Arrays.asList(args));
        return run(command);
    }

    /** Starts {@code java ... -jar jar args} and leaves it running; output goes to files in the work dir. */
    public Process startJar(Path jar, String... args) throws IOException {
        List<String> command = new ArrayList<>(prefix());
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(Arrays.asList(args));
        ProcessBuilder pb = builder(command);
        pb.redirectOutput(workDir().resolve("stdout.txt").toFile());
        pb.redirectError(workDir().resolve("stderr.txt").toFile());
        return pb.start();
    }

    private List<String> prefix() {
        List<String> command = new ArrayList<>();
        command.add(jdk.java().toString());
        command.add("-Xshare:auto");
        if (withAgent) {
            command.add("-javaagent:" + agentJar() + (agentOptions == null || agentOptions.isEmpty() ? "" : "=" + agentOptions));
        }
        command.addAll(jvmArgs);
        return command;
    }

    private Path workDir() throws IOException {
        if (workDir == null) {
            workDir = Files.createTempDirectory("safeload-it-");
        }
        return workDir;
    }

    private ProcessBuilder builder(List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.directory(workDir().toFile());
        // The forked JVM sees only the configuration the test gives it.
        pb.environment().keySet().removeIf(k -> k.startsWith("SAFELOAD_"));
        pb.environment().putAll(env);
        return pb;
    }

    private Result run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = builder(command);
        Path out = Files.createTempFile(workDir(), "stdout", ".txt");
        Path err = Files.createTempFile(workDir(), "stderr", ".txt");
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        long start = System.nanoTime();
        Process process = pb.start();
        boolean finished = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        return new Result(finished ? process.exitValue() : -1,
                Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8),
                millis, !finished);
    }

    /** The class path entries of the tests, for diagnostics. */
    public static List<String> classPath() {
        return Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
    }
}
